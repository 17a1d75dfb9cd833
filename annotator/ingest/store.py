"""Store read records as articles: in turns, duplicates by text reported, not stored twice."""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Callable, Iterable

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from annotator.ingest.models import Duplicate, ImportReport, ReadRecord, Rejection
from annotator.projects.slots import add_unfilled
from annotator.storage.tables import Article
from annotator.storage.turns import in_turns

Progress = Callable[[int], None]


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def normalised_digest(text: str) -> str:
    """The digest of the text as a reader sees it: Unicode NFC, any run of white space (line ends
    included) as one space, none at the ends. Two forms of one article share it."""
    return text_digest(" ".join(unicodedata.normalize("NFC", text).split()))


def import_records(
    session: Session,
    project_id: int,
    results: Iterable[ReadRecord | Rejection],
    on_progress: Progress | None = None,
) -> ImportReport:
    """Store every valid record, a batch at a time (storage.turns): each batch is committed as it is
    stored, and saves get the database between batches. A crash or a failure keeps whole batches.

    Re-running the same import is safe: what was stored comes back as duplicates.
    """
    report = ImportReport()
    for batch in in_turns(session, results):
        for rejection in (r for r in batch if isinstance(r, Rejection)):
            report.reject(rejection)
        _store_batch(session, project_id, [r for r in batch if isinstance(r, ReadRecord)], report)
        if on_progress:
            on_progress(len(batch))
    report.imported = len(report.article_ids)
    return report


def _store_batch(session: Session, project_id: int, records: list[ReadRecord], report: ImportReport) -> None:
    """Store the batch's new texts; a text already here, or earlier in the batch, is a duplicate,
    also when it differs only in white space, line ends or Unicode normalisation."""
    keys = [normalised_digest(r.record.text) for r in records]
    known = dict(
        session.execute(
            select(Article.text_norm_sha256, Article.id).where(
                Article.project_id == project_id, Article.text_norm_sha256.in_(set(keys))
            )
        ).all()
    )
    fresh: list[tuple[ReadRecord, str]] = []
    copies: dict[str, list[ReadRecord]] = {}  # later records repeating a text new in this batch
    for read, key in zip(records, keys):
        if key in known:
            report.duplicate(_duplicate(read, known[key]))
        elif key in copies:
            copies[key].append(read)
        else:
            copies[key] = []
            fresh.append((read, key))
    if not fresh:
        return
    ids = session.execute(
        insert(Article).returning(Article.id, sort_by_parameter_order=True),
        [_row(project_id, read, key) for read, key in fresh],
    ).scalars()
    for (_read, key), article_id in zip(fresh, ids):
        report.article_ids.append(article_id)
        for copy in copies[key]:
            report.duplicate(_duplicate(copy, article_id))
    add_unfilled(session, project_id, len(fresh))


def _row(project_id: int, read: ReadRecord, key: str) -> dict[str, object]:
    record = read.record
    return {
        "project_id": project_id,
        "external_id": None if record.id is None else str(record.id),
        "title": record.resolved_title(),
        "text": record.text,
        "text_sha256": text_digest(record.text),
        "text_norm_sha256": key,
        "outlet": record.outlet,
        "url": record.url,
        "published": record.published,
        "meta": record.meta,
        "assigned_count": 0,
    }


def _duplicate(read: ReadRecord, article_id: int) -> Duplicate:
    return Duplicate(source=read.source, line=read.line, task=read.task, duplicate_of=article_id)


def find_article(
    session: Session, project_id: int, article_id: int | None, external_id: str | None, text: str | None
) -> Article | None:
    """An article of the project named by our id, else the source's id, else its text (in any of its forms)."""
    query = select(Article).where(Article.project_id == project_id)
    if article_id is not None:
        query = query.where(Article.id == article_id)
    elif external_id is not None:
        query = query.where(Article.external_id == external_id)
    else:
        query = query.where(Article.text_norm_sha256 == normalised_digest(text or ""))
    return session.scalars(query.limit(1)).first()
