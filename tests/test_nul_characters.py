"""A NUL character (U+0000) is refused at every text boundary, on SQLite and PostgreSQL alike:
PostgreSQL cannot store it, and no text of ours holds one. In the URL or a form it is a 400; in
a JSON body a 422 naming the field, as any invalid field is."""

from __future__ import annotations

import pytest
import requests

from tests.support import ApiClient, Team, WebSession


def refused_for_nul(reply: requests.Response, field: str | None = None) -> bool:
    """Refused as holding a NUL: 400 for the URL or a form, 422 naming the field of a JSON body."""
    if field is None:
        return reply.status_code == 400 and "NUL character" in reply.text
    return reply.status_code == 422 and reply.json()["problems"][0]["field"] == field


def test_a_login_name_with_nul_is_refused(web: WebSession, team: Team) -> None:
    reply = web.post("/login", data={"name": "lena\x00", "password": team.lena.password, "csrf_token": web.csrf_token()})
    assert refused_for_nul(reply)
    assert web.log_in(team.lena).status_code == 302  # and the server still answers


def test_a_token_label_with_nul_is_refused_from_the_api_and_the_page(api: ApiClient, web: WebSession, team: Team) -> None:
    assert refused_for_nul(api.post("/tokens", json={"label": "pipe\x00line"}), "label")
    web.log_in(team.ana)
    assert refused_for_nul(web.post("/account/tokens", data={"label": "pipe\x00line", "csrf_token": web.csrf_token("/account")}))


@pytest.mark.parametrize("path", ["/users/ana%00/disable", "/users/ana%00/password"])
def test_a_user_name_with_nul_in_the_path_is_refused(api: ApiClient, team: Team, path: str) -> None:
    assert refused_for_nul(api.as_(team.lena).post(path))


def test_a_member_name_with_nul_in_the_path_is_refused(api: ApiClient, team: Team, project_id: int) -> None:
    assert refused_for_nul(api.as_(team.lena).put(f"/projects/{project_id}/members/ana%00", json={"role": "annotator"}))


def test_a_new_user_name_with_nul_is_refused(api: ApiClient, team: Team) -> None:
    assert refused_for_nul(api.as_(team.lena).post("/users", json={"name": "dora\x00", "role": "annotator"}), "name")


def test_an_assignment_naming_an_annotator_with_nul_is_refused(api: ApiClient, team: Team, project_id: int) -> None:
    body = {"action": "assign", "article_ids": [1], "annotators": ["ben\x00"]}
    assert refused_for_nul(api.as_(team.lena).post(f"/projects/{project_id}/assignments", json=body), "annotators.0")


def test_a_suggestions_model_with_nul_is_refused(api: ApiClient, team: Team, project_id: int) -> None:
    assert refused_for_nul(api.as_(team.lena).put(f"/projects/{project_id}/suggestions", json={"model": "m\x00@1"}), "model")


def test_an_overview_search_with_nul_is_refused(web: WebSession, team: Team, project_id: int) -> None:
    web.log_in(team.lena)
    assert refused_for_nul(web.get(f"/projects/{project_id}", params={"q": "talks\x00"}))


def test_a_query_parameter_name_with_nul_is_refused(api: ApiClient, project_id: int) -> None:
    assert refused_for_nul(api.get("/projects", params={"x\x00": "1"}))


def test_text_that_spells_a_backslash_and_u0000_is_not_a_nul(api: ApiClient, team: Team) -> None:
    reply = api.post("/tokens", json={"label": "C:\\u0000 drive"})  # a backslash, then the letters u0000
    assert reply.status_code == 201 and reply.json()["token"]["label"] == "C:\\u0000 drive"

