"""Saving and loading labels over HTTP: round trip, refusals, stale saves, blind reading."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from annotator.storage import Database
from annotator.storage.tables import AnnotationRevision
from tests.support import ApiClient, refusal_statement, span_of


@pytest.fixture
def article(api: ApiClient, project_id: int) -> dict[str, Any]:
    """Ana's first article: "Kremlin says no groundwork yet...", assigned to her."""
    article = api.next_article(project_id)
    assert article is not None
    return article


def save(api: ApiClient, target: dict[str, Any], base: int | None, statements: list[dict[str, Any]], **extra: Any):  # type: ignore[no-untyped-def]
    body = {"base_revision": base, "statements": statements, **extra}
    return api.put(f"/articles/{target['id']}/annotation", json=body)


def revision_count(db: Database) -> int:
    with db.session() as session:
        return session.scalar(select(func.count(AnnotationRevision.id))) or 0


def test_saved_labels_load_back_identically(api: ApiClient, article: dict[str, Any]) -> None:
    statement = refusal_statement(article["text"])
    labels = {"relevant": True, "outlet": "interfax", "note": "clear case"}
    saved = save(api, article, None, [statement], article=labels, seconds_spent=42.5)
    assert saved.status_code == 200, saved.text
    loaded = api.get(f"/articles/{article['id']}/annotation").json()
    assert loaded["statements"] == [statement]
    assert loaded["article"] == labels
    assert (loaded["revision"], loaded["status"], loaded["schema_version"]) == (saved.json()["revision"], "done", "1.0.0")


def test_every_save_is_a_new_revision_on_top_of_the_last(api: ApiClient, article: dict[str, Any], db: Database) -> None:
    statement = refusal_statement(article["text"])
    first = save(api, article, None, [statement]).json()["revision"]
    second = save(api, article, first, [{**statement, "stance": "refuses", "preconditions": []}]).json()["revision"]
    assert second != first
    assert revision_count(db) == 2
    with db.session() as session:
        older = session.get(AnnotationRevision, first)
        assert older is not None and older.content["statements"][0]["stance"] == "conditional"
        newer = session.get(AnnotationRevision, second)
        assert newer is not None and newer.base_revision_id == first


def test_a_stale_base_revision_gets_409_and_stores_nothing(api: ApiClient, article: dict[str, Any], db: Database) -> None:
    statement = refusal_statement(article["text"])
    first = save(api, article, None, [statement]).json()["revision"]
    save(api, article, first, [statement])
    stale = save(api, article, first, [{**statement, "stance": "refuses", "preconditions": []}])
    assert stale.status_code == 409
    assert stale.json()["error"] == "stale_revision"
    assert revision_count(db) == 2


def test_a_first_save_when_one_exists_gets_409(api: ApiClient, article: dict[str, Any]) -> None:
    save(api, article, None, [refusal_statement(article["text"])])
    assert save(api, article, None, []).status_code == 409


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda s, t: {**s, "evidence": {"start": len(t) - 3, "end": len(t) + 40, "text": "x"}}, "statements.0.evidence.end"),
        (lambda s, t: {**s, "actor": {"id": "peskov", "span": {**span_of(t, "Dmitry Peskov"), "text": "Dmitri Peskov"}}}, "statements.0.actor.span.text"),
        (lambda s, t: {**s, "stance": "furious"}, "statements.0.stance"),
        (lambda s, t: {**s, "target": "moon_landing"}, "statements.0.target"),
        (lambda s, t: {**s, "preconditions": []}, "statements.0.preconditions"),
    ],
    ids=["span-outside-text", "quote-differs", "unknown-stance", "unknown-target", "conditional-without-precondition"],
)
def test_a_refused_save_names_the_field_and_stores_nothing(api: ApiClient, article: dict[str, Any], db: Database, change, field: str) -> None:  # type: ignore[no-untyped-def]
    response = save(api, article, None, [change(refusal_statement(article["text"]), article["text"])])
    assert response.status_code == 422
    assert [p["field"] for p in response.json()["problems"]] == [field]
    assert revision_count(db) == 0
    assert api.get(f"/articles/{article['id']}/annotation").json()["revision"] is None


def test_a_wrongly_typed_save_names_the_field(api: ApiClient, article: dict[str, Any]) -> None:
    statement = refusal_statement(article["text"])
    statement["evidence"]["start"] = "12"
    response = save(api, article, None, [statement])
    assert response.status_code == 422
    assert response.json()["problems"][0]["field"] == "statements.0.evidence.start"


def test_malformed_json_gets_400(api: ApiClient, article: dict[str, Any]) -> None:
    response = api.put(f"/articles/{article['id']}/annotation", data=b'{"base_revision": nu', headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["error"] == "malformed_json"


def test_a_body_that_orjson_refuses_is_still_read_as_json_reads_it(api: ApiClient, article: dict[str, Any]) -> None:
    body = b'{"base_revision": NaN, "statements": []}'  # not JSON to orjson; json reads NaN, and the field is refused
    response = api.put(f"/articles/{article['id']}/annotation", data=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    assert response.json()["problems"][0]["field"] == "base_revision"


def test_annotators_read_only_their_own_labels(api: ApiClient, team, project_id: int, article: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    save(api, article, None, [refusal_statement(article["text"])])
    ben = api.as_(team.ben)
    assert ben.next_article(project_id)["id"] == article["id"]  # overlap 2: ben gets the same article
    assert ben.get(f"/articles/{article['id']}/annotation").json()["statements"] == []
    assert ben.get(f"/articles/{article['id']}/annotations").status_code == 403
    cleo = api.as_(team.cleo)
    assert cleo.get(f"/articles/{article['id']}/annotation").status_code == 403  # not assigned to her


def test_leads_read_every_annotators_labels(api: ApiClient, team, article: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    save(api, article, None, [refusal_statement(article["text"])])
    annotations = api.as_(team.lena).get(f"/articles/{article['id']}/annotations").json()["annotations"]
    assert [(a["annotator"], a["status"], len(a["statements"])) for a in annotations] == [("ana", "done", 1)]


def test_suggestions_come_from_vocabulary_aliases(api: ApiClient, article: dict[str, Any]) -> None:
    suggestions = api.get(f"/articles/{article['id']}/suggestions").json()["suggestions"]
    found = {(s["id"], s["text"]) for s in suggestions}
    assert {("peskov", "Kremlin spokesman Dmitry Peskov"), ("tass", "Tass news agency"), ("putin", "Putin")} <= found
    assert all(article["text"][s["start"]:s["end"]] == s["text"] for s in suggestions)


def test_seconds_spent_must_be_a_number_not_false(api: ApiClient, project_id: int) -> None:
    article = api.next_article(project_id)
    response = api.put(f"/articles/{article['id']}/annotation", json={"base_revision": None, "statements": [], "seconds_spent": False})
    assert response.status_code == 422
    assert response.json()["problems"][0]["field"] == "seconds_spent"


def test_the_same_save_sent_again_returns_the_stored_revision(api: ApiClient, project_id: int) -> None:
    article = api.next_article(project_id)
    assert article is not None
    save = {"base_revision": None, "statements": [], "article": {"relevant": True, "outlet": None, "note": "first"}}
    first = api.put(f"/articles/{article['id']}/annotation", json=save)
    again = api.put(f"/articles/{article['id']}/annotation", json=save)  # its answer was lost, say
    assert first.status_code == again.status_code == 200
    assert again.json()["revision"] == first.json()["revision"]
    other = api.put(f"/articles/{article['id']}/annotation", json={**save, "article": {**save["article"], "note": "other"}})
    assert other.status_code == 409  # a different edit from the old base is still stale


def test_a_page_open_for_days_still_saves_its_time_as_a_day_at_most(api: ApiClient, project_id: int) -> None:
    article = api.next_article(project_id)
    saved = api.put(f"/articles/{article['id']}/annotation", json={"base_revision": None, "statements": [], "seconds_spent": 200_000.0})
    assert saved.status_code == 200, saved.text


def test_a_suggestion_decision_naming_a_statement_the_save_lacks_is_refused(api: ApiClient, project_id: int) -> None:
    article = api.next_article(project_id)
    decision = {"model": "m", "model_version": "1", "actor": "peskov", "target": "leaders_meeting", "decision": "accepted", "statement": 3}
    refused = api.put(f"/articles/{article['id']}/annotation",
                      json={"base_revision": None, "statements": [], "suggestion_decisions": [decision]})
    assert refused.status_code == 422 and "names statement 3" in refused.text


def test_a_statement_left_half_done_is_refused_in_words(api: ApiClient, project_id: int) -> None:
    article = api.next_article(project_id)
    statement = {"actor": {"id": ""}, "stance": "", "target": "", "preconditions": [{"category": ""}]}
    refused = api.put(f"/articles/{article['id']}/annotation", json={"base_revision": None, "statements": [statement]})
    said = {problem["field"]: problem["message"] for problem in refused.json()["problems"]}
    assert said == {"statements.0.actor.id": "give its id", "statements.0.stance": "pick a stance",
                    "statements.0.target": "pick a target", "statements.0.preconditions.0.category": "pick its category"}
