"""A lead renames a running project, changes its overlap, archives it and brings it back."""

from __future__ import annotations

import requests

from annotator.storage import Database
from tests.support import ApiClient, Team, WebSession, unfilled_recount


def test_a_lead_renames_a_project_to_a_name_with_spaces(api: ApiClient, team: Team, project_id: int) -> None:
    response = api.as_(team.lena).patch(f"/projects/{project_id}", json={"name": "Summit talks 2026"})
    assert response.status_code == 200, response.text
    assert api.as_(team.ana).get(f"/projects/{project_id}").json()["name"] == "Summit talks 2026"


def test_a_name_another_project_has_is_refused(api: ApiClient, team: Team, project_id: int) -> None:
    lena = api.as_(team.lena)
    other = lena.post("/projects", json={"name": "other", "label_schema": lena.get(f"/projects/{project_id}/schema").json()})
    assert other.status_code == 201, other.text
    refused = lena.patch(f"/projects/{project_id}", json={"name": "other"})
    assert (refused.status_code, refused.json()["message"]) == (409, "project 'other' already exists")


def test_an_annotator_cannot_change_a_project(api: ApiClient, project_id: int) -> None:
    assert api.patch(f"/projects/{project_id}", json={"overlap": 3}).status_code == 403


def test_raising_the_overlap_hands_an_article_out_again(api: ApiClient, team: Team, project_id: int, db: Database) -> None:
    ana, ben, cleo = api.as_(team.ana), api.as_(team.ben), api.as_(team.cleo)
    first = ana.next_article(project_id)
    assert ben.next_article(project_id)["id"] == first["id"]
    assert cleo.next_article(project_id)["id"] != first["id"]  # full at overlap 2
    api.as_(team.lena).patch(f"/projects/{project_id}", json={"overlap": 3}).raise_for_status()
    cleo.post(f"/articles/{cleo.next_article(project_id)['id']}/skip").raise_for_status()  # the one she held
    assert cleo.next_article(project_id)["id"] == first["id"]
    stored, counted = unfilled_recount(db, project_id)
    assert stored == counted


def test_lowering_the_overlap_keeps_every_annotator_and_counts_articles_with_room_again(
    api: ApiClient, team: Team, project_id: int, db: Database
) -> None:
    ana, ben = api.as_(team.ana), api.as_(team.ben)
    first = ana.next_article(project_id)
    assert ben.next_article(project_id)["id"] == first["id"]
    api.as_(team.lena).patch(f"/projects/{project_id}", json={"overlap": 1}).raise_for_status()
    holders = api.as_(team.lena).get(f"/articles/{first['id']}/annotations").json()["annotations"]
    assert [a["annotator"] for a in holders] == ["ana", "ben"]
    stored, counted = unfilled_recount(db, project_id)
    assert stored == counted


def test_an_overlap_out_of_range_is_refused_by_name(api: ApiClient, team: Team, project_id: int) -> None:
    refused = api.as_(team.lena).patch(f"/projects/{project_id}", json={"overlap": 0})
    assert refused.status_code == 422
    assert "overlap" in refused.text


def test_an_archived_project_hands_out_nothing_new_but_takes_open_work(api: ApiClient, team: Team, project_id: int) -> None:
    ana, ben = api.as_(team.ana), api.as_(team.ben)
    held = ana.next_article(project_id)
    api.as_(team.lena).patch(f"/projects/{project_id}", json={"archived": True}).raise_for_status()
    assert ben.next_article(project_id) is None
    assert ana.next_article(project_id)["id"] == held["id"]  # still hers to finish
    saved = ana.put(f"/articles/{held['id']}/annotation", json={"base_revision": None, "statements": []})
    assert saved.status_code == 200, saved.text


def test_an_archived_project_leaves_annotators_lists_but_not_its_leads(api: ApiClient, team: Team, project_id: int) -> None:
    lena = api.as_(team.lena)
    lena.patch(f"/projects/{project_id}", json={"archived": True}).raise_for_status()
    assert api.as_(team.ana).get("/projects").json()["projects"] == []
    [listed] = lena.get("/projects").json()["projects"]
    assert listed["archived_at"] is not None
    lena.patch(f"/projects/{project_id}", json={"archived": False}).raise_for_status()
    assert [p["id"] for p in api.as_(team.ana).get("/projects").json()["projects"]] == [project_id]


def send_settings(web: WebSession, team: Team, project_id: int, form: dict[str, str]) -> requests.Response:
    """The lead sends one of the settings page's forms."""
    web.log_in(team.lena)
    token = web.csrf_token(f"/projects/{project_id}/settings")
    return web.post(f"/projects/{project_id}/settings", data={**form, "csrf_token": token})


def test_the_settings_page_renames_and_says_what_changed(web: WebSession, team: Team, project_id: int) -> None:
    page = send_settings(web, team, project_id, {"name": "Summit <talks>"})
    assert page.status_code == 200
    assert "renamed from &#39;sample&#39; to &#39;Summit &lt;talks&gt;&#39;" in page.text


def test_the_settings_page_names_a_refused_overlap(web: WebSession, team: Team, project_id: int) -> None:
    page = send_settings(web, team, project_id, {"overlap": "99"})
    assert page.status_code == 422
    assert "overlap: Input should be less than or equal to 50" in page.text
