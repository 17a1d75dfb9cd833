"""A lead's power over accounts ends where her projects end: she manages an annotator only when
she leads every project the annotator belongs to, and what an admin disabled only an admin enables."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import requests
from click.testing import CliRunner

from annotator.accounts.service import disable_user, remove_member
from annotator.auth.membership import set_member
from annotator.auth.service import create_token, get_user
from annotator.labelschema import LabelSchema
from annotator.cli import main
from annotator.projects.service import create_project, find_project
from annotator.storage import Database
from annotator.storage.tables import User
from tests.support import ApiClient, Team, TeamMember, WebSession

# Where each annotator ends up, beside Lena's project "sample", and whether Lena manages them.
REACH = {
    "ana": ("only in Lena's project", True),
    "ben": ("in Lena's project and another lead's", False),
    "cleo": ("only in another lead's project", False),
    "dora": ("in no project", True),
}


@pytest.fixture
def tokens(db: Database, schema: LabelSchema, team: Team, project_id: int, password_hash: str) -> dict[str, str]:
    """Lena leads "sample"; Otto leads "other". Ana is in sample, Ben in both, Cleo in other only, Dora in none."""
    with db.session(write=True) as session:
        otto = User(name="otto", password_hash=password_hash, role="lead")
        dora = User(name="dora", password_hash=password_hash, role="annotator")
        session.add_all([otto, dora])
        session.flush()
        other = create_project(session, "other", schema, overlap=2, lead=otto)
        for name in ("ben", "cleo"):
            set_member(session, other.id, get_user(session, name), "annotator")
        remove_member(session, find_project(session, project_id), "cleo")
        issued = {"ana": team.ana.token, "ben": team.ben.token, "cleo": team.cleo.token, "dora": create_token(session, dora)}
        session.commit()
        return issued


def works(base: str, token: str) -> bool:
    return requests.get(f"{base}/api/v1/projects", headers={"Authorization": f"Bearer {token}"}, timeout=10).status_code == 200


def token_id_of(api: ApiClient, name: str, token: str) -> int:
    return int(api.as_(TeamMember(name, "", token)).get("/tokens").json()["tokens"][0]["id"])


OPERATIONS: dict[str, Callable[[ApiClient, str, int], requests.Response]] = {
    "reset password": lambda lead, name, _: lead.post(f"/users/{name}/password"),
    "disable": lambda lead, name, _: lead.post(f"/users/{name}/disable"),
    "revoke token": lambda lead, name, token_id: lead.request("DELETE", f"/tokens/{token_id}"),
}


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize("name", REACH)
def test_a_lead_manages_an_annotator_only_if_she_leads_all_their_projects(
    api: ApiClient, team: Team, tokens: dict[str, str], operation: str, name: str,
) -> None:
    token_id = token_id_of(api, name, tokens[name])
    reply = OPERATIONS[operation](api.as_(team.lena), name, token_id)
    allowed = REACH[name][1]
    assert reply.status_code == (200 if operation != "revoke token" else 204) if allowed else 403, reply.text
    if not allowed:
        assert "'password'" not in reply.text and "password" not in reply.json()
        assert works(api.base_url, tokens[name]), "a refused operation changed nothing"


@pytest.mark.parametrize("name", REACH)
def test_a_lead_enables_an_annotator_only_if_she_leads_all_their_projects(
    api: ApiClient, team: Team, tokens: dict[str, str], db: Database, name: str,
) -> None:
    with db.transaction() as session:
        disable_user(session, get_user(session, name), actor=get_user(session, "otto"))  # a lead disabled them
    reply = api.as_(team.lena).post(f"/users/{name}/enable")
    assert reply.status_code == (200 if REACH[name][1] else 403)


def test_what_an_admin_disabled_only_an_admin_enables(api: ApiClient, team: Team, tokens: dict[str, str], db: Database,
                                                      password_hash: str) -> None:
    with db.session(write=True) as session:
        ada = User(name="ada", password_hash=password_hash, role="admin")
        session.add(ada)
        session.flush()
        admin = ApiClient(api.base_url, TeamMember("ada", "", create_token(session, ada)))
        session.commit()
    assert admin.post("/users/ana/disable").status_code == 200
    refused = api.as_(team.lena).post("/users/ana/enable")
    assert refused.status_code == 403 and "disabled by an admin" in refused.json()["message"]
    assert admin.post("/users/ana/enable").status_code == 200


def test_what_the_command_line_disabled_only_an_admin_enables(api: ApiClient, team: Team, tokens: dict[str, str], db: Database) -> None:
    assert CliRunner(env={"ANNOTATOR_DATABASE_URL": db.url}).invoke(main, ["user", "disable", "ana"]).exit_code == 0
    assert api.as_(team.lena).post("/users/ana/enable").status_code == 403


def test_a_lead_lists_only_the_tokens_she_may_revoke(api: ApiClient, team: Team, tokens: dict[str, str]) -> None:
    owners = {token["user"] for token in api.as_(team.lena).get("/tokens").json()["tokens"]}
    assert owners == {"lena", "ana", "dora"}


def test_the_users_page_offers_a_lead_only_the_accounts_she_manages(web: WebSession, team: Team, tokens: dict[str, str]) -> None:
    assert web.log_in(team.lena).status_code == 302
    page = web.get("/users").text
    offered = {name for name in REACH if f"Reset password of {name}" in page}
    assert offered == {name for name, (_, allowed) in REACH.items() if allowed}


def test_the_users_page_refuses_a_lead_reaching_into_another_project(web: WebSession, team: Team, tokens: dict[str, str]) -> None:
    assert web.log_in(team.lena).status_code == 302
    refused = web.post("/users/ben/password", data={"csrf_token": web.csrf_token("/users")})
    assert "also belongs to a project you do not lead" in refused.text
    assert "Password for ben" not in refused.text
    assert works(web.base_url, tokens["ben"])
