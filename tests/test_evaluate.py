"""Predictions scored against gold: the figures equal an independent computation, end to end."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sklearn.metrics import accuracy_score, f1_score

from annotator.cli import main
from annotator.ingest.models import SourcePosition
from annotator.predictions.evaluation import Gold, GoldArticle, evaluate, index_predictions
from annotator.predictions.models import GoldSource, PredictionLine
from annotator.predictions.readers import PredictionRecord
from annotator.storage import Database
from tests.test_export import gold, lines  # noqa: F401 - shared fixtures
from tests.test_adjudication import labeled  # noqa: F401

ACTORS = ["putin", "peskov", "lavrov", "biden", "psaki", "zelensky"]
TARGETS = ["us_russia_talks", "leaders_meeting", "ceasefire"]
STANCES = ["open", "conditional", "refuses", "noncommittal"]
WORD = 12  # each statement's evidence is its own 12-character stretch of text


def statement(rng: random.Random, slot: int, actor: str, target: str) -> dict[str, Any]:
    start = slot * 40
    return {
        "actor": {"id": actor, "span": {"start": start, "end": start + 6, "text": "x" * 6}},
        "stance": rng.choice(STANCES),
        "target": target,
        "preconditions": [{"category": rng.choice(["troop_withdrawal", "ceasefire_first"]), "span": None}] if rng.random() < 0.4 else [],
        "source_outlet": {"id": "tass", "span": None} if rng.random() < 0.3 else None,
        "evidence": {"start": start + 10, "end": start + 10 + WORD, "text": "x" * WORD},
    }


def content(statements: list[dict[str, Any]]) -> dict[str, Any]:
    return {"statements": statements, "article": {"relevant": True, "outlet": None, "note": ""}}


def perturbed(rng: random.Random, gold_statements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Drop some, change stances, shift evidence spans (overlapping only their own), add new ones."""
    found = []
    for s in gold_statements:
        if rng.random() < 0.2:
            continue
        s = json.loads(json.dumps(s))
        if rng.random() < 0.3:
            s["stance"] = rng.choice(STANCES)
        if rng.random() < 0.3:
            s["evidence"] = {**s["evidence"], "start": s["evidence"]["start"] + 3, "end": s["evidence"]["end"] + 3}
        found.append(s)
    if rng.random() < 0.5:
        found.append(statement(rng, 9, "guterres", "peace_process"))
    return found


@pytest.fixture(scope="module")
def pairs() -> list[tuple[int, dict[str, Any], dict[str, Any]]]:
    rng = random.Random(11)
    made = []
    for article_id in range(1, 41):
        keys = rng.sample([(a, t) for a in ACTORS for t in TARGETS], rng.randint(0, 4))
        gold_statements = [statement(rng, slot, a, t) for slot, (a, t) in enumerate(keys)]
        made.append((article_id, content(gold_statements), content(perturbed(rng, gold_statements))))
    return made


def scored(pairs: list[tuple[int, dict[str, Any], dict[str, Any]]], samples: int = 200):  # type: ignore[no-untyped-def]
    gold_articles = [GoldArticle(i, None, f"sha{i}", None, g) for i, g, _ in pairs]
    records = [
        PredictionRecord(SourcePosition(source="test", line=i), PredictionLine.model_validate({**p, "article_id": i, "model": "m", "model_version": "1"}))
        for i, _, p in pairs
    ]
    gold_source = GoldSource(source="test", version="test", split=None, articles=0)
    pinned = Gold(gold_source, lambda: iter([gold_articles]), None, len(gold_articles))
    return evaluate(pinned, index_predictions(records, None), samples=samples, seed=3)


def by_key(c: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(s["actor"]["id"], s["target"]): s for s in c["statements"]}


def test_statement_keys_equal_an_independent_count(pairs) -> None:  # type: ignore[no-untyped-def]
    tp = gold_n = predicted_n = 0
    for _, g, p in pairs:
        tp += len(by_key(g).keys() & by_key(p).keys())
        gold_n += len(by_key(g))
        predicted_n += len(by_key(p))
    keys = scored(pairs).statement_keys
    assert keys["precision"] == pytest.approx(tp / predicted_n)
    assert keys["recall"] == pytest.approx(tp / gold_n)
    assert keys["f1"] == pytest.approx(2 * tp / (gold_n + predicted_n))


def test_stance_on_aligned_statements_equals_scikit_learn(pairs) -> None:  # type: ignore[no-untyped-def]
    truth, guess = [], []
    for _, g, p in pairs:
        gk, pk = by_key(g), by_key(p)
        for key in sorted(gk.keys() & pk.keys()):
            truth.append(gk[key]["stance"])
            guess.append(pk[key]["stance"])
    stance = scored(pairs).fields["stance"]
    labels = sorted(set(truth) | set(guess))
    assert stance["n"] == len(truth)
    assert stance["accuracy"] == pytest.approx(accuracy_score(truth, guess))
    assert stance["macro_f1"] == pytest.approx(f1_score(truth, guess, labels=labels, average="macro", zero_division=0))
    assert sum(map(sum, stance["confusion"])) == len(truth)


def test_evidence_spans_exact_and_overlap_equal_an_independent_count(pairs) -> None:  # type: ignore[no-untyped-def]
    exact = overlap = gold_n = predicted_n = 0
    for _, g, p in pairs:
        gs = {(s["evidence"]["start"], s["evidence"]["end"]) for s in g["statements"]}
        ps = {(s["evidence"]["start"], s["evidence"]["end"]) for s in p["statements"]}
        exact += len(gs & ps)
        overlap += sum(any(a < d and c < b for c, d in ps) for a, b in gs)  # each shifted span meets only its own
        gold_n, predicted_n = gold_n + len(gs), predicted_n + len(ps)
    spans = scored(pairs).spans["evidence"]
    assert spans["exact"]["f1"] == pytest.approx(2 * exact / (gold_n + predicted_n))
    assert spans["overlap"]["f1"] == pytest.approx(2 * overlap / (gold_n + predicted_n))
    assert spans["overlap"]["recall"] == pytest.approx(overlap / gold_n)


def test_intervals_are_seeded_and_hold_the_figure(pairs) -> None:  # type: ignore[no-untyped-def]
    first, second = scored(pairs), scored(pairs)
    interval = first.intervals["statement_keys.f1"]
    assert interval == second.intervals["statement_keys.f1"]
    assert interval is not None and interval.low <= first.statement_keys["f1"] <= interval.high


def test_figures_with_nothing_to_divide_are_null_with_a_reason() -> None:
    report = scored([(1, content([statement(random.Random(1), 0, "putin", "ceasefire")]), content([]))], samples=10)
    assert report.statement_keys["precision"] is None
    assert report.statement_keys["reason"] == "nothing predicted: precision undefined"
    assert report.statement_keys["recall"] == 0.0
    assert report.fields["stance"]["accuracy"] is None and report.fields["stance"]["reason"]


def export_gold(db: Database, tmp_path: Path) -> Path:
    result = CliRunner(env={"ANNOTATOR_DATABASE_URL": db.url}).invoke(main, ["export", "sample", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    return tmp_path / "sample" / "v1" / "gold.jsonl"


def predictions_from(gold_file: Path, path: Path, change: dict[str, Any] | None = None) -> Path:
    with path.open("w") as out:
        for record in lines(gold_file):
            statements = [{**s, **(change or {}), "score": 0.8} for s in record["statements"]]
            out.write(json.dumps({"article_id": record["id"], "model": "baseline", "model_version": "1",
                                  "statements": statements, "article": record["article"]}) + "\n")
        out.write('{"article_id": 1, "model": "baseline"}\n')
    return path


def test_evaluate_scores_an_export_and_prints_one_json_object(db: Database, gold, tmp_path: Path) -> None:  # type: ignore[no-untyped-def] # noqa: F811
    gold_file = export_gold(db, tmp_path)
    predictions = predictions_from(gold_file, tmp_path / "predictions.jsonl", {"stance": "refuses"})
    result = CliRunner(env={"ANNOTATOR_DATABASE_URL": db.url}).invoke(
        main, ["evaluate", str(gold_file), str(predictions), "--json", "--samples", "50"])
    assert result.exit_code == 0, result.output
    assert "line 3: model_version: Field required" in result.stderr  # a bad line is named, the rest is scored
    report = json.loads(result.stdout)
    assert report["statement_keys"]["f1"] == 1.0
    assert (report["fields"]["stance"]["accuracy"], report["fields"]["stance"]["macro_f1"]) == (0.0, 0.0)
    assert report["spans"]["evidence"]["exact"]["precision"] == 1.0
    assert set(report["spans"]["actor"]["overlap"]) >= {"precision", "recall", "f1"}
    assert report["gold"]["version"].startswith("sample v1, gold.jsonl sha256:")
    assert [h["annotator"] for h in report["humans"]] == ["ana", "ben"]


def test_evaluate_writes_what_the_model_got_wrong(db: Database, gold, tmp_path: Path) -> None:  # type: ignore[no-untyped-def] # noqa: F811
    gold_file = export_gold(db, tmp_path)
    predictions = predictions_from(gold_file, tmp_path / "predictions.jsonl", {"stance": "open"})
    diff = tmp_path / "diff.jsonl"
    result = CliRunner(env={"ANNOTATOR_DATABASE_URL": db.url}).invoke(
        main, ["evaluate", "sample", str(predictions), "--diff", str(diff), "--samples", "0"])
    assert result.exit_code == 0, result.output
    assert "statement keys  P 1.000" in result.output
    wrong = [line["wrong"] for line in lines(diff)]
    assert len(wrong) == 2 and all(w[0]["parts"] == ["stance"] and w[0]["predicted"] == {"stance": "open"} for w in wrong)
