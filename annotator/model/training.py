"""Train the baseline on a gold's train split, score it on dev and test with the evaluation
everyone else's predictions get, and store it as a new version with its card."""

from __future__ import annotations

import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any

import sklearn
import skops
from sqlalchemy import select
from sqlalchemy.orm import Session

from annotator.errors import Invalid, NotFound
from annotator.export.splits import DEFAULT_RATIOS, DEFAULT_SEED, split_key, split_of
from annotator.ingest.store import text_digest
from annotator.labelschema import LabelSchema
from annotator.model.baseline import STATEMENT_THRESHOLD, BaselineModel, load_model
from annotator.model.candidates import Candidate, candidates, labeled_candidates
from annotator.model.card import CurvePoint, ModelCard, SplitCounts, headline
from annotator.model.versions import MODEL_NAME, store_version, version_file
from annotator.predictions.evaluation import (
    GoldArticle,
    PredictionIndex,
    evaluate,
    gold_content,
    gold_file_records,
    gold_from_articles,
    gold_version,
    pinned_file,
)
from annotator.predictions.models import EvaluationReport, GoldSource
from annotator.storage.revisions import current_gold
from annotator.storage.tables import Article, GoldRecord, GoldRevision, Project

CURVE_SHARES = (0.25, 0.5, 0.75)  # and the whole split: the model itself
PREDICTION_BATCH = 2_000
EVALUATION_SAMPLES = 200  # bootstrap resamples for the card's intervals: enough to show the spread
CONDITION_CUES = (" only if ", " provided that ", " once ", " if ", " unless ", " after ", " until ")
Progress = Callable[[str, float], None]


@dataclass(frozen=True)
class GoldExample:
    article_id: int
    external_id: str | None
    text: str
    split: str
    content: dict[str, Any]


@dataclass(frozen=True)
class GoldSet:
    examples: list[GoldExample]
    source: str
    version: str
    project: str | None


def gold_of_project(session: Session, project: Project) -> GoldSet:
    """The project's current gold with its texts, split as the export splits it (by default seed and ratios)."""
    rows = session.execute(
        select(Article.id, Article.external_id, Article.text, Article.text_norm_sha256, GoldRevision.content, GoldRevision.id)
        .join(GoldRecord, GoldRecord.article_id == Article.id)
        .join(GoldRevision, GoldRevision.id == GoldRecord.head_revision_id)
        .where(current_gold(project)).order_by(Article.id)
    ).all()
    examples = [GoldExample(i, external, text, split_of(split_key(external, norm), DEFAULT_SEED, DEFAULT_RATIOS), content)
                for i, external, text, norm, content, _ in rows]
    newest = max((row[5] for row in rows), default=0)
    return GoldSet(examples, f"project {project.name}", gold_version(project, newest), project.name)


def gold_of_export(folder: Path) -> GoldSet:
    """A pinned export (`annotator export`): its gold.jsonl, split as the export split it."""
    path = folder / "gold.jsonl"
    if not path.is_file():
        raise NotFound(f"{folder} has no gold.jsonl: give the folder `annotator export` wrote")

    def example(record: dict[str, Any]) -> GoldExample:
        return GoldExample(record["id"], record.get("external_id"), record["text"], record.get("split") or "train",
                           gold_content(record))

    pinned = pinned_file(path)
    return GoldSet(list(gold_file_records(path, example)), str(path), pinned.version, pinned.project)


def _labeled(examples: Iterable[GoldExample], schema: LabelSchema) -> list[Candidate]:
    return [c for e in examples for c in labeled_candidates(e.article_id, e.text, e.content, schema)]


def fit(examples: Sequence[GoldExample], schema: LabelSchema, seed: int) -> BaselineModel:
    return BaselineModel(seed).fit(_labeled(examples, schema), schema.statement.preconditions.ids())


def _chosen(guesses: Iterable[dict[str, Any]], text: str, schema: LabelSchema) -> tuple[list[dict[str, Any]], float | None]:
    """An article's statements (one per actor and target, the likeliest) and its stance margin."""
    best: dict[tuple[str, str], dict[str, Any]] = {}
    for guess in guesses:
        if guess["p_statement"] < STATEMENT_THRESHOLD:
            continue
        key = (guess["candidate"].actor, guess["target"])
        if key not in best or guess["p_statement"] > best[key]["p_statement"]:
            best[key] = guess
    statements = [_statement(g, text, _categories(g, schema)) for g in best.values()]
    margin = min((g["stance_margin"] for g in best.values()), default=None)
    return statements, None if margin is None else round(margin, 6)


def _categories(guess: dict[str, Any], schema: LabelSchema) -> list[str]:
    """The preconditions that passed the threshold; for a stance that needs one and got none, the
    likeliest, so that every statement the model suggests is one the schema accepts."""
    stance = schema.stance(guess["stance"])
    if guess["preconditions"] or stance is None or not stance.requires_precondition or guess["likeliest_precondition"] is None:
        return list(guess["preconditions"])
    return [guess["likeliest_precondition"]]


def _statement(guess: dict[str, Any], text: str, categories: list[str]) -> dict[str, Any]:
    candidate: Candidate = guess["candidate"]
    sentence, mention, outlet = candidate.sentence, candidate.actor_span, candidate.outlet
    evidence_end = sentence.end - 1 if text[sentence.end - 1:sentence.end] in ".!?" else sentence.end
    return {
        "actor": {"id": candidate.actor, "span": _span(text, mention.start, mention.end)},
        "stance": guess["stance"],
        "target": guess["target"],
        "preconditions": [{"category": c, "span": _condition_span(text, sentence.start, evidence_end)} for c in categories],
        "source_outlet": {"id": outlet.id, "span": _span(text, outlet.start, outlet.end)} if outlet else None,
        "evidence": _span(text, sentence.start, evidence_end),
        "score": round(guess["p_statement"], 4),
    }


def _span(text: str, start: int, end: int) -> dict[str, Any]:
    return {"start": start, "end": end, "text": text[start:end]}


def _condition_span(text: str, start: int, end: int) -> dict[str, Any]:
    """The clause after a conditional word (if, once, provided that...), else the whole sentence."""
    sentence = text[start:end]
    cue = next((sentence.find(c) for c in CONDITION_CUES if c in sentence), -1)
    clause_start = start + cue + 1 if cue >= 0 else start
    clause_end = start + sentence.find(",", cue) if cue >= 0 and "," in sentence[cue:] else end
    return _span(text, clause_start, clause_end)


def prediction_lines(model: BaselineModel, schema: LabelSchema, articles: Iterable[tuple[int, str | None, str]],
                     version: str) -> Iterator[dict[str, Any]]:
    """Lines `annotator evaluate` and `import-predictions` read, one per article (classified in batches:
    one call per batch costs far less than one per article)."""
    found = iter(articles)
    while chunk := list(islice(found, PREDICTION_BATCH)):
        by_article: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for guess in model.predict([c for article_id, _, text in chunk for c in candidates(article_id, text, schema)]):
            by_article[guess["candidate"].article_id].append(guess)
        for article_id, external_id, text in chunk:
            statements, margin = _chosen(by_article.get(article_id, []), text, schema)
            yield {"article_id": article_id, "external_id": external_id, "model": MODEL_NAME, "model_version": version,
                   "statements": statements, "stance_margin": margin}


def _evaluate(model: BaselineModel, schema: LabelSchema, gold: GoldSet, split: str, version: str) -> EvaluationReport | None:
    held_out = [e for e in gold.examples if e.split == split]
    if not held_out:
        return None
    index = PredictionIndex(MODEL_NAME, version)
    for line in prediction_lines(model, schema, ((e.article_id, e.external_id, e.text) for e in held_out), version):
        index.by_id[line["article_id"]] = index.keep({"statements": line["statements"], "article": {"relevant": True, "outlet": None, "note": ""}})
    articles = [GoldArticle(e.article_id, e.external_id, text_digest(e.text), e.split, e.content) for e in held_out]
    source = GoldSource(source=gold.source, version=gold.version, split=split, articles=0)
    return evaluate(gold_from_articles(source, articles), index, samples=EVALUATION_SAMPLES)


def train(gold: GoldSet, schema: LabelSchema, version: str, seed: int = 13, curve: bool = True,
          on_progress: Progress | None = None) -> tuple[BaselineModel, ModelCard, EvaluationReport | None]:
    """The model, its card, and its evaluation on the test split (kept with the project's evaluations)."""
    progress = on_progress or (lambda stage, done: None)
    training = [e for e in gold.examples if e.split == "train"]
    if len(training) < 10:
        raise Invalid(f"the gold's train split has {len(training)} article(s); the baseline needs at least 10", [])
    progress("training on the train split", 0.05)
    started = time.perf_counter()
    model = fit(training, schema, seed)
    seconds = time.perf_counter() - started
    progress("scoring on dev and test", 0.5)
    dev, test = _evaluate(model, schema, gold, "dev", version), _evaluate(model, schema, gold, "test", version)
    majority = _evaluate(model.with_majority_stance(), schema, gold, "test", version)
    points = _learning_curve(gold, schema, training, seed, version, progress) + [_point(len(training), test)] if curve and test else []
    progress("writing the model card", 0.98)
    card = ModelCard(
        model=MODEL_NAME, version=version, created_at=datetime.now(UTC), gold_source=gold.source, gold_version=gold.version,
        split={"key": "external id, else normalised-text digest", "seed": DEFAULT_SEED, "ratios": dict(DEFAULT_RATIOS)},
        seed=seed, training_seconds=round(seconds, 2),
        counts=SplitCounts(**{s: sum(e.split == s for e in gold.examples) for s in ("train", "dev", "test")}),
        features=FEATURES, libraries={"scikit-learn": sklearn.__version__, "skops": skops.__version__},
        dev=headline(dev), test=headline(test), majority_baseline_test=headline(majority), learning_curve=points,
    )
    progress("done", 1.0)
    return model, card, test


def _learning_curve(gold: GoldSet, schema: LabelSchema, training: list[GoldExample], seed: int, version: str,
                    progress: Progress) -> list[CurvePoint]:
    """Test F1 of models trained on growing shares of the train split (one seeded order, so shares nest)."""
    order = sorted(training, key=lambda e: e.article_id)
    random.Random(seed).shuffle(order)
    points = []
    for step, share in enumerate(CURVE_SHARES):
        used = order[:max(10, round(share * len(order)))]
        points.append(_point(len(used), _evaluate(fit(used, schema, seed), schema, gold, "test", version)))
        progress(f"learning curve: {len(used)} articles", 0.55 + 0.4 * (step + 1) / len(CURVE_SHARES))
    return points


def _point(articles: int, report: EvaluationReport | None) -> CurvePoint:
    figures = headline(report)
    return CurvePoint(articles=articles, statement_keys_f1=figures.get("statement_keys_f1"),
                      stance_macro_f1=figures.get("stance_macro_f1"))


FEATURES = [
    "candidates: each actor named (by the schema's aliases) in each sentence",
    "word unigrams and bigrams (TF-IDF) of the sentence with the actor's name masked",
    "the actor's id",
    "statement detector, stance, target: logistic regressions; one per precondition category",
    "source outlet: the outlet named (by alias) in the same sentence; evidence: the sentence",
]


# ---- stored versions ---------------------------------------------------------------------------

def save_version(session: Session, project_id: int, model: BaselineModel, card: ModelCard) -> None:
    """Store the model's file and card as a new version of the project's baseline."""
    store_version(session, project_id, card, model.to_bytes())


def load_version(session: Session, project_id: int, version: str) -> tuple[BaselineModel, ModelCard]:
    file, card = version_file(session, project_id, version)
    return load_model(file, f"{MODEL_NAME}@{version}"), card
