"""Long writes take turns with saves: imports commit a batch at a time, and a save that cannot get
the database in time is told to retry (503 with Retry-After), never given a 500."""

from __future__ import annotations

import json
from io import BytesIO

import pytest
from sqlalchemy import event, text

from annotator.ingest.readers import read_stream
from annotator.ingest.store import import_records
from annotator.storage import Database
from annotator.storage import database as storage_database
from tests.support import ApiClient, Team


def test_an_import_commits_a_batch_at_a_time(db: Database, project_id: int) -> None:
    lines = b"".join(json.dumps({"text": f"Turn article {i}."}).encode() + b"\n" for i in range(2500))
    commits: list[int] = []
    event.listen(db.engine, "commit", lambda _connection: commits.append(1))
    with db.session(write=True) as session:
        report = import_records(session, project_id, read_stream("turns.jsonl", BytesIO(lines)))
    assert report.imported == 2500
    assert len(commits) >= 3  # never one transaction for the whole file


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
def test_a_save_that_cannot_get_the_write_lock_in_time_is_told_to_retry(
    db: Database, api: ApiClient, team: Team, project_id: int, monkeypatch: pytest.MonkeyPatch,
) -> None:
    article = api.next_article(project_id)
    monkeypatch.setattr(storage_database, "SQLITE_BUSY_TIMEOUT_MS", 200)
    other_process = Database(db.url)  # its own lock file descriptor, as another worker has
    try:
        with other_process.session(write=True) as holding:
            holding.execute(text("SELECT 1"))  # BEGIN IMMEDIATE: the write lock is held
            reply = api.put(f"/articles/{article['id']}/annotation", json={"base_revision": None, "statements": []})
            holding.rollback()
    finally:
        other_process.dispose()
    assert reply.status_code == 503, reply.text
    assert reply.headers["Retry-After"] == "2"
    assert "nothing was saved" in reply.json()["message"]
    retried = api.put(f"/articles/{article['id']}/annotation", json={"base_revision": None, "statements": []})
    assert retried.status_code == 200
