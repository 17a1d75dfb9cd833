"""`annotator backup`: a consistent copy of a live SQLite database, and restoring from it."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner
from sqlalchemy import func, select, text

from annotator.cli import main
from annotator.storage import Database
from annotator.storage.backup import BackupRefused, backup_sqlite
from annotator.storage.tables import Article, LoginFailure
from tests.conftest import sqlite_database
from tests.processes import AppProcess
from tests.support import Team, database_at


@pytest.fixture
def db(tmp_path: Path):  # type: ignore[no-untyped-def]
    yield from sqlite_database(tmp_path)


def count(database: Database, table: type) -> int:  # type: ignore[type-arg]
    with database.session() as session:
        return session.scalar(select(func.count()).select_from(table)) or 0


def test_backup_of_a_database_in_use_restores_every_row(db: Database, project_id: int, tmp_path: Path) -> None:
    stop, wrote = threading.Event(), threading.Event()

    def keep_writing() -> None:  # another client writing all through the backup
        while not stop.is_set():
            with db.transaction() as session:
                session.add(LoginFailure(name="writer", remote_addr="127.0.0.1"))
            wrote.set()

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        assert wrote.wait(timeout=30)
        result = CliRunner(env={"ANNOTATOR_DATABASE_URL": db.url}).invoke(main, ["backup", str(tmp_path / "copy.db")])
    finally:
        stop.set()
        writer.join()
    assert result.exit_code == 0, result.output
    restored_url = f"sqlite:///{tmp_path / 'restored' / 'annotator.db'}"
    restoring = CliRunner(env={"ANNOTATOR_DATABASE_URL": restored_url}).invoke(main, ["restore", str(tmp_path / "copy.db")])
    assert restoring.exit_code == 0, restoring.output
    restored = Database(restored_url)
    assert count(restored, Article) == 8
    assert 0 < count(restored, LoginFailure) <= count(db, LoginFailure)
    with restored.engine.connect() as connection:
        assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    restored.dispose()


def test_backup_never_overwrites(db: Database, tmp_path: Path) -> None:
    (tmp_path / "taken.db").write_text("precious")
    with pytest.raises(BackupRefused, match="exists"):
        backup_sqlite(db, tmp_path / "taken.db")
    assert (tmp_path / "taken.db").read_text() == "precious"


def test_backup_of_postgresql_points_to_pg_dump(postgres_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    database = Database(postgres_server.url("annotator_template"))
    with pytest.raises(BackupRefused, match="pg_dump"):
        backup_sqlite(database, tmp_path / "copy.db")
    database.dispose()


def stale_log_beside(database_file: Path, rows: int) -> None:
    """Leave a write-ahead log holding `rows` later writes beside the file, as a stopped server can."""
    connection = sqlite3.connect(database_file)
    connection.execute("PRAGMA wal_autocheckpoint=0")
    with connection:
        connection.executemany("INSERT INTO login_failures (name, remote_addr, at) VALUES (?, '127.0.0.1', '2026-01-01')",
                               [(f"later{i}",) for i in range(rows)])
    log = Path(f"{database_file}-wal").read_bytes()
    connection.close()  # the last connection folds its log in and deletes it...
    Path(f"{database_file}-wal").write_bytes(log)  # ...so put the log back, as a kill would have left it


def test_restore_gives_back_exactly_the_backup_even_beside_a_stale_log(db: Database, project_id: int, tmp_path: Path) -> None:
    runner = CliRunner(env={"ANNOTATOR_DATABASE_URL": db.url})
    assert runner.invoke(main, ["backup", str(tmp_path / "copy.db")]).exit_code == 0
    in_backup = count(db, LoginFailure)
    db.dispose()
    stale_log_beside(tmp_path / "annotator.db", rows=500)
    result = runner.invoke(main, ["restore", str(tmp_path / "copy.db")])
    assert result.exit_code == 0, result.output
    restored = Database(db.url)
    assert (count(restored, LoginFailure), count(restored, Article)) == (in_backup, 8)
    restored.dispose()
    kept = next(tmp_path.glob("annotator.db.before-restore-*-wal"))  # the old log went with the old database
    assert kept.stat().st_size > 0 and "replaced database is kept" in result.output


def test_a_backup_is_one_file_that_opens_without_a_log(db: Database, project_id: int, tmp_path: Path) -> None:
    backup_sqlite(db, tmp_path / "copy.db")
    with sqlite3.connect(tmp_path / "copy.db") as copy:
        assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    copy.close()


def test_restore_refuses_while_a_server_runs(db: Database, project_id: int, tmp_path: Path) -> None:
    backup_sqlite(db, tmp_path / "copy.db")
    server = AppProcess(db.url, tmp_path)
    server.start()
    try:
        refused = CliRunner(env={"ANNOTATOR_DATABASE_URL": db.url}).invoke(main, ["restore", str(tmp_path / "copy.db")])
    finally:
        server.stop()
    assert refused.exit_code == 1 and "stop `annotator serve`" in refused.output
    assert not list(tmp_path.glob("annotator.db.before-restore-*"))  # nothing was moved
    after = CliRunner(env={"ANNOTATOR_DATABASE_URL": db.url}).invoke(main, ["restore", str(tmp_path / "copy.db")])
    assert after.exit_code == 0, after.output


def test_restore_refuses_a_file_that_is_not_an_annotator_database(db: Database, tmp_path: Path) -> None:
    (tmp_path / "notes.db").write_bytes(b"not a database at all" * 100)
    result = CliRunner(env={"ANNOTATOR_DATABASE_URL": db.url}).invoke(main, ["restore", str(tmp_path / "notes.db")])
    assert result.exit_code == 1 and "nothing was changed" in result.output
    assert count(db, Article) == 0 and not list(tmp_path.glob("annotator.db.before-restore-*"))


def test_a_stopped_server_leaves_no_log_to_replay(db: Database, project_id: int, team: Team, tmp_path: Path) -> None:
    db.dispose()
    server = AppProcess(db.url, tmp_path, workers=1)
    server.start()
    try:
        http = requests.Session()
        http.headers["Authorization"] = f"Bearer {team.ana.token}"
        assert http.post(f"{server.url}/api/v1/projects/{project_id}/next", timeout=30).status_code == 200
    finally:
        server.stop()
    log = tmp_path / "annotator.db-wal"
    assert not log.exists() or log.stat().st_size == 0


WRITER = """
import sqlite3, sys, pathlib
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("PRAGMA busy_timeout=10000")
while not pathlib.Path(sys.argv[2]).exists():
    connection.execute("INSERT INTO login_failures (name, remote_addr, at) VALUES ('writer', '127.0.0.1', CURRENT_TIMESTAMP)")
"""


def test_backup_finishes_while_another_process_writes_without_pause(db: Database, tmp_path: Path) -> None:
    with db.engine.begin() as connection:  # past a thousand pages, so a page-by-page copy would take several steps
        connection.execute(text("CREATE TABLE filler (blob BLOB)"))
        connection.execute(text("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 12000) "
                                "INSERT INTO filler SELECT randomblob(4000) FROM n"))
    stop = tmp_path / "stop"
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path / "annotator.db"), str(stop)])
    finished: list[int] = []
    backup = threading.Thread(target=lambda: finished.append(backup_sqlite(Database(db.url), tmp_path / "busy.db")), daemon=True)
    try:
        while count(db, LoginFailure) < 100:  # the writer is under way
            time.sleep(0.01)
        backup.start()
        backup.join(timeout=60)
    finally:
        stop.touch()
        writer.wait(timeout=30)
    assert finished and finished[0] > 12000, "the backup did not finish under steady writes"
    with sqlite3.connect(tmp_path / "busy.db") as copy:
        assert copy.execute("SELECT count(*) FROM filler").fetchone()[0] == 12000


def test_backup_copies_the_database_as_it_is_and_never_migrates_it(tmp_path: Path) -> None:
    database_at(tmp_path / "old.db", "0008").dispose()
    result = CliRunner(env={"ANNOTATOR_DATABASE_URL": f"sqlite:///{tmp_path / 'old.db'}"}).invoke(main, ["backup", str(tmp_path / "copy.db")])
    assert result.exit_code == 0, result.output
    for copied in ("old.db", "copy.db"):
        with sqlite3.connect(tmp_path / copied) as database:
            assert database.execute("SELECT version_num FROM alembic_version").fetchone() == ("0008",)
