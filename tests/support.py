"""Small helpers the tests share: people, an HTTP API client, a valid statement."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from alembic import command
from sqlalchemy import func, select

from annotator.auth.membership import set_member
from annotator.auth.service import create_token
from annotator.ingest.readers import ReadResult, read_paths
from annotator.ingest.store import import_records
from annotator.labelschema import LabelSchema
from annotator.projects.service import create_project
from annotator.shipped import SAMPLE_CORPUS
from annotator.storage import Database
from annotator.storage.migrate import alembic_config
from annotator.storage.tables import Article, Project, User


@dataclass(frozen=True)
class TeamMember:
    name: str
    password: str
    token: str


@dataclass(frozen=True)
class Team:
    ana: TeamMember
    ben: TeamMember
    cleo: TeamMember
    lena: TeamMember


class ApiClient:
    """Talks to /api/v1 over HTTP with one member's Bearer token."""

    def __init__(self, base_url: str, member: TeamMember) -> None:
        self.base_url = base_url
        self.member = member
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {member.token}"

    def as_(self, member: TeamMember) -> ApiClient:
        return ApiClient(self.base_url, member)

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return self.http.request(method, f"{self.base_url}/api/v1{path}", timeout=30, **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PUT", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PATCH", path, **kwargs)

    def next_article(self, project_id: int) -> dict[str, Any] | None:
        response = self.post(f"/projects/{project_id}/next")
        response.raise_for_status()
        return response.json()["article"]


def span_of(text: str, quote: str, occurrence: int = 0) -> dict[str, Any]:
    """The span of the n-th occurrence of `quote` in `text`."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(quote, start + 1)
    return {"start": start, "end": start + len(quote), "text": quote}


def refusal_statement(text: str) -> dict[str, Any]:
    """A valid statement on the sample article "Kremlin says no groundwork yet..."."""
    return {
        "actor": {"id": "peskov", "span": span_of(text, "Kremlin spokesman Dmitry Peskov")},
        "stance": "conditional",
        "target": "leaders_meeting",
        "preconditions": [
            {"category": "substantive_agenda", "span": span_of(text, "a substantive agenda on paper")}
        ],
        "source_outlet": {"id": "tass", "span": span_of(text, "Tass news agency")},
        "evidence": span_of(text, "Until the delegations have a substantive agenda on paper"),
    }


class WebSession:
    """A browser-like cookie session over HTTP: log in through the form, send CSRF tokens."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.http = requests.Session()

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.http.get(f"{self.base_url}{path}", timeout=30, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.http.post(f"{self.base_url}{path}", timeout=30, **kwargs)

    def csrf_token(self, path: str = "/login") -> str:
        match = re.search(r'name="csrf-token" content="([^"]+)"', self.get(path).text)
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    def log_in(self, member: TeamMember, password: str | None = None, next_path: str = "/") -> requests.Response:
        form = {"name": member.name, "password": password or member.password, "next": next_path}
        return self.post("/login", data={**form, "csrf_token": self.csrf_token()}, allow_redirects=False)


def statement_on(text: str, actor: str, actor_name: str, target: str, stance: str, evidence: str) -> dict[str, Any]:
    """A statement without preconditions, its spans found in `text`."""
    return {
        "actor": {"id": actor, "span": span_of(text, actor_name)},
        "stance": stance,
        "target": target,
        "preconditions": [],
        "source_outlet": None,
        "evidence": span_of(text, evidence),
    }


def unfilled_recount(db: Database, project_id: int) -> tuple[int, int]:
    """The project's kept count of unfilled articles, and the same counted row by row."""
    with db.session() as session:
        project = session.get(Project, project_id)
        assert project is not None
        recount = session.scalar(
            select(func.count(Article.id)).where(Article.project_id == project_id, Article.assigned_count < project.overlap)
        )
        return project.unfilled_articles, recount or 0


def annotators_with_tokens(
    db: Database, schema: LabelSchema, count: int, overlap: int, name: str = "load", articles: Iterable[ReadResult] | None = None,
) -> tuple[int, list[str]]:
    """A project holding these articles (the sample corpus by default), with `count` annotators
    (worker0, worker1, ...) and their tokens."""
    with db.session(write=True) as session:
        project = create_project(session, name, schema, overlap=overlap)
        users = [User(name=f"worker{i}", password_hash="!", role="annotator") for i in range(count)]
        session.add_all(users)
        session.flush()
        tokens = [create_token(session, user) for user in users]
        for user in users:
            set_member(session, project.id, user, "annotator")
        session.commit()
        import_records(session, project.id, read_paths([SAMPLE_CORPUS]) if articles is None else articles)
        return project.id, tokens


def database_at(path: Path, revision: str) -> Database:
    """A SQLite database migrated only up to `revision`, as an older release left it."""
    db = Database(f"sqlite:///{path}")
    config = alembic_config()
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    return db
