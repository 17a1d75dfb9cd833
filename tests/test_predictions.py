"""A model's predictions stored apart from labels, then evaluated over the API and on the lead's pages."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from annotator.cli import main
from annotator.storage import Database
from tests.support import ApiClient, Team, WebSession, refusal_statement, statement_on
from tests.test_adjudication import labeled  # noqa: F401 - shared fixtures
from tests.test_export import gold  # noqa: F401


def prediction(article: dict[str, Any], stance: str, version: str = "1", score: float = 0.9) -> dict[str, Any]:
    """The model's one statement on a sample article: Peskov's on the first, Psaki's on the second."""
    if "Peskov" in article["text"]:
        statement = {**refusal_statement(article["text"]), "stance": stance}
    else:
        statement = statement_on(article["text"], "psaki", "Jen Psaki", "leaders_meeting", stance,
                                 "a meeting between President Joe Biden and President Vladimir Putin was off the table")
    if stance != "conditional":
        statement["preconditions"] = []
    return {"article_id": article["id"], "model": "baseline", "model_version": version, "statements": [{**statement, "score": score}]}


def jsonl(*lines: dict[str, Any]) -> bytes:
    return b"".join(json.dumps(line).encode() + b"\n" for line in lines)


def test_importing_the_same_predictions_twice_changes_nothing(db: Database, api: ApiClient, project_id: int, tmp_path: Path) -> None:
    article = api.next_article(project_id)
    path = tmp_path / "predictions.jsonl"
    path.write_bytes(jsonl(prediction(article, "refuses"), {**prediction(article, "refuses"), "article_id": 999},
                           {**prediction(article, "sometimes")}))
    run = CliRunner(env={"ANNOTATOR_DATABASE_URL": db.url}).invoke
    first = run(main, ["import-predictions", "sample", str(path)])
    assert first.exit_code == 0, first.output
    assert "imported 1, replaced 0, unchanged 0, rejected 2 (baseline@1)" in first.output
    assert "predictions.jsonl line 2: no such article in this project" in first.output
    assert "predictions.jsonl line 3: statements.0.stance" in first.output
    again = run(main, ["import-predictions", "sample", str(path)])
    assert "imported 0, replaced 0, unchanged 1" in again.output


def test_predictions_are_not_an_annotators_labels(api: ApiClient, team: Team, project_id: int) -> None:
    article = api.next_article(project_id)
    lead = api.as_(team.lena)
    report = lead.post(f"/projects/{project_id}/predictions", data=jsonl(prediction(article, "refuses")),
                       headers={"Content-Type": "application/x-ndjson"}).json()
    assert report["imported"] == 1
    assert lead.get(f"/articles/{article['id']}/annotations").json()["annotations"][0]["statements"] == []
    assert lead.get(f"/projects/{project_id}/agreement").json()["annotators"] == []


def test_a_lead_evaluates_stored_predictions_and_the_best_version_comes_first(api: ApiClient, team: Team, gold: dict[str, Any], project_id: int) -> None:  # noqa: F811
    lead = api.as_(team.lena)
    first, second = gold["first"], gold["second"]
    body = jsonl(prediction(first, "refuses", "1"), prediction(second, "refuses", "1"),
                 prediction(first, "conditional", "2"), {**prediction(second, "conditional", "2"), "statements": []})
    lead.post(f"/projects/{project_id}/predictions", data=body, headers={"Content-Type": "application/x-ndjson"}).raise_for_status()
    assert lead.post(f"/projects/{project_id}/evaluations", json={}).status_code == 422  # two versions stored: name one
    for version in ("1", "2"):
        response = lead.post(f"/projects/{project_id}/evaluations", json={"model": f"baseline@{version}", "samples": 20})
        assert response.status_code == 201, response.text
    listed = lead.get(f"/projects/{project_id}/evaluations").json()["evaluations"]
    assert [(e["model_version"], e["statement_keys_f1"]) for e in listed] == [("1", 1.0), ("2", 2 / 3)]
    assert listed[0]["gold_version"].startswith("sample gold up to revision")


def test_the_models_page_lists_evaluations_and_shows_one_in_full(web: WebSession, api: ApiClient, team: Team, gold: dict[str, Any], project_id: int) -> None:  # noqa: F811
    lead = api.as_(team.lena)
    lead.post(f"/projects/{project_id}/predictions", data=jsonl(prediction(gold["first"], "refuses")),
              headers={"Content-Type": "application/x-ndjson"}).raise_for_status()
    web.log_in(team.lena)
    answer = web.post(f"/projects/{project_id}/models/evaluate",
                      data={"csrf_token": web.csrf_token(f"/projects/{project_id}/models"), "model": "baseline@1"})
    assert answer.status_code == 200 and "/evaluations/" in answer.url
    assert "The model beside the annotators" in answer.text
    page = web.get(f"/projects/{project_id}/models").text
    assert "baseline@1" in page and "Too few gold articles to rank models" in page  # a couple of gold articles


def test_the_model_counts_as_an_annotator_only_when_asked_for_and_is_named_so(db: Database, api: ApiClient, team: Team, labeled, project_id: int) -> None:  # type: ignore[no-untyped-def] # noqa: F811
    lead = api.as_(team.lena)
    lead.post(f"/projects/{project_id}/predictions", data=jsonl(prediction(labeled["first"], "conditional")),
              headers={"Content-Type": "application/x-ndjson"}).raise_for_status()
    assert lead.get(f"/projects/{project_id}/agreement").json()["annotators"] == ["ana", "ben"]
    report = lead.get(f"/projects/{project_id}/agreement", params={"with_model": "baseline@1"}).json()
    assert report["annotators"] == ["ana", "ben", "model:baseline@1"] and report["model"] == "model:baseline@1"
    result = CliRunner(env={"ANNOTATOR_DATABASE_URL": db.url}).invoke(main, ["agreement", "sample", "--with-model", "nope@2", "--json"])
    assert result.exit_code == 1 and "no predictions of nope@2" in result.output


def test_the_report_sets_suggested_articles_beside_the_blind_control(api: ApiClient, team: Team, project_id: int) -> None:
    lead = api.as_(team.lena)
    articles = [lead.get(f"/articles/{i}").json() for i in (1, 2)]  # with a share of 0.4, article 2 is a control article
    lead.post(f"/projects/{project_id}/predictions", data=jsonl(*(prediction(a, "refuses") for a in articles)),
              headers={"Content-Type": "application/x-ndjson"}).raise_for_status()
    lead.put(f"/projects/{project_id}/suggestions", json={"model": "baseline@1", "control_share": 0.4}).raise_for_status()
    lead.post(f"/projects/{project_id}/assignments", json={"action": "assign", "article_ids": [1, 2], "annotators": ["ana", "ben"]})
    for member, stance in ((team.ana, "refuses"), (team.ben, "noncommittal")):
        for article in articles:
            statement = {k: v for k, v in prediction(article, stance)["statements"][0].items() if k != "score"}
            decision = [{"model": "baseline", "model_version": "1", "actor": statement["actor"]["id"], "target": statement["target"],
                         "decision": "accepted" if stance == "refuses" else "edited", "changed": [] if stance == "refuses" else ["stance"]}]
            body = {"base_revision": None, "statements": [statement], "seconds_spent": 30 if article["id"] == 1 else 60,
                    "suggestion_decisions": decision if article["id"] == 1 else []}
            api.as_(member).put(f"/articles/{article['id']}/annotation", json=body).raise_for_status()
    effect = lead.get(f"/projects/{project_id}/agreement").json()["suggestions"]
    shown, control = effect["groups"]
    assert (shown["group"], shown["articles"], shown["median_seconds"]) == ("with suggestions", 1, 30)
    assert (control["group"], control["articles"], control["median_seconds"]) == ("blind control", 1, 60)
    assert effect["decisions"] == {"accepted": 1, "edited": 1, "rejected": 0, "ignored": 0}
    assert effect["acceptance"]["stance"] == {"rate": 0.5, "kept": 1, "shown": 2}
    assert effect["acceptance"]["target"]["rate"] == 1.0


def test_a_save_without_suggestion_decisions_stores_none_for_the_partial_index(db: Database, api: ApiClient, project_id: int) -> None:
    from sqlalchemy import func, select

    from annotator.storage.tables import AnnotationRevision

    article = api.next_article(project_id)
    assert article is not None
    api.put(f"/articles/{article['id']}/annotation", json={"base_revision": None, "statements": [], "seconds_spent": 5}).raise_for_status()
    with db.session() as session:
        without = select(func.count()).where(AnnotationRevision.suggestion_decisions.is_(None))
        assert session.scalar(without) == session.scalar(select(func.count(AnnotationRevision.id))) == 1


def test_label_studio_tasks_with_predictions_are_read_as_a_models_predictions(db: Database, api: ApiClient, project_id: int, tmp_path: Path) -> None:
    from annotator.labelstudio.convert import content_to_results

    article = api.next_article(project_id)
    statement = {k: v for k, v in prediction(article, "refuses")["statements"][0].items() if k != "score"}
    result = content_to_results({"statements": [statement], "article": {"relevant": True, "outlet": None, "note": ""}})
    tasks = [{"id": 3, "data": {"text": article["text"]}, "predictions": [{"model_version": "tagger@7", "score": 0.66, "result": result}]}]
    path = tmp_path / "tasks.json"
    path.write_text(json.dumps(tasks))
    output = CliRunner(env={"ANNOTATOR_DATABASE_URL": db.url}).invoke(main, ["import-predictions", "sample", str(path)]).output
    assert "imported 1, replaced 0, unchanged 0, rejected 0 (tagger@7)" in output


def test_an_annotation_made_in_label_studio_from_our_exported_predictions_imports(db: Database, gold, tmp_path: Path) -> None:  # type: ignore[no-untyped-def] # noqa: F811
    run = CliRunner(env={"ANNOTATOR_DATABASE_URL": db.url}).invoke
    assert run(main, ["export", "sample", "--out", str(tmp_path), "--format", "labelstudio"]).exit_code == 0
    tasks = [task for task in json.loads((tmp_path / "sample" / "v1" / "labelstudio.json").read_text()) if task["annotations"]]
    for task in tasks:  # an annotator starts from the suggestions, keeps the gold statements, exports
        annotation = task["annotations"][0]
        annotation["result"] = task["predictions"][0]["result"] + annotation["result"]
        annotation["completed_by"] = {"id": 9, "email": "maria@example.org"}
    path = tmp_path / "from-label-studio.json"
    path.write_text(json.dumps(tasks))
    report = json.loads(run(main, ["import-annotations", "sample", str(path), "--json"]).output)
    assert (report["imported"], report["rejected"]) == (2, [])
    assert report["notes"] and all("belongs to no statement: left out" in n["note"] for n in report["notes"])


def test_models_are_compared_only_against_the_same_gold_and_split_each_version_once() -> None:
    from datetime import UTC, datetime, timedelta

    from annotator.predictions.store import evaluation_groups
    from annotator.storage.tables import Evaluation

    start = datetime(2026, 12, 1, tzinfo=UTC)

    def scored(version: str, against: str, split: str | None, f1: float, hours: int, articles: int = 40) -> Evaluation:
        return Evaluation(model="m", model_version=version, gold_version=against, split=split, statement_keys_f1=f1,
                          report={"gold": {"articles": articles}}, created_at=start + timedelta(hours=hours))

    groups = evaluation_groups([
        scored("1", "gold@3", None, 0.50, 1), scored("1", "gold@3", None, 0.60, 2),  # m@1 twice: its newest counts
        scored("2", "gold@3", None, 0.70, 3), scored("1", "gold@3", "test", 0.40, 4, articles=8),
    ])
    [(first_gold, first_split), (second_gold, second_split)] = [(g.gold_version, g.split) for g in groups]
    assert (first_gold, first_split, second_gold, second_split) == ("gold@3", "test", "gold@3", None)
    everything = groups[1]
    assert [(e.model_version, e.statement_keys_f1) for e in everything.evaluations] == [("2", 0.70), ("1", 0.60)]
    assert everything.rankable and not groups[0].rankable  # 8 gold articles are too few to rank by
