"""`annotator backup`: a consistent copy of a live SQLite database, and restoring from it."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select, text

from annotator.cli import main
from annotator.storage import Database
from annotator.storage.backup import BackupRefused, backup_sqlite
from annotator.storage.tables import Article, LoginFailure
from tests.conftest import sqlite_database


@pytest.fixture
def db(tmp_path: Path):  # type: ignore[no-untyped-def]
    yield from sqlite_database(tmp_path)


def count(database: Database, table: type) -> int:  # type: ignore[type-arg]
    with database.session() as session:
        return session.scalar(select(func.count()).select_from(table)) or 0


def test_backup_of_a_database_in_use_restores_every_row(db: Database, project_id: int, tmp_path: Path) -> None:
    stop = threading.Event()

    def keep_writing() -> None:  # another client writing all through the backup
        while not stop.is_set():
            with db.transaction() as session:
                session.add(LoginFailure(name="writer", remote_addr="127.0.0.1"))

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        result = CliRunner(env={"ANNOTATOR_DATABASE_URL": db.url}).invoke(main, ["backup", str(tmp_path / "copy.db")])
    finally:
        stop.set()
        writer.join()
    assert result.exit_code == 0, result.output
    restored_path = tmp_path / "restored" / "annotator.db"
    restored_path.parent.mkdir()
    shutil.copy(tmp_path / "copy.db", restored_path)  # restore: the copy takes the database's place
    restored = Database(f"sqlite:///{restored_path}")
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
