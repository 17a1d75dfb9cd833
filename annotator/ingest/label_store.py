"""Store labels made elsewhere, each checked like a save; a bad record is reported, not stored."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import replace

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from annotator.annotate.models import AnnotationContent
from annotator.annotate.service import checked_content, store_imported
from annotator.auth.service import add_user
from annotator.errors import ApiError
from annotator.ingest.label_readers import LabelRecord, LabelResult, LeftOut
from annotator.ingest.models import Rejection, RejectionTally, SourcePosition
from annotator.ingest.store import find_article
from annotator.labelschema import LabelSchema
from annotator.storage.tables import AnnotationRevision, Article, Assignment, Project, User
from annotator.storage.turns import in_turns


class ImportNote(SourcePosition):
    note: str


class LabelImportReport(RejectionTally):
    imported: int = 0
    unchanged: int = Field(default=0, description="Already the annotator's current labels: importing again changes nothing")
    new_annotators: list[str] = Field(default_factory=list)
    notes: list[ImportNote] = Field(default_factory=list, description="What was left out of a record, or not imported, and why")
    left_out: dict[str, int] = Field(default_factory=dict, description="Annotations not imported on purpose, by kind (cancelled, drafts)")
    ground_truth: int = Field(default=0, description="Imported annotations Label Studio marked as ground truth")

    def note_left_out(self, what: str) -> None:
        self.left_out[what] = self.left_out.get(what, 0) + 1


def import_labels(session: Session, project: Project, schema: LabelSchema, results: Iterable[LabelResult]) -> LabelImportReport:
    """Each record checked like a save. Of several records by one annotator for one article the
    last counts (the others are named in the notes), and labels equal to the annotator's
    current ones are not stored again, so importing a file twice changes nothing. Both the
    checking and the storing go in turns (storage.turns): saves go on meanwhile."""
    report = LabelImportReport()
    records: list[tuple[Article, LabelRecord]] = []
    for batch in in_turns(session, results):
        records += [found for result in batch if (found := _checked(session, project, schema, result, report))]
    last = {(article.id, record.annotator): record for article, record in records}
    for checked in in_turns(session, records):
        for article, result in checked:
            if last[(article.id, result.annotator)] is not result:
                note = f"{result.annotator} has a later record for article {article.id} in this file: only the last is imported"
                report.notes.append(ImportNote(**result.position.model_dump(), note=note))
                continue
            with session.begin_nested():  # one record's writes stand or fall together
                annotator = _annotator(session, result.annotator, report)
                if _current_labels(session, article, annotator) == result.content:
                    report.unchanged += 1
                    continue
                store_imported(session, project, schema, article, annotator, result.content)
            report.imported += 1
            report.ground_truth += result.ground_truth
    return report


def _checked(
    session: Session, project: Project, schema: LabelSchema, result: LabelResult, report: LabelImportReport,
) -> tuple[Article, LabelRecord] | None:
    """The record's article and its checked labels, or None with the reason in the report."""
    if isinstance(result, Rejection):
        report.reject(result)
        return None
    if isinstance(result, LeftOut):
        report.note_left_out(result.what)
        return None
    report.notes.extend(ImportNote(**result.position.model_dump(), note=note) for note in result.notes)
    article = find_article(session, project.id, result.article_id, result.external_id, result.article_text)
    if article is None:
        report.reject(_rejection(result, "no such article in this project"))
        return None
    try:
        content = checked_content(result.content, article, schema)
    except ApiError as error:
        report.reject(_rejection(result, error.reason()))
        return None
    return article, replace(result, content=content)


def _current_labels(session: Session, article: Article, annotator: User) -> AnnotationContent | None:
    head = session.scalar(
        select(AnnotationRevision.content)
        .join(Assignment, Assignment.head_revision_id == AnnotationRevision.id)
        .where(Assignment.article_id == article.id, Assignment.user_id == annotator.id)
    )
    return AnnotationContent.model_validate(head) if head is not None else None


def _annotator(session: Session, name: str, report: LabelImportReport) -> User:
    user = session.scalar(select(User).where(User.name == name))
    if user is None:
        # Imported annotators get no usable password: they appear in figures, they do not log in.
        user = add_user(session, name, secrets.token_urlsafe(32), "annotator")
        report.new_annotators.append(name)
    return user


def _rejection(record: LabelRecord, reason: str) -> Rejection:
    return Rejection(**record.position.model_dump(), reason=reason)
