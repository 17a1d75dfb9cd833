"""A lead corrects an article's title or outlet, and deletes articles with what was made on them."""

from __future__ import annotations

import re
from typing import Any

from annotator.storage import Database
from tests.support import ApiClient, Team, WebSession, refusal_statement, unfilled_recount


def labeled_by_two(api: ApiClient, team: Team, project_id: int) -> dict[str, Any]:
    first = api.as_(team.ana).next_article(project_id)
    assert api.as_(team.ben).next_article(project_id)["id"] == first["id"]
    for member in (team.ana, team.ben):
        saved = api.as_(member).put(f"/articles/{first['id']}/annotation",
                                    json={"base_revision": None, "statements": [refusal_statement(first["text"])]})
        assert saved.status_code == 200, saved.text
    return first


def test_a_lead_corrects_the_title_and_clears_the_outlet(api: ApiClient, team: Team, project_id: int) -> None:
    lena = api.as_(team.lena)
    changed = lena.patch("/articles/1", json={"title": "  Kremlin: no summit yet ", "outlet": ""})
    assert changed.status_code == 200, changed.text
    assert (changed.json()["title"], changed.json()["outlet"]) == ("Kremlin: no summit yet", None)


def test_an_empty_title_is_refused_by_name(api: ApiClient, team: Team, project_id: int) -> None:
    refused = api.as_(team.lena).patch("/articles/1", json={"title": " "})
    assert refused.status_code == 422
    assert "the title is empty" in refused.text


def test_the_text_of_an_article_cannot_be_changed(api: ApiClient, team: Team, project_id: int) -> None:
    refused = api.as_(team.lena).patch("/articles/1", json={"text": "other words"})
    assert refused.status_code == 422
    assert "text" in refused.text


def test_an_annotator_cannot_change_an_article(api: ApiClient, team: Team, project_id: int) -> None:
    article = api.next_article(project_id)
    assert api.patch(f"/articles/{article['id']}", json={"title": "mine"}).status_code == 403


def test_a_dry_run_counts_what_deleting_would_take_and_deletes_nothing(api: ApiClient, team: Team, project_id: int) -> None:
    first = labeled_by_two(api, team, project_id)
    lena = api.as_(team.lena)
    counted = lena.post(f"/projects/{project_id}/articles/delete", json={"article_ids": [first["id"], 2], "dry_run": True})
    assert counted.json() == {"articles": 2, "annotations": 2, "annotators": 2, "gold": 0, "predictions": 0}
    assert lena.get(f"/articles/{first['id']}/annotations").json()["annotations"] != []


def test_deleting_articles_takes_their_labels_and_gold_and_keeps_the_counts_right(
    api: ApiClient, team: Team, project_id: int, db: Database
) -> None:
    first = labeled_by_two(api, team, project_id)
    lena = api.as_(team.lena)
    lena.post(f"/projects/{project_id}/gold/accept-unanimous").raise_for_status()
    deleted = lena.post(f"/projects/{project_id}/articles/delete", json={"article_ids": [first["id"], 3]})
    assert deleted.json() == {"articles": 2, "annotations": 2, "annotators": 2, "gold": 1, "predictions": 0}
    assert lena.get(f"/articles/{first['id']}").status_code == 404
    assert lena.get(f"/projects/{project_id}").json()["articles"] == 6
    stored, counted = unfilled_recount(db, project_id)
    assert stored == counted
    assert api.as_(team.ana).get(f"/projects/{project_id}/progress").json()["done"] == 0


def test_an_article_of_another_project_is_refused_and_nothing_is_deleted(api: ApiClient, team: Team, project_id: int) -> None:
    lena = api.as_(team.lena)
    refused = lena.post(f"/projects/{project_id}/articles/delete", json={"article_ids": [1, 999]})
    assert (refused.status_code, refused.json()["message"]) == (404, "no article 999 in project 'sample'")
    assert lena.get("/articles/1").status_code == 200


def test_the_page_counts_what_goes_before_it_deletes(web: WebSession, api: ApiClient, team: Team, project_id: int) -> None:
    first = labeled_by_two(api, team, project_id)
    web.log_in(team.lena)
    token = web.csrf_token(f"/projects/{project_id}")
    form = {"csrf_token": token, "scope": "selected", "article": [str(first["id"])]}
    asked = web.post(f"/projects/{project_id}/articles/delete", data=form)
    assert "Delete 1 article(s) from sample?" in asked.text
    assert "2 annotation(s) saved by 2 annotator(s)" in asked.text
    assert api.as_(team.lena).get(f"/articles/{first['id']}").status_code == 200  # asked, not deleted
    done = web.post(f"/projects/{project_id}/articles/delete", data={**form, "confirmed": "yes"})
    assert "Deleted 1 article(s), 2 annotation(s) by 2 annotator(s)." in re.sub(r"\s+", " ", done.text)
    assert api.as_(team.lena).get(f"/articles/{first['id']}").status_code == 404


def test_the_adjudication_page_saves_a_corrected_title(web: WebSession, team: Team, project_id: int) -> None:
    web.log_in(team.lena)
    token = web.csrf_token("/articles/1/adjudicate")
    page = web.post("/articles/1/details", data={"csrf_token": token, "title": "Kremlin & summit", "outlet": "TASS"})
    assert "Article 1: title, outlet saved." in page.text
    assert 'value="Kremlin &amp; summit"' in page.text
