"""Label Studio both ways, against what a real Label Studio 1.23.2 server exports.

The recorded exports are in ../shared/fixtures/labelstudio/ (its README says how they were made):
two annotators who disagree on the five seed articles, in every text format the server offers.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select

from annotator.adjudicate.models import GoldSave
from annotator.adjudicate.service import head_versions, save_gold
from annotator.annotate.models import AnnotationContent
from annotator.auth.service import get_user
from annotator.cli import main
from annotator.projects.service import find_project, project_schema
from annotator.storage import Database
from annotator.storage.tables import Article
from tests.conftest import SEEDS

RECORDED = SEEDS.parent / "fixtures" / "labelstudio"
SERVER_USERS = {"2": "ann1", "3": "ann2"}  # the fixture README's users, by Label Studio id
FLAT_REFUSAL = "export the project from Label Studio as JSON instead"


def recorded(name: str) -> Path:
    if not RECORDED.is_dir():
        pytest.skip(f"the recorded Label Studio exports are not beside this checkout ({RECORDED})")
    return RECORDED / f"ls-1.23.2-{name}"


def cli(db: Database, tmp_path: Path, *args: str | Path) -> Result:
    result = CliRunner(env={"ANNOTATOR_DATABASE_URL": db.url, "ANNOTATOR_DATA_DIR": str(tmp_path)}).invoke(main, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result


def report(db: Database, tmp_path: Path, *args: str | Path) -> dict[str, Any]:
    return json.loads(cli(db, tmp_path, *args, "--json").stdout)  # type: ignore[no-any-return]


@pytest.fixture
def seeds(db: Database, tmp_path: Path) -> str:
    """The five seed articles in a project of their own."""
    if not SEEDS.is_dir():
        pytest.skip(f"{SEEDS} is not beside this checkout")
    cli(db, tmp_path, "project", "create", "seeds", "--schema", "diplomacy-stance")
    cli(db, tmp_path, "import", "seeds", SEEDS)
    return "seeds"


@pytest.mark.parametrize("export", ["export-JSON.json", "snapshot-JSON.json", "export-JSON_MIN.json", "export-CSV.csv", "export-TSV.tsv"])
def test_every_recorded_export_brings_the_five_articles_once_with_our_external_ids(db: Database, tmp_path: Path, export: str) -> None:
    path = recorded(export)
    cli(db, tmp_path, "project", "create", "back", "--schema", "diplomacy-stance")
    assert "imported 5, duplicates 0, rejected 0" in cli(db, tmp_path, "import", "back", path).stdout
    with db.session() as session:
        external = sorted(session.scalars(select(Article.external_id)))
    assert external == sorted(p.stem for p in SEEDS.glob("*.txt"))


def test_the_recorded_conll_export_is_refused_naming_the_export_to_use(db: Database, tmp_path: Path) -> None:
    cli(db, tmp_path, "project", "create", "back", "--schema", "diplomacy-stance")
    said = cli(db, tmp_path, "import", "back", recorded("export-CONLL2003.conll")).stdout
    assert "imported 0" in said and FLAT_REFUSAL in said


@pytest.mark.parametrize("export", ["export-JSON.json", "snapshot-JSON.json"])
def test_both_annotators_labels_import_under_the_names_given_for_their_ids(db: Database, tmp_path: Path, seeds: str, export: str) -> None:
    users = tmp_path / "users.json"
    users.write_text(json.dumps(SERVER_USERS))
    imported = report(db, tmp_path, "import-annotations", seeds, recorded(export), "--users", users)
    assert (imported["imported"], imported["rejected_count"]) == (8, 0)
    assert imported["new_annotators"] == ["ann1", "ann2"]
    assert (imported["left_out"], imported["ground_truth"]) == ({}, 0)  # the recording has no cancelled, draft or ground truth


def test_label_studio_ids_without_names_are_kept_apart_and_said_to_be_ids(db: Database, tmp_path: Path, seeds: str) -> None:
    said = cli(db, tmp_path, "import-annotations", seeds, recorded("export-JSON.json")).stdout
    assert "new annotators (cannot log in): labelstudio-2, labelstudio-3" in said
    assert "name them with --users FILE" in said


@pytest.mark.parametrize("export", ["export-JSON_MIN.json", "export-CSV.csv", "export-TSV.tsv", "export-CONLL2003.conll"])
def test_flat_exports_are_refused_as_labels_naming_the_export_to_use(db: Database, tmp_path: Path, seeds: str, export: str) -> None:
    imported = report(db, tmp_path, "import-annotations", seeds, recorded(export))
    assert imported["imported"] == 0
    [refusal] = imported["rejected"]
    assert FLAT_REFUSAL in refusal["reason"]


@pytest.mark.parametrize("export", ["export-JSON.json", "snapshot-JSON.json"])
def test_predictions_listed_by_id_are_said_to_be_ids_and_nothing_crashes(db: Database, tmp_path: Path, seeds: str, export: str) -> None:
    said = cli(db, tmp_path, "import-predictions", seeds, recorded(export)).stdout
    assert "imported 0" in said and "this export lists prediction ids only" in said
    evaluated = CliRunner(env={"ANNOTATOR_DATABASE_URL": db.url}).invoke(main, ["evaluate", seeds, str(recorded(export))])
    assert evaluated.exit_code == 1
    assert "the file holds no predictions to evaluate" in evaluated.output


def test_cancelled_annotations_and_drafts_are_left_out_and_counted(db: Database, tmp_path: Path, seeds: str) -> None:
    tasks = json.loads(recorded("export-JSON.json").read_text())
    tasks[0]["annotations"][0]["was_cancelled"] = True
    tasks[1]["drafts"] = [{"id": 7, "result": []}]
    tasks[2]["annotations"][0]["ground_truth"] = True
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(tasks))
    imported = report(db, tmp_path, "import-annotations", seeds, changed)
    assert imported["left_out"] == {"cancelled annotation": 1, "draft (not submitted)": 1}
    assert (imported["imported"], imported["ground_truth"]) == (7, 1)


def as_the_server_exports_it(tasks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Our tasks as a Label Studio server gives them back: its own task ids, a user's number as
    `completed_by`, predictions by id, and the keys it adds (taken from the recorded export)."""
    added = json.loads(recorded("export-JSON.json").read_text())[0]
    back = []
    for number, task in enumerate(tasks, start=1):
        annotations = [{**{k: v for k, v in added["annotations"][0].items() if k != "result"}, **a, "completed_by": 2}
                       for a in task["annotations"]]
        back.append({**{k: v for k, v in added.items() if k not in ("data", "annotations")}, "id": 1000 + number,
                     "data": task["data"], "annotations": annotations, "predictions": [number]})
    return back


def test_gold_sent_to_label_studio_comes_back_with_every_external_id_split_and_statement(db: Database, tmp_path: Path, seeds: str) -> None:
    users = tmp_path / "users.json"
    users.write_text(json.dumps(SERVER_USERS))
    cli(db, tmp_path, "import-annotations", seeds, recorded("export-JSON.json"), "--users", users)
    with db.session(write=True) as session:  # the lead settles gold: ann1's labels where she labeled, else ann2's
        project = find_project(session, seeds)
        schema, lead = project_schema(project), get_user(session, "ann1")
        articles = list(session.scalars(select(Article).order_by(Article.id)))
        versions = head_versions(session, [a.id for a in articles])
        for article in articles:
            chosen = sorted(versions[article.id], key=lambda v: v.annotator)[0]
            labels = AnnotationContent.model_validate(chosen.content)
            save_gold(session, project, schema, article, lead, GoldSave(base_revision=None, **labels.model_dump()))
        session.commit()
    cli(db, tmp_path, "export", seeds, "--out", tmp_path / "sent", "--format", "labelstudio")
    cli(db, tmp_path, "export", seeds, "--out", tmp_path / "gold")
    sent = [json.loads(line) for line in (tmp_path / "gold" / seeds / "v1" / "gold.jsonl").read_text().splitlines()]
    returned = tmp_path / "returned.json"
    returned.write_text(json.dumps(as_the_server_exports_it(json.loads((tmp_path / "sent" / seeds / "v1" / "labelstudio.json").read_text()))))

    cli(db, tmp_path, "project", "create", "returned", "--schema", "diplomacy-stance")
    cli(db, tmp_path, "import", "returned", returned)
    back_users = tmp_path / "back-users.json"
    back_users.write_text(json.dumps({"2": "studio"}))
    assert report(db, tmp_path, "import-annotations", "returned", returned, "--users", back_users)["imported"] == 5
    with db.session() as session:
        project = find_project(session, "returned")
        articles = {a.external_id: a for a in session.scalars(select(Article).where(Article.project_id == project.id))}
        versions = head_versions(session, [a.id for a in articles.values()])
    assert sorted(articles) == sorted(record["external_id"] for record in sent)
    for record in sent:
        [studio] = versions[articles[record["external_id"]].id]
        assert studio.content["statements"] == record["statements"]
    cli(db, tmp_path, "export", "returned", "--out", tmp_path / "again", "--format", "labelstudio")
    again = json.loads((tmp_path / "again" / "returned" / "v1" / "labelstudio.json").read_text())
    assert {t["data"]["external_id"]: t["data"]["split"] for t in again} == {r["external_id"]: r["split"] for r in sent}


def test_a_project_without_labels_goes_to_label_studio_as_tasks_to_label(db: Database, tmp_path: Path, project_id: int) -> None:
    cli(db, tmp_path, "export", "sample", "--out", tmp_path, "--format", "labelstudio")
    tasks = json.loads((tmp_path / "sample" / "v1" / "labelstudio.json").read_text())
    assert len(tasks) == 8 and all(task["annotations"] == [] for task in tasks)
    assert all(task["predictions"][-1]["model_version"] == "vocabulary-aliases" for task in tasks)


def test_a_models_statements_go_to_label_studio_as_pre_annotations(db: Database, tmp_path: Path, project_id: int, schema) -> None:  # type: ignore[no-untyped-def]
    from annotator.labelstudio.config import labeling_config, validate_results
    from tests.support import refusal_statement

    with db.session() as session:
        text = session.scalar(select(Article.text).where(Article.id == 1))
    predictions = tmp_path / "predicted.jsonl"
    predictions.write_text(json.dumps({"article_id": 1, "model": "m", "model_version": "2",
                                       "statements": [{**refusal_statement(text), "score": 0.8}]}) + "\n")
    cli(db, tmp_path, "import-predictions", "sample", predictions)
    cli(db, tmp_path, "export", "sample", "--out", tmp_path, "--format", "labelstudio", "--predictions", "m@2")
    tasks = {t["id"]: t for t in json.loads((tmp_path / "sample" / "v1" / "labelstudio.json").read_text())}
    [model, aliases] = tasks[1]["predictions"]
    assert (model["model_version"], model["score"], aliases["model_version"]) == ("m@2", 0.8, "vocabulary-aliases")
    assert validate_results(labeling_config(schema), model["result"]) == []
    assert [p["model_version"] for p in tasks[2]["predictions"]] == ["vocabulary-aliases"]  # the model said nothing there


def test_predictions_of_a_model_the_project_lacks_are_refused_for_export(db: Database, tmp_path: Path, project_id: int) -> None:
    refused = CliRunner(env={"ANNOTATOR_DATABASE_URL": db.url}).invoke(
        main, ["export", "sample", "--out", str(tmp_path), "--format", "labelstudio", "--predictions", "nope@1"])
    assert refused.exit_code == 1
    assert "no predictions of nope@1 in project 'sample'" in refused.output


def test_predictions_with_no_statement_are_stored_with_a_warning_and_counted(db: Database, tmp_path: Path, project_id: int) -> None:
    predictions = tmp_path / "predicted.jsonl"
    predictions.write_text("".join(json.dumps({"article_id": i, "model": "m", "model_version": "1", "statements": []}) + "\n" for i in (1, 2)))
    said = cli(db, tmp_path, "import-predictions", "sample", predictions).stdout
    assert "imported 2," in said and "warning: 2 of them hold no statement" in said
