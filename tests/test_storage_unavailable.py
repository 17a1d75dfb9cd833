"""A database that cannot be written (read-only, full disk) is answered 503 with a storage message,
never a 500; reads go on; `annotator serve` will not start on it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import event, text

from annotator.app import create_app
from annotator.cli import main
from annotator.settings import Settings
from annotator.storage import Database
from tests.support import Team

pytestmark = pytest.mark.usefixtures("project_id")


@pytest.fixture
def read_only_url(db: Database, request: pytest.FixtureRequest) -> Iterator[str]:
    """The same database, now refusing writes: a read-only SQLite file, or a read-only PostgreSQL database."""
    db.dispose()
    if db.is_sqlite:
        yield f"sqlite:///file:{db.engine.url.database}?mode=ro&uri=true"
        return
    name = db.engine.url.database
    server = request.getfixturevalue("postgres_server")
    server.admin(f"ALTER DATABASE {name} SET default_transaction_read_only = on")
    yield db.url
    server.admin(f"ALTER DATABASE {name} SET default_transaction_read_only = off")


def test_a_save_to_a_read_only_database_is_a_503_naming_the_storage(
    read_only_url: str, tmp_path: Path, team: Team, project_id: int,
) -> None:
    database = Database(read_only_url)
    client = create_app(Settings(data_dir=tmp_path, database_url=read_only_url, secret_key="k"), database).test_client()
    headers = {"Authorization": f"Bearer {team.ana.token}"}
    assert client.get(f"/api/v1/projects/{project_id}", headers=headers).status_code == 200  # reads go on
    refused = client.post(f"/api/v1/projects/{project_id}/next", headers=headers)
    assert refused.status_code == 503
    assert refused.json["error"] == "storage_unavailable" and "cannot be written" in refused.json["message"]
    database.dispose()


def test_serve_refuses_to_start_on_a_read_only_database(read_only_url: str, tmp_path: Path) -> None:
    result = CliRunner(env={"ANNOTATOR_DATABASE_URL": read_only_url, "ANNOTATOR_DATA_DIR": str(tmp_path)}).invoke(
        main, ["serve", "--port", "1"])
    assert result.exit_code == 1
    assert "cannot serve: the database cannot be written" in result.output


def test_a_save_to_a_full_sqlite_database_is_a_503_and_stores_nothing(db: Database, tmp_path: Path, team: Team, project_id: int) -> None:
    if not db.is_sqlite:
        pytest.skip("SQLite's page limit stands in for a full disk; PostgreSQL's disk_full (53100) maps the same way")
    url = db.url
    full = Database(url)

    @event.listens_for(full.engine, "connect")
    def no_room_to_grow(connection: Any, _record: Any) -> None:
        pages = connection.execute("PRAGMA page_count").fetchone()[0]
        connection.execute(f"PRAGMA max_page_count={pages}")  # as if the disk had just filled up

    client = create_app(Settings(data_dir=tmp_path, database_url=url, secret_key="k"), full).test_client()
    headers = {"Authorization": f"Bearer {team.lena.token}", "Content-Type": "application/x-ndjson"}
    big = b"".join(b'{"text": "%s"}\n' % (b"A long article about budgets number %d. " % i * 400) for i in range(50))
    refused = client.post(f"/api/v1/projects/{project_id}/articles", data=big, headers=headers)
    assert refused.status_code == 503 and "disk is full" in refused.json["message"]
    with full.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM articles")).scalar() == 8  # the sample corpus only
    full.dispose()


def test_a_save_whose_log_flush_fails_says_it_was_stored_and_its_retry_returns_it(
    db: Database, api, team: Team, project_id: int, monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    import errno
    import os

    if not db.is_sqlite:
        pytest.skip("the log flush after the commit is SQLite's (LogFlusher); PostgreSQL flushes inside its commit")
    article = api.next_article(project_id)
    save = {"base_revision": None, "statements": [], "article": {"relevant": True, "outlet": None, "note": "kept"}}
    really_fsync = os.fsync

    def failing_fsync(descriptor: int) -> None:
        if os.readlink(f"/proc/self/fd/{descriptor}").endswith("-wal"):
            raise OSError(errno.EIO, "Input/output error")
        really_fsync(descriptor)

    monkeypatch.setattr(os, "fsync", failing_fsync)
    failed = api.put(f"/articles/{article['id']}/annotation", json=save)
    monkeypatch.setattr(os, "fsync", really_fsync)
    assert failed.status_code == 503
    assert "your change was stored" in failed.json()["message"] and "nothing was saved" not in failed.json()["message"]
    retried = api.put(f"/articles/{article['id']}/annotation", json=save)
    assert retried.status_code == 200 and retried.json()["article"]["note"] == "kept"
    assert api.get(f"/articles/{article['id']}/annotation").json()["revision"] == retried.json()["revision"]
