"""Stream gold records from the database into a versioned export folder, or to an HTTP client."""

from __future__ import annotations

import hashlib
import re
import secrets
import shutil
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from jinja2 import Environment, PackageLoader
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from annotator.adjudicate.compare import Version, majority_proposal
from annotator.adjudicate.service import head_versions
from annotator.agreement.report import article_agreement
from annotator.agreement.service import project_report
from annotator.agreement.units import LabelSet, article_units
from annotator.annotate.models import AnnotationContent
from annotator.annotate.suggestions import has_predictions, predicted_content
from annotator.errors import Conflict, NotFound
from annotator.export.formats import ModelStatements, conll_lines, labelstudio_task, statement_rows
from annotator.export.models import ExportFormat, Manifest, ManifestFile, SchemaUpgradeNote, Split
from annotator.export.splits import DEFAULT_RATIOS, DEFAULT_SEED, SPLIT_KEY, split_key, split_of
from annotator.labelschema.suggest import suggest_spans
from annotator.projects.service import project_schema
from annotator.projects.upgrades import upgrade_history
from annotator.quality.aggregate import AggregateMethod, Aggregator
from annotator.quality.service import project_aggregator
from annotator.storage.revisions import counted_work
from annotator.storage.tables import AnnotationRevision, Article, Assignment, GoldRecord, GoldRevision, Project, User

PAGE = 1_000
Progress = Callable[[int], None]
DATA_FILES: dict[str, tuple[str, str]] = {
    "gold": ("gold.jsonl", "application/x-ndjson"),
    "statements": ("statements.jsonl", "application/x-ndjson"),
    "spans": ("spans.conll", "text/plain"),  # Flask adds the charset to text types
    "labelstudio": ("labelstudio.json", "application/json"),
}


@dataclass(frozen=True)
class ExportOptions:
    format: ExportFormat = "gold"
    include_unadjudicated: bool = False
    seed: int = DEFAULT_SEED
    ratios: dict[Split, float] = field(default_factory=lambda: dict(DEFAULT_RATIOS))
    # The receiving Label Studio's account (e-mail) to credit gold to; without one the field is left out,
    # since a server refuses a whole file that names a user it does not have.
    labelstudio_account: str | None = None
    # NAME@VERSION of stored predictions to send to Label Studio as pre-annotations.
    predictions_model: str | None = None
    # How articles without gold are filled, when they are included.
    aggregate: AggregateMethod = "majority"

    @property
    def every_article(self) -> bool:
        """Label Studio tasks go out for every article: those without labels are there to be labeled."""
        return self.format == "labelstudio"


def check_exportable(session: Session, project: Project, options: ExportOptions) -> None:
    """Refuse, with a reason, an export that would be empty, or that names a model with no predictions."""
    if reason := export_refusal(session, project, options.include_unadjudicated, options.every_article):
        raise Conflict(reason)
    if options.predictions_model is not None and not has_predictions(session, project, options.predictions_model):
        raise NotFound(f"no predictions of {options.predictions_model} in project {project.name!r}")


def export_refusal(session: Session, project: Project, include_unadjudicated: bool, every_article: bool = False) -> str | None:
    """Why an export of the project would be empty, or None when it would not."""
    if not session.scalar(select(func.count(Article.id)).where(Article.project_id == project.id)):
        return f"project {project.name!r} has no articles to export"
    if every_article:
        return None
    gold = session.scalar(
        select(func.count(GoldRecord.id)).where(GoldRecord.project_id == project.id, GoldRecord.head_revision_id.is_not(None))
    )
    if gold:
        return None
    if not include_unadjudicated:
        return (
            f"project {project.name!r} has no gold yet: adjudicate first, or include unadjudicated articles "
            "as majority votes (--include-unadjudicated)"
        )
    labeled = session.scalar(
        select(func.count(Assignment.id)).where(Assignment.project_id == project.id, Assignment.status == "done", counted_work())
    )
    return None if labeled else f"project {project.name!r} has no labels yet"


def gold_records(
    session: Session, project: Project, options: ExportOptions, on_article: Progress | None = None
) -> Iterator[dict[str, Any]]:
    """Every exported article as a `gold` record, in id order, a page of articles at a time."""
    schema_version = project_schema(project).version
    aggregator = project_aggregator(session, project, options.aggregate) if options.include_unadjudicated else None
    after = 0
    while True:
        articles = session.scalars(
            select(Article).where(Article.project_id == project.id, Article.id > after).order_by(Article.id).limit(PAGE)
        ).all()
        if not articles:
            return
        after = articles[-1].id
        if on_article:
            on_article(len(articles))
        ids = [a.id for a in articles]
        gold = {
            article_id: (revision, adjudicator)
            for article_id, revision, adjudicator in session.execute(
                select(GoldRecord.article_id, GoldRevision, User.name)
                .join(GoldRevision, GoldRevision.id == GoldRecord.head_revision_id)
                .join(User, User.id == GoldRevision.adjudicator_id)
                .where(GoldRecord.article_id.in_(ids))
            )
        }
        versions = head_versions(session, ids) if options.include_unadjudicated else {}
        authors = _authors(session, [i for revision, _ in gold.values() for i in revision.source_revision_ids])
        for article in articles:
            base = _article_fields(article, article_split(article, options))
            if article.id in gold:
                revision, adjudicator = gold[article.id]
                yield {**base, **revision.content, "provenance": {
                    "status": "gold", "method": revision.method, "gold_revision": revision.id,
                    "adjudicator": adjudicator, "annotators": sorted({authors[i] for i in revision.source_revision_ids if i in authors}),
                    "source_revisions": revision.source_revision_ids, "schema_version": revision.schema_version, "agreement": None,
                    "ties": [],  # settled by the lead
                    "migrated_from": revision.migrated_from,
                }}
            elif aggregator and (article_versions := [v for v in versions.get(article.id, []) if v.schema_version == schema_version]):
                # Only labels under the current version vote: those waiting for review are not of it yet.
                yield {**base, **_aggregated(aggregator, article.id, article_versions, schema_version)}
            elif options.every_article:
                yield {**base, **AnnotationContent().model_dump(mode="json"), "provenance": {
                    "status": "unlabeled", "method": None, "gold_revision": None, "adjudicator": None, "annotators": [],
                    "source_revisions": [], "schema_version": schema_version, "agreement": None, "ties": [],
                }}
        session.expunge_all()  # keep memory flat: nothing from past pages stays in the session


def _aggregated(aggregator: Aggregator, article_id: int, versions: list[Version], schema_version: str) -> dict[str, Any]:
    """An article without gold filled by the aggregate; the majority vote keeps its rule for ties
    (adjudicate.compare.majority_proposal), the others choose by their fitted posteriors."""
    label_sets = [LabelSet(article_id, v.annotator, v.content) for v in versions]
    units = article_units(article_id, label_sets)  # once, for the aggregate and the agreement both
    aggregated = aggregator.aggregate(units, label_sets)
    if aggregator.method == "majority":
        proposal = majority_proposal(versions)
        content, status, method, ties = proposal.content, "majority_vote", "majority_vote", proposal.ties
    else:
        content, status, method, ties = aggregated.content, "aggregate", aggregator.method, []
    return {**content, "provenance": {
        "status": status, "method": method, "gold_revision": None, "adjudicator": None,
        "annotators": [v.annotator for v in versions], "source_revisions": [v.revision for v in versions],
        "schema_version": schema_version, "agreement": article_agreement(units),
        "weights": aggregated.weights, "posterior": aggregated.posterior, "ties": ties,
    }}


def _authors(session: Session, revision_ids: list[int]) -> dict[int, str]:
    if not revision_ids:
        return {}
    rows = session.execute(
        select(AnnotationRevision.id, User.name)
        .join(User, User.id == AnnotationRevision.author_id)
        .where(AnnotationRevision.id.in_(revision_ids))
    )
    return dict(rows.all())


def article_split(article: Article, options: ExportOptions) -> Split:
    """The article's split: from what survives a re-import (splits.SPLIT_KEY) and the seed."""
    return split_of(split_key(article.external_id, article.text_norm_sha256), options.seed, options.ratios)


def _article_fields(article: Article, split: Split) -> dict[str, Any]:
    return {
        "id": article.id, "external_id": article.external_id, "title": article.title, "text": article.text,
        "outlet": article.outlet, "url": article.url, "published": article.published, "meta": article.meta,
        "split": split,
    }


@dataclass
class Tally:
    """Counts gathered while the records stream past, for the manifest and the card."""

    records: int = 0
    counts: Counter[str] = field(default_factory=Counter)

    def add(self, record: dict[str, Any]) -> None:
        self.records += 1
        status, split = record["provenance"]["status"], record["split"]
        self.counts[f"articles.{split}"] += 1
        self.counts[f"articles.{status}"] += 1
        for statement in record["statements"]:
            self.counts[f"statements.{split}"] += 1
            self.counts[f"stance.{statement['stance']}"] += 1
            self.counts[f"target.{statement['target']}"] += 1
            for precondition in statement["preconditions"]:
                self.counts[f"precondition.{precondition['category']}"] += 1

    def grouped(self) -> dict[str, dict[str, int]]:
        groups: dict[str, dict[str, int]] = {}
        for key, value in sorted(self.counts.items()):
            group, name = key.split(".", 1)
            groups.setdefault(group, {})[name] = value
        return groups


def data_lines(
    session: Session, project: Project, options: ExportOptions, tally: Tally, on_article: Progress | None = None
) -> Iterator[bytes]:
    """The bytes of the export's data file, produced as the records stream from the database."""
    records = gold_records(session, project, options, on_article)
    if options.format == "labelstudio":
        yield from _labelstudio_lines(session, records, project, tally, options)
        return
    for record in records:
        tally.add(record)
        if options.format == "gold":
            yield orjson.dumps(record, option=orjson.OPT_APPEND_NEWLINE)
        elif options.format == "statements":
            for row in statement_rows(record, record["text"]):
                yield orjson.dumps(row, option=orjson.OPT_APPEND_NEWLINE)
        else:
            yield ("\n".join(conll_lines(record)) + "\n").encode()


def _labelstudio_lines(
    session: Session, records: Iterator[dict[str, Any]], project: Project, tally: Tally, options: ExportOptions
) -> Iterator[bytes]:
    schema = project_schema(project)
    yield b"["
    for index, record in enumerate(records):
        tally.add(record)
        suggestions = [s.model_dump() for s in suggest_spans(record["text"], schema)]
        predicted = _predicted(session, record["id"], options.predictions_model)
        task = labelstudio_task(record, suggestions, options.labelstudio_account, predicted)
        yield (b",\n" if index else b"\n") + orjson.dumps(task)
    yield b"\n]\n"


def _predicted(session: Session, article_id: int, model_version: str | None) -> ModelStatements | None:
    """The named model's statements for the article, if it predicted any."""
    if model_version is None:
        return None
    content = predicted_content(session, article_id, model_version)
    return ModelStatements(model_version, content["statements"]) if content and content["statements"] else None


def write_export(
    session: Session, project: Project, options: ExportOptions, root: Path, command: str, on_article: Progress | None = None
) -> tuple[Path, Manifest]:
    """Write a new version folder under root/<project>; it appears only once complete."""
    check_exportable(session, project, options)
    schema = project_schema(project)
    report = project_report(session, project)
    folder = root / file_slug(project.name)
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f".partial-{secrets.token_hex(4)}"
    partial.mkdir()
    try:
        name, _ = DATA_FILES[options.format]
        tally = Tally()
        data_file = _write_hashed(partial / name, data_lines(session, project, options, tally, on_article), tally)
        version = _next_version(folder)
        manifest = Manifest(
            project=project.name, version=version, format=options.format, created_at=datetime.now(UTC),
            command=command, seed=options.seed, ratios=options.ratios, split_key=SPLIT_KEY,
            include_unadjudicated=options.include_unadjudicated,
            aggregate=options.aggregate if options.include_unadjudicated else None, schema_name=schema.name,
            schema_version=schema.version, annotators=report.annotators, files=[data_file],
            schema_upgrades=[SchemaUpgradeNote(from_version=old, to_version=new, plan_sha256=sha, at=at)
                             for old, new, sha, at in upgrade_history(session, project.id)],
            counts=tally.grouped(), agreement={f.field: f.alpha.value for f in report.fields},
        )
        (partial / "README.md").write_text(_card(manifest, report.definitions))
        (partial / "manifest.json").write_bytes(orjson.dumps(manifest.model_dump(mode="json"), option=orjson.OPT_INDENT_2))
        final = folder / version
        partial.rename(final)  # atomic: a reader sees no folder or a complete one
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return final, manifest


def _write_hashed(path: Path, lines: Iterator[bytes], tally: Tally) -> ManifestFile:
    digest = hashlib.sha256()
    size = 0
    with path.open("wb") as stream:
        for line in lines:
            stream.write(line)
            digest.update(line)
            size += len(line)
    return ManifestFile(name=path.name, sha256=digest.hexdigest(), bytes=size, records=tally.records)


def _next_version(folder: Path) -> str:
    numbers = [int(m.group(1)) for p in folder.iterdir() if (m := re.fullmatch(r"v(\d+)", p.name))]
    return f"v{max(numbers, default=0) + 1}"


def file_slug(name: str) -> str:
    """A project name as it can stand in a file name: runs of other characters become one '-'."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-.") or "project"


def download_name(project_name: str, options: ExportOptions, at: datetime) -> str:
    """What a streamed export is called: the project, what it holds, and when it was taken
    (`elections-gold-with-majority-20261203-1042.jsonl`), so two downloads never share a name."""
    stem, _, extension = DATA_FILES[options.format][0].partition(".")
    filled = f"-with-{options.aggregate}" if options.include_unadjudicated else ""
    return f"{file_slug(project_name)}-{stem}{filled}-{at:%Y%m%d-%H%M%S}.{extension}"


_CARDS = Environment(loader=PackageLoader("annotator", "templates"), autoescape=False, keep_trailing_newline=True)
# What a Markdown reader would take as markup or HTML, in text users chose (project and annotator names).
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~])")


def markdown_text(value: object) -> str:
    """Text shown as itself in Markdown: HTML escaped, Markdown's punctuation backslashed, one line."""
    escaped = str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(escaped.split()))


_CARDS.filters["text"] = markdown_text


def _card(manifest: Manifest, definitions: dict[str, str]) -> str:
    return _CARDS.get_template("dataset_card.md").render(manifest=manifest, definitions=definitions)
