"""The baseline model: trained on gold the tests make, scored honestly on held-out gold, run in the queue."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select

from annotator.auth.membership import set_member
from annotator.auth.service import get_user
from annotator.cli import main
from annotator.labelschema import LabelSchema
from annotator.model.card import ModelCard
from annotator.model.versions import list_cards
from annotator.predictions.models import PredictionLine
from annotator.projects.service import create_project
from annotator.storage import Database
from annotator.storage.tables import Article, Prediction, Project
from tests.stance_gold import GoldArticle, make_gold, store_gold
from tests.support import ApiClient, Team

GOLD_ARTICLES = 300
UNLABELED = 12
# The stated margin: the model's stance macro-F1 on its test split beats the majority-class guess by at least this.
MARGIN_OVER_MAJORITY = 0.3


@pytest.fixture
def gold_project(db: Database, schema: LabelSchema, team: Team) -> int:
    """300 gold articles (train, dev and test by the export's split) and 12 without gold; overlap 1."""
    gold = make_gold(schema, GOLD_ARTICLES + UNLABELED)
    with db.transaction() as session:
        project = create_project(session, "stances", schema, overlap=1)
        for name in ("ana", "ben"):
            set_member(session, project.id, get_user(session, name), "annotator")
        set_member(session, project.id, get_user(session, "lena"), "lead")
        ids = (project.id, project.label_schema_id, get_user(session, "lena").id)
    store_gold(db, ids[0], ids[1], schema.version, ids[2], gold[:GOLD_ARTICLES])
    unlabeled = [GoldArticle(g.external_id, g.text, {"statements": []}) for g in gold[GOLD_ARTICLES:]]
    store_gold(db, ids[0], ids[1], schema.version, ids[2], unlabeled)
    with db.transaction() as session:  # the last twelve were never settled: no gold for them
        from annotator.storage.tables import GoldRecord  # noqa: PLC0415

        external = [g.external_id for g in unlabeled]
        article_ids = session.scalars(select(Article.id).where(Article.external_id.in_(external))).all()
        session.execute(GoldRecord.__table__.update().where(GoldRecord.article_id.in_(article_ids)).values(head_revision_id=None))
    return ids[0]


def run(db: Database, tmp_path: Path, *args: str) -> Result:
    result = CliRunner(env={"ANNOTATOR_DATABASE_URL": db.url, "ANNOTATOR_DATA_DIR": str(tmp_path)}).invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result


def card_of(db: Database, project_id: int, version: str) -> ModelCard:
    with db.session() as session:
        return next(card for card in list_cards(session, project_id) if card.version == version)


def test_the_baseline_beats_the_majority_stance_on_its_test_split(db: Database, tmp_path: Path, gold_project: int) -> None:
    run(db, tmp_path, "train", "stances")
    card = card_of(db, gold_project, "1")
    assert card.counts.train > 200 and card.counts.test > 10
    assert card.test["stance_macro_f1"] >= card.majority_baseline_test["stance_macro_f1"] + MARGIN_OVER_MAJORITY  # type: ignore[operator]
    assert card.test["statement_keys_f1"] > 0.8  # type: ignore[operator]
    assert [p.articles for p in card.learning_curve] == sorted(p.articles for p in card.learning_curve)
    assert card.gold_version.startswith("stances gold up to revision") and card.seed == 13


def test_training_twice_on_the_same_gold_and_seed_gives_identical_predictions(db: Database, tmp_path: Path, gold_project: int) -> None:
    run(db, tmp_path, "train", "stances", "--no-curve")
    run(db, tmp_path, "train", "stances", "--no-curve")
    first = run(db, tmp_path, "predict", "stances", "--model", "1").stdout_bytes.splitlines()
    second = run(db, tmp_path, "predict", "stances", "--model", "2").stdout_bytes.splitlines()
    assert len(first) == UNLABELED
    assert [{**orjson.loads(line), "model_version": "-"} for line in first] == [{**orjson.loads(line), "model_version": "-"} for line in second]


def test_predictions_are_lines_evaluate_and_import_read_with_a_score_each(db: Database, tmp_path: Path, gold_project: int) -> None:
    run(db, tmp_path, "train", "stances", "--no-curve")
    run(db, tmp_path, "predict", "stances", "--model", "1", "--output", str(tmp_path / "predicted.jsonl"), "--import")
    lines = [PredictionLine.model_validate_json(line) for line in (tmp_path / "predicted.jsonl").read_text().splitlines()]
    assert len(lines) == UNLABELED and sum(len(line.statements) for line in lines) > UNLABELED
    assert all(s.score is not None and 0.5 <= s.score <= 1 for line in lines for s in line.statements)
    with db.session() as session:
        stored = session.execute(select(Prediction.model_version, Prediction.stance_margin).where(Prediction.project_id == gold_project)).all()
    assert len(stored) == UNLABELED and all(version == "1" for version, _ in stored)
    scored = run(db, tmp_path, "evaluate", "stances", str(tmp_path / "predicted.jsonl"), "--json", "--samples", "0")
    assert json.loads(scored.stdout)["predictions"]["predictions_without_gold"] == UNLABELED  # none of them has gold


def test_the_uncertain_queue_gives_the_article_the_model_is_least_sure_of(
    db: Database, tmp_path: Path, gold_project: int, api: ApiClient, team: Team,
) -> None:
    assert api.as_(team.lena).put(f"/projects/{gold_project}/queue", json={"order": "uncertain"}).status_code == 200
    first = api.next_article(gold_project)
    assert first is not None  # no model yet: an article all the same, picked at random
    run(db, tmp_path, "train", "stances", "--no-curve")
    run(db, tmp_path, "predict", "stances", "--model", "1", "--import")
    with db.session() as session:
        margins = dict(session.execute(
            select(Prediction.article_id, Prediction.stance_margin).where(Prediction.project_id == gold_project)).all())
    # Overlap 1: Ana's article is full; Ben gets the others least sure first (articles with no statement last).
    least_sure_first = sorted((a for a in margins if a != first["id"]), key=lambda a: (margins[a] is None, margins[a] or 0, a))
    ben = api.as_(team.ben)
    handed = []
    for _ in range(3):
        article = ben.next_article(gold_project)
        handed.append(article["id"])  # type: ignore[index]
        ben.put(f"/articles/{handed[-1]}/annotation", json={"base_revision": None, "statements": []})
    assert handed == least_sure_first[:3]
    assert margins[handed[0]] <= margins[handed[1]] <= margins[handed[2]]  # type: ignore[operator]


def test_a_missing_model_extra_is_one_plain_sentence(db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "sklearn", None)  # as if scikit-learn were not installed
    result = CliRunner(env={"ANNOTATOR_DATABASE_URL": db.url, "ANNOTATOR_DATA_DIR": str(tmp_path)}).invoke(main, ["train", "x"])
    assert result.exit_code == 1
    assert "Error: the baseline model needs the optional extra: pip install 'annotator[model]'" in result.output


def test_training_on_a_pinned_export_names_its_version_in_the_card(db: Database, tmp_path: Path, gold_project: int) -> None:
    run(db, tmp_path, "export", "stances", "--out", str(tmp_path / "exports"))
    folder = next(p.parent for p in (tmp_path / "exports").rglob("gold.jsonl"))
    run(db, tmp_path, "train", "stances", "--gold", str(folder), "--no-curve")
    card = card_of(db, gold_project, "1")
    assert "gold.jsonl sha256:" in card.gold_version and card.gold_source.endswith("gold.jsonl")
    assert card.counts.train + card.counts.dev + card.counts.test == GOLD_ARTICLES


def test_predictions_offered_from_the_command_line_become_the_suggestions(db: Database, tmp_path: Path, gold_project: int) -> None:
    run(db, tmp_path, "train", "stances", "--no-curve")
    predicted = run(db, tmp_path, "predict", "stances", "--model", "1", "--import", "--offer")
    with db.session() as session:
        assert session.scalar(select(Project.suggestion_model).where(Project.id == gold_project)) == "baseline@1"
    assert "offered to annotators as suggestions" in predicted.stderr


def test_a_trained_version_is_stored_in_the_database_not_in_the_hosts_folder(db: Database, tmp_path: Path, gold_project: int) -> None:
    run(db, tmp_path / "host-a", "train", "stances", "--no-curve")
    # Another host, with a folder of its own, predicts with it.
    lines = run(db, tmp_path / "host-b", "predict", "stances", "--model", "1").stdout_bytes.splitlines()
    assert len(lines) == UNLABELED
    assert not (tmp_path / "host-a" / "models").exists()


def test_predicting_with_a_version_never_trained_names_those_there_are(db: Database, tmp_path: Path, gold_project: int) -> None:
    run(db, tmp_path, "train", "stances", "--no-curve")
    result = CliRunner(env={"ANNOTATOR_DATABASE_URL": db.url, "ANNOTATOR_DATA_DIR": str(tmp_path)}).invoke(
        main, ["predict", "stances", "--model", "2"])
    assert result.exit_code == 1 and "no baseline model version '2' (found: 1)" in result.output


def test_offering_predictions_that_are_not_stored_is_refused(db: Database, tmp_path: Path, gold_project: int) -> None:
    result = CliRunner(env={"ANNOTATOR_DATABASE_URL": db.url, "ANNOTATOR_DATA_DIR": str(tmp_path)}).invoke(
        main, ["predict", "stances", "--model", "1", "--offer"])
    assert result.exit_code == 2
    assert "--offer needs --import" in result.output


def test_every_statement_the_baseline_suggests_is_one_the_schema_accepts(db: Database, tmp_path: Path, gold_project: int) -> None:
    run(db, tmp_path, "train", "stances", "--no-curve")
    result = run(db, tmp_path, "predict", "stances", "--model", "1", "--import")
    assert f"imported {UNLABELED}," in result.stderr and "rejected 0" in result.stderr
