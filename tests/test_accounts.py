"""Membership, accounts, tokens and sessions: who gets in, and how access ends at once."""

from __future__ import annotations

import re
from pathlib import Path

import requests
from click.testing import CliRunner
from sqlalchemy import select, text

from annotator.app import create_app
from annotator.cli import main
from annotator.settings import Settings
from annotator.storage import Database
from annotator.storage.migrate import upgrade_to_head
from annotator.storage.tables import Assignment, ProjectMember, User
from tests.support import ApiClient, Team, TeamMember, WebSession, database_at


def copied_cookie_session(web: WebSession) -> requests.Session:
    """Another client holding a copy of this browser's cookies, as a thief would."""
    thief = requests.Session()
    thief.cookies.update(web.http.cookies)
    return thief


def logged_in(web: WebSession, member: TeamMember) -> WebSession:
    assert web.log_in(member).status_code == 302
    return web


def test_an_annotator_lists_only_the_projects_they_belong_to(api: ApiClient, team: Team, project_id: int, schema) -> None:  # type: ignore[no-untyped-def]
    other = api.as_(team.lena).post("/projects", json={"name": "other", "label_schema": schema.model_dump(mode="json")})
    assert other.status_code == 201 and other.json()["your_role"] == "lead"
    names = {p["name"]: p["your_role"] for p in api.get("/projects").json()["projects"]}
    assert names == {"sample": "annotator"}
    assert api.get(f"/projects/{other.json()['id']}").status_code == 403


def test_removing_a_member_closes_the_project_to_them_at_once(api: ApiClient, team: Team, project_id: int) -> None:
    article = api.next_article(project_id)
    assert article is not None
    assert api.as_(team.lena).request("DELETE", f"/projects/{project_id}/members/ana").status_code == 204
    for refused in (api.post(f"/projects/{project_id}/next"), api.get(f"/articles/{article['id']}"),
                    api.put(f"/articles/{article['id']}/annotation", json={"base_revision": None, "statements": []})):
        assert refused.status_code == 403
        assert "not a member of project" in refused.json()["message"]


def test_a_lead_adds_and_changes_members(api: ApiClient, team: Team, project_id: int, schema) -> None:  # type: ignore[no-untyped-def]
    lead = api.as_(team.lena)
    created = lead.post("/projects", json={"name": "second", "label_schema": schema.model_dump(mode="json")}).json()
    assert api.post(f"/projects/{created['id']}/next").status_code == 403
    assert lead.put(f"/projects/{created['id']}/members/ana", json={"role": "annotator"}).status_code == 200
    assert api.post(f"/projects/{created['id']}/next").status_code == 200
    assert lead.put(f"/projects/{created['id']}/members/ana", json={"role": "lead"}).json()["role"] == "lead"
    assert api.get(f"/projects/{created['id']}/agreement").status_code == 200  # a lead there, an annotator here
    assert api.get(f"/projects/{project_id}/agreement").status_code == 403


def test_a_removed_members_unlabeled_articles_go_back_to_the_queue(api: ApiClient, team: Team, project_id: int, db: Database) -> None:
    held = api.next_article(project_id)
    saved = api.put(f"/articles/{held['id']}/annotation", json={"base_revision": None, "statements": []})  # type: ignore[index]
    open_one = api.next_article(project_id)
    assert saved.status_code == 200 and open_one is not None
    assert api.as_(team.lena).request("DELETE", f"/projects/{project_id}/members/ana").status_code == 204
    with db.session() as session:
        kept = session.execute(select(Assignment.article_id, Assignment.status).join(User).where(User.name == "ana")).all()
    assert kept == [(held["id"], "done")]  # type: ignore[index]  # her labels stay; the open article is free again


def test_disabling_a_user_frees_what_they_held_without_labels(api: ApiClient, team: Team, project_id: int) -> None:
    article = api.next_article(project_id)
    assert api.as_(team.lena).post("/users/ana/disable").status_code == 200
    lead = api.as_(team.lena)
    reassigned = lead.post(f"/projects/{project_id}/assignments",
                           json={"action": "assign", "article_ids": [article["id"]], "annotators": ["ben", "cleo"]})  # type: ignore[index]
    assert reassigned.status_code == 200 and not reassigned.json()["refused"]  # both overlap slots were free


def test_the_last_lead_of_a_project_cannot_be_removed_or_demoted(api: ApiClient, team: Team, project_id: int) -> None:
    lead = api.as_(team.lena)
    for refused in (lead.request("DELETE", f"/projects/{project_id}/members/lena"),
                    lead.put(f"/projects/{project_id}/members/lena", json={"role": "annotator"})):
        assert refused.status_code == 409
        assert "only lead" in refused.json()["message"]


def test_articles_cannot_be_assigned_to_someone_outside_the_project(api: ApiClient, team: Team, project_id: int) -> None:
    lead = api.as_(team.lena)
    assert lead.request("DELETE", f"/projects/{project_id}/members/cleo").status_code == 204
    article_ids = [a["id"] for a in lead.get(f"/projects/{project_id}/articles").json()["articles"][:1]]
    refused = lead.post(f"/projects/{project_id}/assignments",
                        json={"action": "assign", "article_ids": article_ids, "annotators": ["cleo"]})
    assert refused.status_code == 422
    assert "cleo not a member" in refused.json()["message"]


def test_a_cookie_copied_before_logout_does_not_work_after(web: WebSession, team: Team, project_id: int) -> None:
    logged_in(web, team.ana)
    thief = copied_cookie_session(web)
    assert thief.get(f"{web.base_url}/", allow_redirects=False).status_code == 200
    web.post("/logout", data={"csrf_token": web.csrf_token("/")})
    assert thief.get(f"{web.base_url}/", allow_redirects=False).status_code == 302
    assert thief.get(f"{web.base_url}/api/v1/projects").status_code == 401


def test_a_password_change_logs_out_every_other_session(web: WebSession, server_url: str, team: Team, project_id: int) -> None:
    elsewhere = logged_in(WebSession(server_url), team.ana)
    logged_in(web, team.ana)
    changed = web.post("/account/password", data={
        "csrf_token": web.csrf_token("/account"), "current_password": team.ana.password,
        "new_password": "a-brand-new-pass", "confirm_password": "a-brand-new-pass"})
    assert changed.status_code == 200 and "Password changed" in changed.text
    assert web.get("/", allow_redirects=False).status_code == 200  # this browser keeps going
    assert elsewhere.get("/", allow_redirects=False).status_code == 302
    assert web.log_in(team.ana).status_code == 401  # the old password no longer works
    assert WebSession(server_url).log_in(team.ana, password="a-brand-new-pass").status_code == 302


def test_disabling_a_user_ends_their_sessions_and_tokens_at_once(web: WebSession, api: ApiClient, team: Team, project_id: int) -> None:
    logged_in(web, team.ana)
    assert api.as_(team.lena).post("/users/ana/disable").json()["disabled"] is True
    assert web.get("/", allow_redirects=False).status_code == 302
    assert api.get("/projects").status_code == 401
    assert WebSession(web.base_url).log_in(team.ana).status_code == 401
    assert api.as_(team.lena).post("/users/ana/enable").json()["disabled"] is False
    assert api.get("/projects").status_code == 401  # revoked with the disabling: an enable brings no token back


def test_a_token_is_shown_once_listed_by_its_hint_and_revocable(api: ApiClient, team: Team, project_id: int) -> None:
    issued = api.post("/tokens", json={"label": "training pipeline"})
    assert issued.status_code == 201
    secret, token_id = issued.json()["secret"], issued.json()["token"]["id"]
    listed = api.get("/tokens").json()["tokens"]
    assert {"id": token_id, "label": "training pipeline", "hint": secret[:8]}.items() <= listed[0].items()
    assert secret not in api.get("/tokens").text
    pipeline = api.as_(TeamMember("ana", "", secret))
    assert pipeline.get("/projects").status_code == 200
    assert api.request("DELETE", f"/tokens/{token_id}").status_code == 204
    revoked = pipeline.get("/projects")
    assert revoked.status_code == 401 and "revoked" in revoked.json()["message"]


def test_leads_manage_annotator_accounts_only(api: ApiClient, team: Team, project_id: int, db: Database) -> None:
    lead = api.as_(team.lena)
    created = lead.post("/users", json={"name": "dora", "role": "annotator"})
    assert created.status_code == 201 and len(created.json()["password"]) >= 12
    assert lead.post("/users", json={"name": "leo", "role": "lead"}).status_code == 403
    with db.transaction() as session:
        session.add(User(name="ada", password_hash="!", role="admin"))
    assert lead.post("/users/ada/password").status_code == 403
    assert lead.post("/users/ada/disable").status_code == 403
    assert api.post("/users/ben/disable").status_code == 403  # annotators manage nobody
    assert api.request("DELETE", f"/tokens/{_token_id(api.as_(team.ben))}").status_code == 403


def _token_id(client: ApiClient) -> int:
    return client.get("/tokens").json()["tokens"][0]["id"]


def test_a_reset_password_is_shown_once_and_replaces_the_old_one(api: ApiClient, server_url: str, team: Team, project_id: int) -> None:
    reset = api.as_(team.lena).post("/users/ana/password")
    assert reset.status_code == 200
    assert WebSession(server_url).log_in(team.ana).status_code == 401
    assert WebSession(server_url).log_in(team.ana, password=reset.json()["password"]).status_code == 302


def test_failures_from_one_address_lock_out_only_the_names_tried(web: WebSession, team: Team) -> None:
    from annotator.auth.service import FAILURES_PER_NAME_AND_ADDRESS

    for name in ("ben", "cleo", "lena"):
        for _ in range(FAILURES_PER_NAME_AND_ADDRESS):
            web.log_in(TeamMember(name, "", ""), password="wrong-guess")
    assert web.log_in(team.lena).status_code == 429
    assert web.log_in(team.ana).status_code == 302  # 30 failures from this address, yet Ana gets in


def test_behind_a_trusted_proxy_the_limit_keys_on_the_forwarded_client(settings: Settings, db: Database, team: Team) -> None:
    from annotator.auth.service import FAILURES_PER_NAME_AND_ADDRESS

    app = create_app(settings.model_copy(update={"trusted_proxy_hops": 1}), db)
    client = app.test_client()

    def log_in(address: str, password: str) -> int:
        client.get("/login", headers={"X-Forwarded-For": address})
        token = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/login").text)
        assert token
        form = {"name": "ana", "password": password, "csrf_token": token.group(1)}
        return client.post("/login", data=form, headers={"X-Forwarded-For": address}).status_code

    for _ in range(FAILURES_PER_NAME_AND_ADDRESS):
        assert log_in("203.0.113.9", "wrong-guess") == 401
    assert log_in("203.0.113.9", team.ana.password) == 429
    assert log_in("198.51.100.4", team.ana.password) == 302  # same proxy hop, another client


def test_the_command_line_manages_users_tokens_and_members(db: Database, team: Team, project_id: int) -> None:
    runner = CliRunner(env={"ANNOTATOR_DATABASE_URL": db.url})

    def run(*args: str) -> str:
        result = runner.invoke(main, list(args))
        assert result.exit_code == 0, result.output
        return result.output

    assert run("project", "remove-member", "sample", "cleo").startswith("cleo is no longer a member of sample; 0 article(s)")
    assert run("project", "add-member", "sample", "cleo", "--role", "lead") == "cleo is a lead of sample\n"
    assert "cleo\tlead\tactive" in run("project", "members", "sample")
    token_id = run("token", "list", "ana").split("\t")[0]
    assert run("token", "revoke", token_id) == f"revoked token {token_id} of 'ana'\n"
    assert run("user", "disable", "ben").startswith("disabled 'ben'; 0 article(s)")
    assert "ben\tannotator\tdisabled" in run("user", "list")
    refused = runner.invoke(main, ["project", "remove-member", "sample", "nobody"])
    assert refused.exit_code == 1 and "no user named 'nobody'" in refused.output


def test_upgrading_keeps_every_existing_user_in_every_existing_project(tmp_path: Path) -> None:
    db = database_at(tmp_path / "old.db", "0005")
    with db.engine.begin() as connection:
        connection.execute(text("INSERT INTO label_schemas (name, version, document, sha256, created_at) VALUES ('s', '1', '{}', 'x', CURRENT_TIMESTAMP)"))
        connection.execute(text("INSERT INTO projects (name, label_schema_id, overlap, created_at) VALUES ('old', 1, 2, CURRENT_TIMESTAMP)"))
        for name, role in (("ana", "annotator"), ("lena", "lead"), ("ada", "admin")):
            connection.execute(text("INSERT INTO users (name, password_hash, role, created_at) VALUES (:n, '!', :r, CURRENT_TIMESTAMP)"),
                               {"n": name, "r": role})
    upgrade_to_head(db)
    with db.session() as session:
        members = session.execute(select(User.name, ProjectMember.role).join(ProjectMember, ProjectMember.user_id == User.id)).all()
    assert sorted(members) == [("ana", "annotator"), ("lena", "lead")]
    db.dispose()


def test_a_password_change_ends_every_api_token_and_the_page_names_them(web: WebSession, api: ApiClient, team: Team, project_id: int) -> None:
    api.post("/tokens", json={"label": "training pipeline"})
    logged_in(web, team.ana)
    changed = web.post("/account/password", data={
        "csrf_token": web.csrf_token("/account"), "current_password": team.ana.password,
        "new_password": "a-brand-new-pass", "confirm_password": "a-brand-new-pass"})
    assert "2 API token(s) ended: training pipeline (ann_" in changed.text
    assert api.get("/projects").status_code == 401


def test_a_reset_password_ends_every_api_token_and_says_which(api: ApiClient, team: Team, project_id: int) -> None:
    reset = api.as_(team.lena).post("/users/ana/password")
    assert [token["hint"] for token in reset.json()["tokens_ended"]] == [team.ana.token[:8]]
    assert api.get("/projects").status_code == 401


def test_replies_that_show_a_secret_once_are_never_cached(web: WebSession, api: ApiClient, team: Team, project_id: int) -> None:
    assert api.post("/tokens", json={"label": "x"}).headers["Cache-Control"] == "no-store"
    assert api.as_(team.lena).post("/users", json={"name": "dora"}).headers["Cache-Control"] == "no-store"
    assert api.as_(team.lena).post("/users/dora/password").headers["Cache-Control"] == "no-store"
    logged_in(web, team.lena)
    made = web.post("/account/tokens", data={"csrf_token": web.csrf_token("/account"), "label": "y"})
    assert "shown this once" in made.text and made.headers["Cache-Control"] == "no-store"
    created = web.post("/users", data={"csrf_token": web.csrf_token("/users"), "name": "eve", "role": "annotator"})
    assert "Password for eve" in created.text and created.headers["Cache-Control"] == "no-store"
    reset = web.post("/users/eve/password", data={"csrf_token": web.csrf_token("/users")})
    assert "Password for eve" in reset.text and reset.headers["Cache-Control"] == "no-store"


def test_a_new_token_never_takes_a_revoked_tokens_id(api: ApiClient, team: Team, project_id: int) -> None:
    newest = api.post("/tokens", json={"label": "first"}).json()["token"]["id"]
    assert api.request("DELETE", f"/tokens/{newest}").status_code == 204
    assert api.post("/tokens", json={"label": "second"}).json()["token"]["id"] > newest


def test_upgrading_to_token_audits_keeps_every_account_token_and_membership(tmp_path: Path) -> None:
    db = database_at(tmp_path / "old.db", "0008")
    with db.engine.begin() as connection:
        connection.execute(text("INSERT INTO label_schemas (name, version, document, sha256, created_at) VALUES ('s', '1', '{}', 'x', CURRENT_TIMESTAMP)"))
        connection.execute(text("INSERT INTO projects (name, label_schema_id, overlap, created_at) VALUES ('old', 1, 2, CURRENT_TIMESTAMP)"))
        connection.execute(text("INSERT INTO users (name, password_hash, role, created_at) VALUES ('ana', '!', 'annotator', CURRENT_TIMESTAMP)"))
        connection.execute(text("INSERT INTO project_members (project_id, user_id, role, added_at) VALUES (1, 1, 'annotator', CURRENT_TIMESTAMP)"))
        connection.execute(text("INSERT INTO api_tokens (user_id, token_hash, label, hint, created_at) VALUES (1, 'h', 'l', 'ann_', CURRENT_TIMESTAMP)"))
    upgrade_to_head(db)
    with db.engine.connect() as connection:
        kept = [connection.execute(text(f"SELECT count(*) FROM {table}")).scalar() for table in ("users", "project_members", "api_tokens")]
    assert kept == [1, 1, 1]
    db.dispose()


def test_guesses_of_the_current_password_are_limited_like_logins(web: WebSession, team: Team, project_id: int) -> None:
    from annotator.auth.service import FAILURES_PER_NAME_AND_ADDRESS

    logged_in(web, team.ana)
    form = {"current_password": "a-wrong-guess", "new_password": "a-brand-new-pass", "confirm_password": "a-brand-new-pass"}
    for _ in range(FAILURES_PER_NAME_AND_ADDRESS):
        assert "the current password is wrong" in web.post("/account/password", data={**form, "csrf_token": web.csrf_token("/account")}).text
    right = web.post("/account/password", data={**form, "current_password": team.ana.password, "csrf_token": web.csrf_token("/account")})
    assert "Too many wrong passwords" in right.text  # even the right one waits now
    assert WebSession(web.base_url).log_in(team.ana).status_code == 429
