"""Query hygiene: a page costs a fixed number of SQL statements, however much data there is."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from annotator.ingest.readers import read_jsonl
from annotator.ingest.store import import_records
from annotator.storage import Database
from tests.support import ApiClient, Team, WebSession, refusal_statement

BOUND = 25


@contextmanager
def counted(db: Database) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def pages(project_id: int, article_id: int) -> dict[str, str]:
    return {
        "index": "/",
        "overview": f"/projects/{project_id}",
        "agreement": f"/projects/{project_id}/agreement",
        "annotate": f"/articles/{article_id}/annotate",
        "adjudicate": f"/articles/{article_id}/adjudicate",
    }


def label_some(api: ApiClient, team: Team, project_id: int, rounds: int) -> int:
    """Ana and Ben label `rounds` articles each (the same ones); the lead settles them; returns the first."""
    first = None
    for _ in range(rounds):
        for member in (team.ana, team.ben):
            client = api.as_(member)
            article = client.next_article(project_id)
            if article is None:
                continue
            first = first or article["id"]
            text = article["text"]
            statements = [refusal_statement(text)] if "Kremlin spokesman Dmitry Peskov" in text else []
            client.put(f"/articles/{article['id']}/annotation", json={"base_revision": None, "statements": statements})
    api.as_(team.lena).post(f"/projects/{project_id}/gold/accept-unanimous")
    return first or 1


def statement_counts(web: WebSession, db: Database, project_id: int, article_id: int) -> dict[str, int]:
    counts = {}
    for name, path in pages(project_id, article_id).items():
        with counted(db) as statements:
            assert web.get(path).status_code == 200, path
        counts[name] = len(statements)
    return counts


def test_pages_cost_the_same_statements_with_ten_times_the_data(web: WebSession, api: ApiClient, team: Team, project_id: int, db: Database) -> None:
    article_id = label_some(api, team, project_id, rounds=2)
    web.log_in(team.lena)
    small = statement_counts(web, db, project_id, article_id)
    more = "\n".join(json.dumps({"text": f"Extra article number {i}. Putin and Biden met."}) for i in range(80))
    with db.session(write=True) as session:
        import_records(session, project_id, read_jsonl("more.jsonl", io.BytesIO(more.encode())))
    label_some(api, team, project_id, rounds=20)
    large = statement_counts(web, db, project_id, article_id)
    assert large == small, f"statements grew with the data: {small} -> {large}"
    assert max(large.values()) <= BOUND, large


def test_the_guard_finds_the_caller_and_their_role_in_one_statement(api: ApiClient, team: Team, project_id: int, db: Database) -> None:
    ana = api.as_(team.ana)
    article = ana.next_article(project_id)
    assert article is not None
    with counted(db) as statements:
        assert ana.get(f"/articles/{article['id']}").status_code == 200
    # One for who asks and their role in the article's project, one for the article.
    assert len(statements) == 2, statements


def test_a_save_reads_its_article_and_project_in_one_statement(api: ApiClient, team: Team, project_id: int, db: Database) -> None:
    ana = api.as_(team.ana)
    article = ana.next_article(project_id)
    assert article is not None
    with counted(db) as statements:
        saved = ana.put(f"/articles/{article['id']}/annotation", json={"base_revision": None, "statements": []})
    assert saved.status_code == 200, saved.text
    # The guard's; the article with its project; then, writing: the assignment, the revision, the head
    # (on PostgreSQL, where each statement is a round trip to the server, the writing is one statement).
    assert len(statements) == (3 if db.engine.dialect.name == "postgresql" else 5), statements


def test_next_reads_the_project_and_the_callers_open_article_in_one_statement(api: ApiClient, team: Team, project_id: int, db: Database) -> None:
    ana = api.as_(team.ana)
    with counted(db) as statements:
        assert ana.next_article(project_id) is not None
    # The guard's; the project with ana's open article (none); the candidates; the claim's check, slot and
    # assignment (on PostgreSQL one statement); then, the claim committed, the claimed article with the progress
    # counts (one statement). (On PostgreSQL a claim's transaction also sets that its commit need not wait for the disk: a
    # setting, not a query.)
    queries = [s for s in statements if not s.startswith("SET LOCAL synchronous_commit")]
    assert len(queries) == (5 if db.engine.dialect.name == "postgresql" else 7), queries
