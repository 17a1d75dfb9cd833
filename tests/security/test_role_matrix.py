"""Every endpoint and page, for every kind of caller: the server decides, and says no clearly."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
from sqlalchemy import select

from annotator.auth.service import create_token
from annotator.storage import Database
from annotator.projects.service import create_project
from annotator.shipped import default_schema_path
from annotator.storage.tables import ApiToken, User
from tests.support import ApiClient, Team, TeamMember, WebSession, refusal_statement

# The outsider is a lead account, and lead of another project, but no member of this one.
ROLES = ("anonymous", "bad_token", "annotator", "other_annotator", "outsider", "lead", "admin")
Body = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class Case:
    method: str
    path: str
    allowed: dict[str, int]
    body: Body = field(default=lambda state: {})

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def api_access(annotator: int, other: int, lead: int, outsider: int = 403) -> dict[str, int]:
    return {"anonymous": 401, "bad_token": 401, "annotator": annotator, "other_annotator": other, "outsider": outsider,
            "lead": lead, "admin": lead}


def page_access(annotator: int, other: int, lead: int, outsider: int = 403) -> dict[str, int]:
    return {"anonymous": 302, "bad_token": 302, "annotator": annotator, "other_annotator": other, "outsider": outsider,
            "lead": lead, "admin": lead}


LEAD_ONLY = api_access(403, 403, 200)
ANY_MEMBER = api_access(200, 200, 200)
ANY_USER = api_access(200, 200, 200, outsider=200)
NEW_PROJECT: Body = lambda s: {"json": {"name": f"p-{s['role']}", "label_schema": s["schema"]}}  # noqa: E731
# Each caller saves on top of its own labels: Ana's revision for Ana, none yet for the others.
LABELS: Body = lambda s: {"json": {  # noqa: E731
    "base_revision": s["revision"] if s["role"] == "annotator" else None, "statements": [refusal_statement(s["text"])]}}
GOLD: Body = lambda s: {"json": {"base_revision": None, "statements": [refusal_statement(s["text"])]}}  # noqa: E731
ASSIGN_TO_CLEO: Body = lambda s: {"json": {"action": "assign", "article_ids": [s["article"]], "annotators": ["cleo"]}}  # noqa: E731
PREDICTIONS: Body = lambda s: {  # noqa: E731
    "data": f'{{"article_id": {s["article"]}, "model": "m", "model_version": "1"}}\n'.encode(),
    "headers": {"Content-Type": "application/x-ndjson"}}
SHIPPED_SCHEMA = default_schema_path().read_text()
JSONL: Body = lambda s: {"data": b'{"text": "A new article."}\n', "headers": {"Content-Type": "application/x-ndjson"}}  # noqa: E731

API = [
    Case("GET", "/api/v1/projects", ANY_USER),
    Case("POST", "/api/v1/projects", api_access(403, 403, 201, outsider=201), NEW_PROJECT),
    Case("GET", "/api/v1/projects/{project}", ANY_MEMBER),
    Case("GET", "/api/v1/projects/{project}/schema", ANY_MEMBER),
    Case("PATCH", "/api/v1/projects/{project}", LEAD_ONLY, lambda s: {"json": {"archived": False}}),
    Case("GET", "/api/v1/projects/{project}/schema/upgrades", LEAD_ONLY),
    Case("GET", "/api/v1/projects/{project}/schema/proposals", LEAD_ONLY),
    # The schema as it stands: a preview with nothing to change.
    Case("POST", "/api/v1/projects/{project}/schema/upgrade", LEAD_ONLY, lambda s: {"json": {"label_schema": SHIPPED_SCHEMA}}),
    Case("PATCH", "/api/v1/articles/{article}", LEAD_ONLY, lambda s: {"json": {"outlet": "Reuters"}}),
    Case("POST", "/api/v1/projects/{project}/articles/delete", LEAD_ONLY,
         lambda s: {"json": {"article_ids": [s["article"]], "dry_run": True}}),
    Case("GET", "/api/v1/projects/{project}/progress", ANY_MEMBER),
    Case("POST", "/api/v1/projects/{project}/articles", LEAD_ONLY, JSONL),
    Case("GET", "/api/v1/projects/{project}/articles", LEAD_ONLY),
    Case("POST", "/api/v1/projects/{project}/next", ANY_MEMBER),
    Case("GET", "/api/v1/articles/{article}", api_access(200, 403, 200)),
    Case("GET", "/api/v1/articles/{article}/suggestions", api_access(200, 403, 200)),
    Case("GET", "/api/v1/articles/{article}/annotation", api_access(200, 403, 200)),
    # Leads (and admins) label beside the annotators, taking no slot: the article has room for both.
    Case("PUT", "/api/v1/articles/{article}/annotation", api_access(200, 403, 200), LABELS),
    Case("POST", "/api/v1/articles/{article}/skip", api_access(409, 403, 404)),
    Case("GET", "/api/v1/articles/{article}/annotations", LEAD_ONLY),
    Case("POST", "/api/v1/projects/{project}/assignments", LEAD_ONLY, ASSIGN_TO_CLEO),
    Case("GET", "/api/v1/projects/{project}/agreement", LEAD_ONLY),
    Case("POST", "/api/v1/projects/{project}/agreement/refresh", LEAD_ONLY),  # a small project's: computed at once
    Case("POST", "/api/v1/projects/{project}/predictions", LEAD_ONLY, PREDICTIONS),
    # Nothing stored yet to evaluate: leads get the reason.
    Case("POST", "/api/v1/projects/{project}/evaluations", api_access(403, 403, 422), lambda s: {"json": {"samples": 5}}),
    Case("GET", "/api/v1/projects/{project}/evaluations", LEAD_ONLY),
    Case("PUT", "/api/v1/projects/{project}/suggestions", LEAD_ONLY, lambda s: {"json": {"model": None, "control_share": 0.2}}),
    Case("GET", "/api/v1/articles/{article}/comparison", LEAD_ONLY),
    Case("GET", "/api/v1/articles/{article}/gold", LEAD_ONLY),
    # After the lead's gold, the admin's save from no revision is stale.
    Case("PUT", "/api/v1/articles/{article}/gold", {**LEAD_ONLY, "admin": 409}, GOLD),
    Case("POST", "/api/v1/projects/{project}/gold/accept-unanimous", LEAD_ONLY),
    Case("GET", "/api/v1/projects/{project}/export", api_access(403, 403, 409)),  # no gold yet
    Case("GET", "/api/v1/articles/{article}/history", LEAD_ONLY),
    Case("POST", "/api/v1/annotation-revisions/{revision}/restore", LEAD_ONLY),
    Case("POST", "/api/v1/gold-revisions/999999/restore", api_access(404, 404, 404, outsider=404)),
    # Every member reads the quality report; an annotator's holds their own entry alone.
    Case("GET", "/api/v1/projects/{project}/quality", ANY_MEMBER),
    Case("POST", "/api/v1/projects/{project}/quality/refresh", LEAD_ONLY),
    Case("GET", "/api/v1/projects/{project}/control-items", LEAD_ONLY),
    Case("POST", "/api/v1/projects/{project}/control-items", api_access(403, 403, 409), lambda s: {"json": {}}),  # no gold yet
    Case("PATCH", "/api/v1/projects/{project}/quality-settings", LEAD_ONLY, lambda s: {"json": {"control_rate": 0.1}}),
    Case("PATCH", "/api/v1/projects/{project}/members/ben/standing", LEAD_ONLY, lambda s: {"json": {"set_aside": False}}),
    Case("GET", "/api/v1/projects/{project}/members", LEAD_ONLY),
    Case("PUT", "/api/v1/projects/{project}/members/cleo", LEAD_ONLY, lambda s: {"json": {"role": "annotator"}}),
    # The lead removes Cleo; for the admin after, she is no member to remove.
    Case("DELETE", "/api/v1/projects/{project}/members/cleo", {**api_access(403, 403, 204), "admin": 404}),
    Case("GET", "/api/v1/users", api_access(403, 403, 200, outsider=200)),
    Case("POST", "/api/v1/users", api_access(403, 403, 201, outsider=201),
         lambda s: {"json": {"name": f"new-{s['role']}", "role": "annotator"}}),
    Case("POST", "/api/v1/users/cleo/disable", api_access(403, 403, 200)),  # the outsider leads no project of cleo's
    # A lead manages annotator accounts and their own; Lena's belongs to a lead.
    Case("POST", "/api/v1/users/lena/password", api_access(403, 403, 200)),
    Case("GET", "/api/v1/tokens", ANY_USER),
    Case("POST", "/api/v1/tokens", api_access(201, 201, 201, outsider=201), lambda s: {"json": {"label": "test"}}),
    # Lena revokes her own token; then the admin finds none.
    Case("DELETE", "/api/v1/tokens/{lena_token}", {**api_access(403, 403, 204), "admin": 404}),
    Case("GET", "/api/v1/openapi.json", dict.fromkeys(ROLES, 200)),
    Case("GET", "/api/v1/no-such-thing", dict.fromkeys(ROLES, 404)),
]

PAGES = [
    Case("GET", "/login", dict.fromkeys(ROLES, 200)),
    Case("GET", "/", page_access(200, 200, 200, outsider=200)),
    Case("GET", "/account", page_access(200, 200, 200, outsider=200)),
    Case("GET", "/users", page_access(403, 403, 200, outsider=200)),
    Case("POST", "/users", page_access(403, 403, 302, outsider=302)),  # an empty form: refused, back to the list
    Case("POST", "/users/cleo/disable", page_access(403, 403, 302, outsider=302)),
    Case("POST", "/tokens/999999/revoke", page_access(302, 302, 302, outsider=302)),
    Case("GET", "/projects/{project}/members", page_access(403, 403, 200)),
    Case("POST", "/projects/{project}/members", page_access(403, 403, 302)),
    Case("GET", "/projects/{project}", page_access(403, 403, 200)),
    Case("GET", "/projects/new", page_access(403, 403, 200, outsider=200)),
    Case("POST", "/projects/new", page_access(403, 403, 422, outsider=422)),  # an empty form: the page names what is missing
    Case("GET", "/projects/{project}/import", page_access(403, 403, 200)),
    Case("POST", "/projects/{project}/assignments", page_access(403, 403, 302)),
    Case("GET", "/projects/{project}/settings", page_access(403, 403, 200)),
    Case("GET", "/projects/{project}/codebook", page_access(403, 403, 200)),
    Case("GET", "/projects/{project}/team", page_access(403, 403, 200)),
    Case("POST", "/projects/{project}/team/settings", page_access(403, 403, 302)),
    Case("POST", "/projects/{project}/team/refresh", page_access(403, 403, 302)),
    Case("POST", "/projects/{project}/team/control-items", page_access(403, 403, 302)),  # no gold: refused, back to the page
    Case("POST", "/projects/{project}/team/ben/standing", page_access(403, 403, 302)),
    Case("POST", "/projects/{project}/codebook/preview", page_access(403, 403, 422)),  # an empty form: the page names the problem
    Case("POST", "/projects/{project}/codebook/apply", page_access(403, 403, 302)),  # nothing sent: refused, back to the page
    Case("POST", "/projects/{project}/codebook/plan", page_access(403, 403, 422)),
    Case("POST", "/projects/{project}/codebook/proposals", page_access(403, 403, 302)),  # no such proposal: back to the page
    Case("POST", "/projects/{project}/settings", page_access(403, 403, 302)),  # an empty form: nothing changed
    Case("POST", "/articles/{article}/details", page_access(403, 403, 302)),
    Case("POST", "/projects/{project}/articles/delete", page_access(403, 403, 302)),  # nothing chosen: back
    Case("GET", "/projects/{project}/models", page_access(403, 403, 200)),
    Case("POST", "/projects/{project}/models/evaluate", page_access(403, 403, 302)),
    Case("POST", "/projects/{project}/models/suggestions", page_access(403, 403, 302)),
    Case("GET", "/evaluations/999999", page_access(404, 404, 404, outsider=404)),
    # Leads who do not hold the article are sent to its adjudication page.
    Case("GET", "/articles/{article}/annotate", page_access(200, 403, 302)),
    Case("POST", "/projects/{project}/next", page_access(302, 302, 302)),
    Case("GET", "/projects/{project}/agreement", page_access(403, 403, 200)),
    Case("POST", "/projects/{project}/agreement/refresh", page_access(403, 403, 302)),
    Case("GET", "/articles/{article}/adjudicate", page_access(403, 403, 200)),
    Case("POST", "/projects/{project}/accept-unanimous", page_access(403, 403, 302)),
]


@pytest.fixture
def state(api: ApiClient, team: Team, project_id: int, db: Database, schema) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Ana holds the first article with saved labels; Ben holds nothing; Otto leads another project; Ada is an admin."""
    article = api.next_article(project_id)
    saved = api.put(f"/articles/{article['id']}/annotation", json={"base_revision": None, "statements": []}).json()
    with db.session(write=True) as session:
        password_hash = session.scalar(select(User.password_hash).where(User.name == "lena"))
        admin = User(name="ada", password_hash=password_hash, role="admin")
        outsider = User(name="otto", password_hash=password_hash, role="lead")
        session.add_all([admin, outsider])
        session.flush()
        create_project(session, "elsewhere", schema, lead=outsider)
        admin_token, outsider_token = create_token(session, admin), create_token(session, outsider)
        lena_token = session.scalar(select(ApiToken.id).join(User).where(User.name == "lena"))
        session.commit()
    members = {
        "annotator": team.ana, "other_annotator": team.ben, "lead": team.lena,
        "outsider": TeamMember("otto", team.lena.password, outsider_token),
        "admin": TeamMember("ada", team.lena.password, admin_token),
        "bad_token": TeamMember("nobody", "", "ann_not-a-real-token"),
    }
    return {"project": project_id, "article": article["id"], "text": article["text"], "revision": saved["revision"],
            "schema": schema.model_dump(mode="json"), "members": members, "lena_token": lena_token}


@pytest.mark.parametrize("case", API, ids=str)
def test_api_access_by_role(case: Case, state: dict[str, Any], server_url: str) -> None:
    found = {}
    for role in ROLES:
        url = server_url + case.path.format(**state)
        kwargs = case.body({**state, "role": role})
        if role == "anonymous":
            response = requests.request(case.method, url, timeout=30, **kwargs)
        else:
            response = ApiClient(server_url, state["members"][role]).http.request(case.method, url, timeout=30, **kwargs)
        found[role] = response.status_code
        if response.status_code >= 400 and case.path != "/api/v1/openapi.json":
            assert response.json()["message"], f"{role}: a refusal names its reason"
    assert found == case.allowed


@pytest.mark.parametrize("case", PAGES, ids=str)
def test_page_access_by_role(case: Case, state: dict[str, Any], server_url: str) -> None:
    found = {}
    for role in ROLES:
        web = WebSession(server_url)
        if role not in ("anonymous", "bad_token"):
            web.log_in(state["members"][role])
        path = case.path.format(**state)
        if case.method == "POST":
            response = web.post(path, data={"csrf_token": web.csrf_token("/login")}, allow_redirects=False)
        else:
            response = web.get(path, allow_redirects=False)
        found[role] = response.status_code
    assert found == case.allowed
