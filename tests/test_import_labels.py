"""Labels made elsewhere: JSONL and Label Studio exports, checked like saves, then measured."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from sqlalchemy import func, select

from annotator.cli import main
from annotator.labelstudio.convert import content_to_results, results_to_content
from annotator.storage import Database
from annotator.storage.tables import AnnotationRevision, Article, User
from tests.support import refusal_statement, unfilled_recount


def first_article(db: Database) -> Article:
    with db.session() as session:
        return session.scalars(select(Article).order_by(Article.id).limit(1)).one()


def run(db: Database, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner(env={"ANNOTATOR_DATABASE_URL": db.url}).invoke(main, list(args))


def labels(statements: list[dict[str, Any]]) -> dict[str, Any]:
    return {"statements": statements, "article": {"relevant": True, "outlet": None, "note": ""}}


def test_jsonl_labels_are_imported_and_measured(db: Database, project_id: int, tmp_path: Path) -> None:
    article = first_article(db)
    statement = refusal_statement(article.text)
    lines = [
        {"article_id": article.id, "annotator": "ext-anna", "statements": [statement]},
        {"external_id": article.external_id, "annotator": "ext-boris", "statements": [{**statement, "stance": "refuses", "preconditions": []}]},
    ]
    path = tmp_path / "labels.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines))
    result = run(db, "import-annotations", "sample", str(path))
    assert result.exit_code == 0, result.output
    assert "imported 2, unchanged 0, rejected 0" in result.output
    assert "new annotators (cannot log in): ext-anna, ext-boris" in result.output
    report = json.loads(run(db, "agreement", "sample", "--json").output)
    stance = next(f for f in report["fields"] if f["field"] == "stance")
    assert report["annotators"] == ["ext-anna", "ext-boris"]
    assert (stance["observed"]["value"], stance["observed"]["n_units"]) == (0.0, 1)


def test_bad_label_records_are_rejected_one_by_one(db: Database, project_id: int, tmp_path: Path) -> None:
    article = first_article(db)
    good = {"article_id": article.id, "annotator": "ext-anna", "statements": [refusal_statement(article.text)]}
    outside = {**good, "statements": [{**refusal_statement(article.text), "evidence": {"start": 5, "end": 999_999, "text": "x"}}]}
    lines = [good, outside, {**good, "article_id": 999_999}, {"annotator": "ext-anna"}, {**good, "annotator": "no spaces allowed"}]
    path = tmp_path / "labels.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\nnot json\n")
    report = json.loads(run(db, "import-annotations", "sample", str(path), "--json").output)
    assert report["imported"] == 1
    reasons = {r["line"]: r["reason"] for r in report["rejected"]}
    assert reasons[2].startswith("statements.0.evidence.end: span 5..999999 lies outside the text")
    assert reasons[3] == "no such article in this project"
    assert reasons[4] == "give article_id or external_id"
    assert "annotator" in reasons[5] and 6 in reasons


def test_imported_annotators_cannot_log_in(db: Database, project_id: int, tmp_path: Path) -> None:
    article = first_article(db)
    path = tmp_path / "labels.jsonl"
    path.write_text(json.dumps({"article_id": article.id, "annotator": "ext-anna", "statements": []}))
    run(db, "import-annotations", "sample", str(path))
    with db.session() as session:
        user = session.scalar(select(User).where(User.name == "ext-anna"))
        assert user is not None and user.role == "annotator"


def test_label_studio_results_convert_back_to_the_same_labels() -> None:
    text = "Kremlin spokesman Dmitry Peskov said: Until the delegations have a substantive agenda on paper, " \
           "there is nothing to discuss, according to the Tass news agency."
    original = labels([refusal_statement(text)])
    original["article"] = {"relevant": True, "outlet": "interfax", "note": "checked"}
    assert results_to_content(content_to_results(original)) == original


def test_label_studio_export_is_imported_by_article_text(db: Database, project_id: int, tmp_path: Path) -> None:
    article = first_article(db)
    statement = refusal_statement(article.text)
    export = [{
        "id": 17,
        "data": {"text": article.text},
        "annotations": [
            {"id": 1, "completed_by": {"id": 4, "email": "maria@example.org"}, "result": content_to_results(labels([statement]))},
            {"id": 2, "completed_by": 5, "was_cancelled": True, "result": []},
            {"id": 3, "completed_by": 6, "result": [{"id": "x", "from_name": "span", "to_name": "text", "type": "labels",
                                                   "value": {"start": 0, "end": 7, "text": "Kremlin", "labels": ["actor"]}}]},
        ],
    }]
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export))
    report = json.loads(run(db, "import-annotations", "sample", str(path), "--json").output)
    assert report["imported"] == 2
    assert report["new_annotators"] == ["maria", "labelstudio-6"]
    # A region left over from a suggestion (no statement of its own) is left out and said so, not a refusal.
    [note] = report["notes"]
    assert note["task"] == 1 and note["note"] == "region 'x' (actor “Kremlin”) belongs to no statement: left out"


def labelstudio_export(article_text: str, *annotations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"id": 17, "data": {"text": article_text},
             "annotations": [{"id": i, "completed_by": {"id": 4, "email": "maria@example.org"}, "result": result}
                             for i, result in enumerate(annotations, start=1)]}]


def test_two_annotations_by_one_user_on_a_task_are_each_accounted_for(db: Database, project_id: int, tmp_path: Path) -> None:
    article = first_article(db)
    statement = refusal_statement(article.text)
    earlier, later = content_to_results(labels([])), content_to_results(labels([statement]))
    path = tmp_path / "export.json"
    path.write_text(json.dumps(labelstudio_export(article.text, earlier, later)))
    report = json.loads(run(db, "import-annotations", "sample", str(path), "--json").output)
    assert (report["imported"], report["unchanged"]) == (1, 0)
    assert [n["note"] for n in report["notes"]] == [
        f"maria has a later record for article {article.id} in this file: only the last is imported"]


def test_importing_the_same_export_twice_changes_nothing(db: Database, project_id: int, tmp_path: Path) -> None:
    article = first_article(db)
    path = tmp_path / "export.json"
    path.write_text(json.dumps(labelstudio_export(article.text, content_to_results(labels([refusal_statement(article.text)])))))
    first = json.loads(run(db, "import-annotations", "sample", str(path), "--json").output)
    again = json.loads(run(db, "import-annotations", "sample", str(path), "--json").output)
    assert (first["imported"], again["imported"], again["unchanged"]) == (1, 0, 1)
    with db.session() as session:
        revisions = session.scalar(select(func.count(AnnotationRevision.id)))
    assert revisions == 1


def test_labels_imported_beyond_the_overlap_fill_the_article_once(db: Database, project_id: int, tmp_path: Path) -> None:
    article = first_article(db)
    unfilled_before, _ = unfilled_recount(db, project_id)
    path = tmp_path / "labels.jsonl"
    path.write_text("\n".join(json.dumps({"article_id": article.id, "annotator": f"ext-{i}", **labels([])}) for i in range(4)))
    assert run(db, "import-annotations", "sample", str(path)).exit_code == 0
    assert unfilled_recount(db, project_id) == (unfilled_before - 1, unfilled_before - 1)
