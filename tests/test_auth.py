"""Users, passwords, tokens, browser login and role checks on the server."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from annotator.auth.service import add_user, authenticate
from annotator.cli import main
from annotator.errors import Conflict, Invalid
from annotator.storage import Database
from annotator.storage.tables import ApiToken, User
from tests.support import ApiClient, Team, WebSession


def test_passwords_are_stored_only_as_hashes(db: Database) -> None:
    with db.transaction() as session:
        user = add_user(session, "dana", "a long passphrase", "annotator")
        assert "a long passphrase" not in user.password_hash
        assert authenticate(session, "dana", "a long passphrase") is user
        assert authenticate(session, "dana", "wrong guess") is None
        assert authenticate(session, "nobody", "a long passphrase") is None


def test_weak_passwords_bad_roles_and_taken_names_are_refused(db: Database) -> None:
    with db.transaction() as session:
        add_user(session, "dana", "a long passphrase", "annotator")
        with pytest.raises(Invalid, match="at least 8"):
            add_user(session, "eve", "short", "annotator")
        with pytest.raises(Invalid, match="role 'boss'"):
            add_user(session, "eve", "a long passphrase", "boss")
        with pytest.raises(Conflict, match="already exists"):
            add_user(session, "dana", "another passphrase", "lead")


def test_user_add_reads_the_password_from_stdin(db: Database) -> None:
    runner = CliRunner(env={"ANNOTATOR_DATABASE_URL": db.url})
    result = runner.invoke(main, ["user", "add", "fred", "--role", "lead"], input="fred-secret-pw\n")
    assert result.exit_code == 0, result.output
    with db.session() as session:
        assert authenticate(session, "fred", "fred-secret-pw") is not None


def test_token_create_prints_a_token_that_is_stored_hashed_and_works(db: Database, app, server_url: str) -> None:  # type: ignore[no-untyped-def]
    runner = CliRunner(env={"ANNOTATOR_DATABASE_URL": db.url})
    runner.invoke(main, ["user", "add", "pipe"], input="pipeline-secret\n")
    result = runner.invoke(main, ["token", "create", "pipe"])
    token = result.output.strip()
    assert result.exit_code == 0 and token.startswith("ann_")
    with db.session() as session:
        assert token not in session.scalars(select(ApiToken.token_hash)).all()
    member = type("Member", (), {"token": token, "name": "pipe"})()
    assert ApiClient(server_url, member).get("/projects").status_code == 200  # type: ignore[arg-type]


def test_api_without_credentials_gets_401(server_url: str) -> None:
    import requests

    response = requests.get(f"{server_url}/api/v1/projects", timeout=10)
    assert response.status_code == 401
    assert response.json()["error"] == "unauthenticated"


def test_api_with_an_unknown_token_gets_401(api: ApiClient) -> None:
    api.http.headers["Authorization"] = "Bearer ann_not-a-real-token"
    assert api.get("/projects").status_code == 401


def test_annotators_cannot_create_projects(api: ApiClient, schema) -> None:  # type: ignore[no-untyped-def]
    body = {"name": "mine", "label_schema": schema.model_dump(mode="json")}
    assert api.post("/projects", json=body).status_code == 403


def test_leads_create_projects_and_bad_schemas_name_the_field(api: ApiClient, team, schema) -> None:  # type: ignore[no-untyped-def]
    lead = api.as_(team.lena)
    document = schema.model_dump(mode="json")
    created = lead.post("/projects", json={"name": "second", "overlap": 3, "label_schema": document})
    assert created.status_code == 201
    assert created.json()["overlap"] == 3
    document["statement"]["stance"]["choices"] = []
    refused = lead.post("/projects", json={"name": "third", "label_schema": document})
    assert refused.status_code == 422
    assert refused.json()["problems"][0]["field"] == "label_schema.statement.stance.choices"


def test_pages_redirect_to_login_when_logged_out(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_wrong_password_is_refused(web: WebSession, team) -> None:  # type: ignore[no-untyped-def]
    response = web.log_in(team.ana, password="not her password")
    assert response.status_code == 401
    assert "wrong password" in response.text


def test_login_sets_an_httponly_samesite_session(web: WebSession, team) -> None:  # type: ignore[no-untyped-def]
    response = web.log_in(team.ana)
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_login_form_without_csrf_token_is_refused(web: WebSession, team) -> None:  # type: ignore[no-untyped-def]
    response = web.post("/login", data={"name": "ana", "password": team.ana.password})
    assert response.status_code == 400


def test_cookie_authenticated_api_writes_need_the_csrf_header(web: WebSession, team, project_id: int) -> None:  # type: ignore[no-untyped-def]
    web.log_in(team.ana)
    assert web.post(f"/api/v1/projects/{project_id}/next").status_code == 400
    response = web.post(f"/api/v1/projects/{project_id}/next", headers={"X-CSRFToken": web.csrf_token("/")})
    assert response.status_code == 200


def test_login_never_redirects_to_another_site(web: WebSession, team) -> None:  # type: ignore[no-untyped-def]
    response = web.log_in(team.ana, next_path="//evil.example/")
    assert response.headers["Location"] == "/"


def test_lead_pages_are_refused_to_annotators(web: WebSession, team, project_id: int) -> None:  # type: ignore[no-untyped-def]
    web.log_in(team.ana)
    assert web.get(f"/projects/{project_id}").status_code == 403


def test_logout_ends_the_session(web: WebSession, team) -> None:  # type: ignore[no-untyped-def]
    web.log_in(team.ana)
    web.post("/logout", data={"csrf_token": web.csrf_token("/")})
    assert web.get("/", allow_redirects=False).status_code == 302


def test_user_rows_hold_no_plain_passwords(db: Database, team) -> None:  # type: ignore[no-untyped-def]
    with db.session() as session:
        assert all(team.ana.password not in user.password_hash for user in session.scalars(select(User)))


def test_repeated_failed_logins_are_slowed_down(web: WebSession, team) -> None:  # type: ignore[no-untyped-def]
    from annotator.auth.service import FAILURES_PER_NAME_AND_ADDRESS

    for _ in range(FAILURES_PER_NAME_AND_ADDRESS):
        assert web.log_in(team.ana, password="guess-guess").status_code == 401
    blocked = web.log_in(team.ana)  # even the right password waits now
    assert blocked.status_code == 429
    assert "Too many failed logins" in blocked.text


def test_a_successful_login_clears_the_failures(web: WebSession, team) -> None:  # type: ignore[no-untyped-def]
    from annotator.auth.service import FAILURES_PER_NAME_AND_ADDRESS

    for _ in range(FAILURES_PER_NAME_AND_ADDRESS - 1):
        web.log_in(team.ana, password="guess-guess")
    assert web.log_in(team.ana).status_code == 302
    for _ in range(FAILURES_PER_NAME_AND_ADDRESS - 1):
        web.log_in(team.ana, password="guess-guess")
    assert web.log_in(team.ana).status_code == 302


def test_a_project_name_with_a_bidirectional_override_is_refused(api: ApiClient, team: Team, schema) -> None:  # type: ignore[no-untyped-def]
    body = {"name": "budget\u202etxt.exe", "label_schema": schema.model_dump(mode="json")}
    response = api.as_(team.lena).post("/projects", json=body)
    assert response.status_code == 422
    assert "U+202E" in response.json()["problems"][0]["message"]


def test_the_command_line_refuses_a_project_name_with_a_control_character(db: Database) -> None:
    from annotator.shipped import default_schema_path

    result = CliRunner(env={"ANNOTATOR_DATABASE_URL": db.url}).invoke(
        main, ["project", "create", "tab\there", "--schema", str(default_schema_path())])
    assert result.exit_code == 1 and "U+0009" in result.output
