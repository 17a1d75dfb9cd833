"""Evaluate a model's predictions against gold: a project's current gold or a pinned export file.

Annotators' labels on the same gold articles are scored the same way, so a model
stands beside the people who made the gold.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from annotator.adjudicate.service import head_versions
from annotator.errors import Invalid, NotFound
from annotator.export.splits import DEFAULT_RATIOS, DEFAULT_SEED, split_of
from annotator.ingest.store import text_digest
from annotator.predictions.models import EvaluationReport, GoldSource, HumanComparison, Interval, PredictionCoverage
from annotator.predictions.readers import PredictionRecord
from annotator.predictions.scoring import CountTable, article_counts, article_diff
from annotator.storage.tables import Article, GoldRecord, GoldRevision, Project

SAMPLES = 1000
SEED = 20261122
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


@dataclass(frozen=True)
class GoldArticle:
    id: int
    external_id: str | None
    text_sha256: str
    split: str | None
    content: Mapping[str, Any]


@dataclass(frozen=True)
class Gold:
    source: GoldSource
    articles: list[GoldArticle]
    project: str | None  # whose annotators made it, when known


def gold_from_file(path: Path, split: str | None) -> Gold:
    """Gold records of an export (`gold.jsonl`); its manifest, if beside it, pins the version."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    articles = []
    with path.open("rb") as lines:
        for number, raw in enumerate(lines, start=1):
            if not raw.strip():
                continue
            try:
                record = json.loads(raw)
                article = GoldArticle(record["id"], record.get("external_id"), text_digest(record["text"]), record.get("split"),
                                      {"statements": record["statements"], "article": record["article"]})
            except (ValueError, KeyError, TypeError) as error:
                raise Invalid(f"{path.name} line {number} is not a gold record: {error}", []) from error
            if split is None or article.split == split:
                articles.append(article)
    manifest_path = path.parent / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.is_file() else {}
    version = f"{manifest['project']} {manifest['version']}, " if manifest else ""
    source = GoldSource(source=str(path), version=f"{version}{path.name} sha256:{digest[:16]}", split=split, articles=len(articles))
    return Gold(source, articles, manifest.get("project"))


def gold_from_project(session: Session, project: Project, split: str | None) -> Gold:
    """A project's current gold; the newest gold revision id pins what it was."""
    rows = session.execute(
        select(Article.id, Article.external_id, Article.text_sha256, GoldRevision.content)
        .join(GoldRecord, GoldRecord.article_id == Article.id)
        .join(GoldRevision, GoldRevision.id == GoldRecord.head_revision_id)
        .where(Article.project_id == project.id)
        .order_by(Article.id)
    )
    articles = [
        GoldArticle(article_id, external_id, sha, split_of(article_id, DEFAULT_SEED, DEFAULT_RATIOS), content)
        for article_id, external_id, sha, content in rows
    ]
    articles = [a for a in articles if split is None or a.split == split]
    newest = session.scalar(select(func.max(GoldRecord.head_revision_id)).where(GoldRecord.project_id == project.id))
    source = GoldSource(source=f"project {project.name}", version=f"{project.name} gold up to revision {newest}",
                        split=split, articles=len(articles))
    return Gold(source, articles, project.name)


def human_labels(session: Session, gold: Gold) -> dict[str, dict[int, Mapping[str, Any]]]:
    """Each annotator's saved labels on the gold articles, when the gold's project is in this database."""
    if gold.project is None or session.scalar(select(Project.id).where(Project.name == gold.project)) is None:
        return {}
    people: dict[str, dict[int, Mapping[str, Any]]] = {}
    for article_id, versions in head_versions(session, [a.id for a in gold.articles]).items():
        for version in versions:
            people.setdefault(version.annotator, {})[article_id] = version.content
    return people


def one_model(records: list[PredictionRecord], wanted: str | None) -> tuple[str, str, list[PredictionRecord]]:
    """The predictions of one model version: the only one in the file, or `wanted` (NAME@VERSION)."""
    versions = sorted({(r.line.model, r.line.model_version) for r in records})
    if wanted is not None:
        name, _, version = wanted.rpartition("@")
        if (name, version) not in versions:
            raise NotFound(f"no predictions of {wanted} here; found {', '.join(f'{m}@{v}' for m, v in versions) or 'none'}")
    elif len(versions) == 1:
        name, version = versions[0]
    else:
        found = ", ".join(f"{m}@{v}" for m, v in versions) or "no predictions"
        raise Invalid(f"name the model to evaluate (NAME@VERSION): found {found}", [])
    return name, version, [r for r in records if (r.line.model, r.line.model_version) == (name, version)]


def _matched(gold: Gold, records: list[PredictionRecord]) -> tuple[dict[int, Mapping[str, Any]], int]:
    """Predicted content by gold article id, and how many predictions match no gold article."""
    by_id = {a.id: a.id for a in gold.articles}
    by_external = {a.external_id: a.id for a in gold.articles if a.external_id is not None}
    by_text = {a.text_sha256: a.id for a in gold.articles}
    found: dict[int, Mapping[str, Any]] = {}
    unmatched = 0
    for record in records:
        line = record.line
        article_id = (by_id.get(line.article_id) if line.article_id is not None
                      else by_external.get(line.external_id) if line.external_id is not None
                      else by_text.get(text_digest(record.article_text or "")))
        if article_id is None:
            unmatched += 1
        else:
            found[article_id] = line.content().model_dump(mode="json")
    return found, unmatched


def evaluate(
    gold: Gold,
    records: list[PredictionRecord],
    humans: Mapping[str, Mapping[int, Mapping[str, Any]]],
    model: str | None = None,
    samples: int = SAMPLES,
    seed: int = SEED,
    on_article: Callable[[], None] | None = None,
) -> EvaluationReport:
    name, version, chosen = one_model(records, model)
    predicted, unmatched = _matched(gold, chosen)
    rows = []
    for article in gold.articles:
        rows.append(article_counts(article.id, article.content, predicted.get(article.id, EMPTY)))
        if on_article:
            on_article()
    table = CountTable.of(rows)
    found = table.figures()
    intervals = table.intervals(samples, seed)
    people = _humans(gold, humans)
    return EvaluationReport(
        model=name,
        model_version=version,
        gold=gold.source,
        created_at=datetime.now(UTC),
        predictions=PredictionCoverage(
            articles_with_predictions=len(predicted),
            gold_articles_without_prediction=len(gold.articles) - len(predicted),
            predictions_without_gold=unmatched,
        ),
        **found,
        intervals={".".join(path): Interval(low=v[0], high=v[1]) if v else None for path, v in intervals.items()},
        humans=people,
        model_in_human_range=_in_range(found, people),
        definitions=DEFINITIONS,
        bootstrap={"samples": samples, "seed": seed},
    )


def _humans(gold: Gold, humans: Mapping[str, Mapping[int, Mapping[str, Any]]]) -> list[HumanComparison]:
    compared = []
    for annotator, labeled in sorted(humans.items()):
        mine = [a for a in gold.articles if a.id in labeled]
        if not mine:
            continue
        found = CountTable.of([article_counts(a.id, a.content, labeled[a.id]) for a in mine]).figures()
        compared.append(HumanComparison(
            annotator=annotator, articles=len(mine),
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


def diffs(gold: Gold, records: list[PredictionRecord], model: str | None = None) -> Iterator[dict[str, Any]]:
    """Per gold article: what the model missed, added and got wrong (articles it got right are left out)."""
    _, _, chosen = one_model(records, model)
    predicted, _ = _matched(gold, chosen)
    for article in gold.articles:
        diff = article_diff(article.id, article.content, predicted.get(article.id, EMPTY))
        if diff["missed"] or diff["added"] or diff["wrong"]:
            yield diff

