"""Evaluate a model's predictions against gold: a project's current gold or a pinned export file.

Gold is read a batch of articles at a time and scored as it goes; predictions are kept
as compact JSON per article until their article comes. Annotators' labels on the same
gold articles are scored the same way, so a model stands beside the people who made the gold.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any, TypeVar

import orjson
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from annotator.adjudicate.service import head_versions
from annotator.errors import Invalid, NotFound
from annotator.export.splits import DEFAULT_RATIOS, DEFAULT_SEED, split_key, split_of
from annotator.ingest.models import Rejection
from annotator.ingest.store import text_digest
from annotator.predictions.models import EvaluationReport, GoldSource, HumanComparison, Interval, PredictionCoverage
from annotator.predictions.readers import PredictionResult
from annotator.predictions.scoring import CountTable, article_counts, article_diff
from annotator.storage.revisions import current_gold
from annotator.storage.tables import Article, GoldRecord, GoldRevision, Prediction, Project

SAMPLES = 1000
SEED = 20261122
BATCH = 1000  # gold articles scored at a time
EMPTY = {"statements": [], "article": {"relevant": True, "outlet": None, "note": ""}}
HEADLINE = {"statement_keys.f1": ("statement_keys", "f1"), "fields.stance.accuracy": ("fields", "stance", "accuracy")}
DEFINITIONS = {
    "alignment": "Statements are aligned by (actor, target), as in the agreement report; a second statement with a key "
    "already used in the article is ignored.",
    "statement_keys": "Precision: share of predicted keys in gold; recall: share of gold keys predicted; F1 over both, "
    "micro-averaged over articles.",
    "stance": "On aligned statements: accuracy, and macro-F1 over the stances present in gold or predictions.",
    "target": "On (article, actor) units where gold and predictions each have exactly one statement for the actor.",
    "preconditions": "On aligned statements: precondition categories as sets, micro precision/recall/F1.",
    "source_outlet": "On aligned statements: share with the same source outlet (none counts as a value).",
    "spans": "Per label, distinct character ranges; exact: same start and end; overlap: intersecting ranges matched "
    "one to one, largest overlap first.",
    "missing predictions": "A gold article without a prediction is scored as if the model predicted nothing.",
    "intervals": "95% percentile interval over articles resampled with replacement (seeded).",
    "humans": "Each annotator's head revision on the gold articles they labeled, scored the same way.",
}

Content = Mapping[str, Any]
T = TypeVar("T")
HumanLabels = Callable[[list[int]], Mapping[str, Mapping[int, Content]]]


@dataclass(frozen=True)
class GoldArticle:
    id: int
    external_id: str | None
    text_sha256: str
    split: str | None
    content: Content


@dataclass(frozen=True)
class Gold:
    """Which gold, and its articles a batch at a time (read when scored, not before)."""

    source: GoldSource
    batches: Callable[[], Iterator[list[GoldArticle]]]
    project: str | None  # whose annotators made it, when known
    expected: int  # articles at most (before a split is chosen), for a progress bar


def _in_batches(articles: Iterable[GoldArticle]) -> Iterator[list[GoldArticle]]:
    found = iter(articles)
    while batch := list(islice(found, BATCH)):
        yield batch


def gold_from_articles(source: GoldSource, articles: list[GoldArticle], project: str | None = None) -> Gold:
    """Gold already in memory (a model's held-out split, say)."""
    return Gold(source.model_copy(update={"articles": 0}), lambda: _in_batches(articles), project, len(articles))


@dataclass(frozen=True)
class PinnedFile:
    """What pins a gold.jsonl: its export's manifest (if beside it) and the file's own hash."""

    version: str
    project: str | None
    lines: int


def pinned_file(path: Path) -> PinnedFile:
    digest, lines = hashlib.sha256(), 0
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
            lines += chunk.count(b"\n")
    manifest_path = path.parent / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.is_file() else {}
    version = f"{manifest['project']} {manifest['version']}, " if manifest else ""
    return PinnedFile(f"{version}{path.name} sha256:{digest.hexdigest()[:16]}", manifest.get("project"), lines)


def gold_file_records(path: Path, make: Callable[[dict[str, Any]], T]) -> Iterator[T]:
    """Each record of a gold.jsonl made into what the caller needs; a line that is not a gold record is refused by number."""
    with path.open("rb") as lines:
        for number, raw in enumerate(lines, start=1):
            if not raw.strip():
                continue
            try:
                made = make(orjson.loads(raw))
            except (ValueError, KeyError, TypeError) as error:
                raise Invalid(f"{path.name} line {number} is not a gold record: {error}", []) from error
            yield made


def gold_content(record: Mapping[str, Any]) -> dict[str, Any]:
    return {"statements": record["statements"], "article": record["article"]}


def gold_from_file(path: Path, split: str | None) -> Gold:
    """Gold records of an export (`gold.jsonl`); its manifest, if beside it, pins the version."""
    pinned = pinned_file(path)

    def article(record: dict[str, Any]) -> GoldArticle:
        return GoldArticle(record["id"], record.get("external_id"), text_digest(record["text"]), record.get("split"),
                           gold_content(record))

    def articles() -> Iterator[GoldArticle]:
        return (a for a in gold_file_records(path, article) if split is None or a.split == split)

    source = GoldSource(source=str(path), version=pinned.version, split=split, articles=0)
    return Gold(source, lambda: _in_batches(articles()), pinned.project, pinned.lines)


def gold_version(project: Project, newest: int | None) -> str:
    return f"{project.name} gold up to revision {newest} ({project.label_schema.version})"


def gold_from_project(session: Session, project: Project, split: str | None) -> Gold:
    """A project's current gold, made under (or carried to) its current schema version: gold waiting for
    the lead's review after an upgrade is left out. The newest gold revision id pins what it was."""
    query = (
        select(Article.id, Article.external_id, Article.text_sha256, Article.text_norm_sha256, GoldRevision.content)
        .join(GoldRecord, GoldRecord.article_id == Article.id)
        .join(GoldRevision, GoldRevision.id == GoldRecord.head_revision_id)
        .where(current_gold(project))
        .order_by(Article.id)
    )

    def batches() -> Iterator[list[GoldArticle]]:
        after = 0
        while rows := session.execute(query.where(Article.id > after).limit(BATCH)).all():
            found = [GoldArticle(i, external, sha, split_of(split_key(external, norm), DEFAULT_SEED, DEFAULT_RATIOS), content)
                     for i, external, sha, norm, content in rows]
            after = rows[-1][0]
            if chosen := [a for a in found if split is None or a.split == split]:
                yield chosen

    newest, count = session.execute(
        select(func.max(GoldRecord.head_revision_id), func.count())
        .join(GoldRevision, GoldRevision.id == GoldRecord.head_revision_id).where(current_gold(project))).one()
    source = GoldSource(source=f"project {project.name}", version=gold_version(project, newest), split=split, articles=0)
    return Gold(source, batches, project.name, count)


def human_labels(session: Session, gold: Gold) -> HumanLabels | None:
    """Annotators' saved labels on a batch of gold articles, when the gold's project is in this database."""
    if gold.project is None or session.scalar(select(Project.id).where(Project.name == gold.project)) is None:
        return None

    def labels(article_ids: list[int]) -> dict[str, dict[int, Content]]:
        people: dict[str, dict[int, Content]] = {}
        for article_id, versions in head_versions(session, article_ids).items():
            for version in versions:
                people.setdefault(version.annotator, {})[article_id] = version.content
        return people

    return labels


@dataclass
class PredictionIndex:
    """One model version's predictions as JSON in one buffer, found by how an article may be named.

    One growing buffer rather than an object per prediction keeps a hundred thousand of
    them in little more memory than their text takes.
    """

    model: str
    model_version: str
    buffer: bytearray = field(default_factory=bytearray)
    by_id: dict[int, tuple[int, int]] = field(default_factory=dict)
    by_external: dict[str, tuple[int, int]] = field(default_factory=dict)
    by_text: dict[str, tuple[int, int]] = field(default_factory=dict)
    used: int = 0

    def __len__(self) -> int:
        return len(self.by_id) + len(self.by_external) + len(self.by_text)

    def keep(self, content: Content) -> tuple[int, int]:
        data = orjson.dumps(content)
        self.buffer += data
        return len(self.buffer) - len(data), len(self.buffer)

    def take(self, article: GoldArticle) -> Content | None:
        found = self.by_id.get(article.id) or (self.by_external.get(article.external_id) if article.external_id else None) \
            or self.by_text.get(article.text_sha256)
        if found is None:
            return None
        self.used += 1
        return orjson.loads(memoryview(self.buffer)[found[0]:found[1]])  # type: ignore[no-any-return]


def index_predictions(
    results: Iterable[PredictionResult], wanted: str | None, on_rejection: Callable[[Rejection], None] | None = None,
) -> PredictionIndex:
    """The predictions of one model version: the only one given, or `wanted` (NAME@VERSION)."""
    indexes: dict[tuple[str, str], PredictionIndex] = {}
    for result in results:
        if isinstance(result, Rejection):
            if on_rejection:
                on_rejection(result)
            continue
        line = result.line
        index = indexes.setdefault((line.model, line.model_version), PredictionIndex(line.model, line.model_version))
        content = index.keep(line.model_dump(mode="json", include={"statements", "article"}))
        if line.article_id is not None:
            index.by_id[line.article_id] = content
        elif line.external_id is not None:
            index.by_external[line.external_id] = content
        else:
            index.by_text[text_digest(result.article_text or "")] = content
    return _one_model(indexes, wanted)


def stored_index(session: Session, project: Project, wanted: str | None) -> PredictionIndex:
    """A project's stored predictions of one model version."""
    names = session.execute(select(Prediction.model, Prediction.model_version).where(Prediction.project_id == project.id).distinct())
    indexes = {(model, version): PredictionIndex(model, version) for model, version in names}
    chosen = _one_model(indexes, wanted)
    rows = session.execute(select(Prediction.article_id, Prediction.content).where(
        Prediction.project_id == project.id, Prediction.model == chosen.model, Prediction.model_version == chosen.model_version))
    for article_id, content in rows:
        chosen.by_id[article_id] = chosen.keep(content)
    return chosen


def _one_model(indexes: Mapping[tuple[str, str], PredictionIndex], wanted: str | None) -> PredictionIndex:
    found = ", ".join(f"{m}@{v}" for m, v in sorted(indexes)) or "no predictions"
    if wanted is not None:
        name, _, version = wanted.rpartition("@")
        if (name, version) not in indexes:
            raise NotFound(f"no predictions of {wanted} here; found {found}")
        return indexes[(name, version)]
    if not indexes:
        raise Invalid("the file holds no predictions to evaluate (every line or task was refused, or had none)", [])
    if len(indexes) != 1:
        raise Invalid(f"name the model to evaluate (NAME@VERSION): found {found}", [])
    return next(iter(indexes.values()))


def evaluate(
    gold: Gold,
    predictions: PredictionIndex,
    humans: HumanLabels | None = None,
    samples: int = SAMPLES,
    seed: int = SEED,
    on_article: Callable[[], None] | None = None,
    on_diff: Callable[[dict[str, Any]], None] | None = None,
) -> EvaluationReport:
    """Score the predictions on every gold article; `on_diff` hears what each article's prediction got wrong."""
    table = CountTable()
    people: dict[str, CountTable] = {}
    articles = with_prediction = 0
    for batch in gold.batches():
        labeled = humans([a.id for a in batch]) if humans else {}
        for article in batch:
            predicted = predictions.take(article)
            with_prediction += predicted is not None
            table.add(article_counts(article.id, article.content, predicted or EMPTY))
            if on_diff and (diff := article_diff(article.id, article.content, predicted or EMPTY)) and _wrong(diff):
                on_diff(diff)
            for annotator, mine in labeled.items():
                if article.id in mine:
                    people.setdefault(annotator, CountTable()).add(article_counts(article.id, article.content, mine[article.id]))
            if on_article:
                on_article()
        articles += len(batch)
    found = table.figures()
    compared = _humans(people)
    return EvaluationReport(
        model=predictions.model,
        model_version=predictions.model_version,
        gold=gold.source.model_copy(update={"articles": articles}),
        created_at=datetime.now(UTC),
        predictions=PredictionCoverage(
            articles_with_predictions=with_prediction,
            gold_articles_without_prediction=articles - with_prediction,
            predictions_without_gold=len(predictions) - predictions.used,
        ),
        **found,
        intervals={".".join(path): Interval(low=v[0], high=v[1]) if v else None
                   for path, v in table.intervals(samples, seed).items()},
        humans=compared,
        model_in_human_range=_in_range(found, compared),
        definitions=DEFINITIONS,
        bootstrap={"samples": samples, "seed": seed},
    )


def _wrong(diff: Mapping[str, Any]) -> bool:
    return bool(diff["missed"] or diff["added"] or diff["wrong"])


def _humans(people: Mapping[str, CountTable]) -> list[HumanComparison]:
    compared = []
    for annotator, table in sorted(people.items()):
        found = table.figures()
        compared.append(HumanComparison(
            annotator=annotator, articles=table.n,
            statement_keys_f1=found["statement_keys"]["f1"], stance_accuracy=found["fields"]["stance"]["accuracy"],
        ))
    return compared


def _in_range(found: Mapping[str, Any], people: list[HumanComparison]) -> dict[str, str | None]:
    human_values = {
        "statement_keys.f1": [p.statement_keys_f1 for p in people],
        "fields.stance.accuracy": [p.stance_accuracy for p in people],
    }
    placed: dict[str, str | None] = {}
    for name, path in HEADLINE.items():
        value: Any = found
        for part in path:
            value = value[part]
        values = [v for v in human_values[name] if v is not None]
        if value is None or len(values) < 2:
            placed[name] = None
        else:
            placed[name] = "below" if value < min(values) else "above" if value > max(values) else "inside"
    return placed
