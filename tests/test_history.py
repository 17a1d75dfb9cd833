"""Audit: every revision kept with who and when; a lead restores an earlier one without losing any."""

from __future__ import annotations

from typing import Any

from tests.support import ApiClient, Team, refusal_statement


def test_history_lists_every_revision_with_who_and_when(api: ApiClient, team: Team, project_id: int) -> None:
    article = api.next_article(project_id)
    first = api.put(f"/articles/{article['id']}/annotation", json={"base_revision": None, "statements": [refusal_statement(article["text"])]}).json()
    second = api.put(f"/articles/{article['id']}/annotation", json={"base_revision": first["revision"], "statements": []}).json()
    lead = api.as_(team.lena)
    lead.put(f"/articles/{article['id']}/gold", json={"base_revision": None, "statements": [refusal_statement(article["text"])]})
    history = lead.get(f"/articles/{article['id']}/history").json()["revisions"]
    assert [(e["kind"], e["labels_of"], e["author"], e["statements"], e["current"]) for e in history] == [
        ("annotation", "ana", "ana", 1, False),
        ("annotation", "ana", "ana", 0, True),
        ("gold", "gold", "lena", 1, True),
    ]
    assert history[1]["base_revision"] == first["revision"] and history[1]["revision"] == second["revision"]


def test_a_lead_restores_an_earlier_annotation_revision(api: ApiClient, team: Team, project_id: int) -> None:
    article = api.next_article(project_id)
    statement = refusal_statement(article["text"])
    first = api.put(f"/articles/{article['id']}/annotation", json={"base_revision": None, "statements": [statement]}).json()
    api.put(f"/articles/{article['id']}/annotation", json={"base_revision": first["revision"], "statements": []})
    restored = api.as_(team.lena).post(f"/annotation-revisions/{first['revision']}/restore")
    assert restored.status_code == 200
    mine = api.get(f"/articles/{article['id']}/annotation").json()
    assert mine["statements"] == [statement] and mine["revision"] == restored.json()["revision"]
    history = api.as_(team.lena).get(f"/articles/{article['id']}/history").json()["revisions"]
    assert [e["author"] for e in history] == ["ana", "ana", "lena"]  # nothing was deleted


def test_a_lead_restores_an_earlier_gold_revision(api: ApiClient, team: Team, project_id: int) -> None:
    article = api.next_article(project_id)
    lead = api.as_(team.lena)
    statement = refusal_statement(article["text"])
    first = lead.put(f"/articles/{article['id']}/gold", json={"base_revision": None, "statements": [statement]}).json()
    lead.put(f"/articles/{article['id']}/gold", json={"base_revision": first["revision"], "statements": []})
    restored: dict[str, Any] = lead.post(f"/gold-revisions/{first['revision']}/restore").json()
    assert restored["statements"] == [statement] and restored["revision"] > first["revision"]


def test_annotators_cannot_read_history_or_restore(api: ApiClient, project_id: int) -> None:
    article = api.next_article(project_id)
    saved = api.put(f"/articles/{article['id']}/annotation", json={"base_revision": None, "statements": []}).json()
    assert api.get(f"/articles/{article['id']}/history").status_code == 403
    assert api.post(f"/annotation-revisions/{saved['revision']}/restore").status_code == 403


def test_the_adjudication_page_shows_history_with_restore_buttons(web, api: ApiClient, team: Team, project_id: int) -> None:  # type: ignore[no-untyped-def]
    article = api.next_article(project_id)
    first = api.put(f"/articles/{article['id']}/annotation", json={"base_revision": None, "statements": []}).json()
    api.put(f"/articles/{article['id']}/annotation", json={"base_revision": first["revision"], "statements": []})
    web.log_in(team.lena)
    page = web.get(f"/articles/{article['id']}/adjudicate").text
    assert "History: 2 revision(s)" in page
    assert f'data-restore="/api/v1/annotation-revisions/{first["revision"]}/restore"' in page


def test_a_restored_revision_keeps_the_suggestion_decisions_it_was_saved_with(api: ApiClient, team: Team, project_id: int) -> None:
    article = api.next_article(project_id)
    statement = refusal_statement(article["text"])
    decision = {"model": "m", "model_version": "1", "actor": "peskov", "target": "leaders_meeting",
                "decision": "accepted", "changed": [], "statement": 0}
    first = api.put(f"/articles/{article['id']}/annotation",
                    json={"base_revision": None, "statements": [statement], "suggestion_decisions": [decision]}).json()
    api.put(f"/articles/{article['id']}/annotation", json={"base_revision": first["revision"], "statements": []})
    api.as_(team.lena).post(f"/annotation-revisions/{first['revision']}/restore").raise_for_status()
    assert api.get(f"/articles/{article['id']}/annotation").json()["suggestion_decisions"] == [decision]
