"""Storage on SQLite and PostgreSQL: migrations, connection settings, append-only revisions."""

from __future__ import annotations

import errno
import os
import threading

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from annotator.storage import Database
from annotator.storage.database import LogFlusher, WriterQueue
from annotator.storage.failures import storage_failure
from annotator.storage.migrate import is_at_head, upgrade_to_head
from annotator.storage.search import made_by_models
from annotator.storage.tables import Base, LabelSchemaRecord, LoginFailure, utcnow


def test_migrations_produce_exactly_the_models(db: Database) -> None:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_name": made_by_models})
        assert compare_metadata(context, Base.metadata) == []


def test_upgrading_twice_changes_nothing(db: Database) -> None:
    upgrade_to_head(db)
    assert is_at_head(db)


def test_migrating_turns_suggestion_decisions_stored_as_json_null_into_none(db: Database, schema) -> None:  # type: ignore[no-untyped-def]
    from alembic import command

    from annotator.storage.migrate import alembic_config
    from bench.workload import Workload, build

    build(db, schema, Workload(articles=2, annotators=2, statements=1))
    with db.engine.begin() as connection:  # as saves stored "no decisions" before migration 0008
        connection.execute(text("UPDATE annotation_revisions SET suggestion_decisions = 'null'"))
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "0007")
    upgrade_to_head(db)
    with db.engine.connect() as connection:
        stored = connection.execute(text("SELECT count(*), count(suggestion_decisions) FROM annotation_revisions")).one()
    assert tuple(stored) == (4, 0)


def test_sqlite_runs_with_wal_foreign_keys_and_busy_timeout(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = Database(f"sqlite:///{tmp_path / 'a.db'}")
    with db.engine.connect() as connection:
        settings = {name: connection.exec_driver_sql(f"PRAGMA {name}").scalar() for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")}
    assert settings == {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 10_000, "synchronous": 2}


@pytest.fixture
def fsynced_paths(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The path of every file flushed with os.fsync from here on (the flushes still happen)."""
    flushed: list[str] = []
    really_fsync = os.fsync

    def fsync(descriptor: int) -> None:
        flushed.append(os.readlink(f"/proc/self/fd/{descriptor}"))
        really_fsync(descriptor)

    monkeypatch.setattr(os, "fsync", fsync)
    return flushed


def _commit_reaches_the_disk(session, fsynced_paths: list[str]) -> bool:  # type: ignore[no-untyped-def]
    """Whether this writer's commit is on disk when commit() returns: PostgreSQL's synchronous_commit,
    SQLite's write-ahead log flushed during the commit."""
    if session.get_bind().dialect.name == "postgresql":
        durable = session.execute(text("SHOW synchronous_commit")).scalar() == "on"
        session.commit()
        return bool(durable)
    session.execute(text("SELECT 1"))
    before = len(fsynced_paths)
    session.commit()
    return any(path.endswith("-wal") for path in fsynced_paths[before:])


def test_every_writers_commit_reaches_the_disk_before_it_returns(db: Database, fsynced_paths: list[str]) -> None:
    for _ in range(3):  # a claim of an article as much as a save: a crash must not take a claim handed out
        with db.session(write=True) as session:
            assert _commit_reaches_the_disk(session, fsynced_paths)


def test_a_sqlite_save_is_flushed_after_the_next_writer_is_let_in(tmp_path, monkeypatch, fsynced_paths) -> None:  # type: ignore[no-untyped-def]
    db = Database(f"sqlite:///{tmp_path / 'a.db'}")
    happened: list[str] = []
    let_in = WriterQueue.release

    def release(queue: WriterQueue) -> None:
        happened.append("next writer let in")
        let_in(queue)

    monkeypatch.setattr(WriterQueue, "release", release)
    with db.session(write=True) as session:
        session.execute(text("CREATE TABLE t (x)"))
        session.commit()
        happened.extend("log flushed" for path in fsynced_paths if path.endswith("a.db-wal"))
    db.dispose()
    # The disk's wait is outside the write lock, and still before commit() returns.
    assert happened == ["next writer let in", "log flushed"]


def test_one_log_flush_covers_every_commit_made_before_it_began(tmp_path, fsynced_paths) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "a.db-wal").write_bytes(b"frames")
    flusher = LogFlusher(tmp_path / "a.db")
    first, second = flusher.committed(), flusher.committed()
    flusher.flush(first)
    flusher.flush(second)  # its commit had ended before the first flush began
    third = flusher.committed()
    flusher.flush(third)
    flusher.close()
    log_flushes = [path for path in fsynced_paths if path.endswith("a.db-wal")]
    assert len(log_flushes) == 2


def test_a_new_log_file_has_its_name_flushed_once(tmp_path, fsynced_paths) -> None:  # type: ignore[no-untyped-def]
    log = tmp_path / "a.db-wal"
    log.write_bytes(b"frames")
    flusher = LogFlusher(tmp_path / "a.db")
    flusher.flush(flusher.committed())
    flusher.flush(flusher.committed())
    log.unlink()  # SQLite removes the log when the last connection closes, and makes a new one
    log.write_bytes(b"frames")
    flusher.flush(flusher.committed())
    flusher.close()
    assert fsynced_paths.count(str(tmp_path)) == 2
    assert fsynced_paths.count(str(log)) == 3


def test_a_log_that_cannot_be_flushed_is_a_storage_failure(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "a.db-wal").write_bytes(b"frames")
    flusher = LogFlusher(tmp_path / "a.db")

    def failing_fsync(descriptor: int) -> None:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(DBAPIError) as raised:
        flusher.flush(flusher.committed())
    flusher.close()
    failure = storage_failure(raised.value)
    assert failure is not None and failure.status == 503


def test_a_sqlite_writer_lets_the_next_one_in_only_after_its_commit_has_ended(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    db = Database(f"sqlite:///{tmp_path / 'a.db'}")
    still_in_transaction: list[bool] = []
    let_in = WriterQueue.release

    def release(queue: WriterQueue) -> None:
        still_in_transaction.append(driver.in_transaction)
        let_in(queue)

    monkeypatch.setattr(WriterQueue, "release", release)
    for end in ("commit", "rollback"):
        with db.session(write=True) as session:
            session.execute(text("CREATE TABLE IF NOT EXISTS t (x)"))
            driver = session.connection().connection.dbapi_connection
            getattr(session, end)()
    db.dispose()
    # SQLAlchemy announces a commit before it makes it: let in then, the next writer met SQLite's lock.
    assert still_in_transaction == [False, False]


def test_a_failed_transaction_stores_nothing(db: Database) -> None:
    with pytest.raises(RuntimeError), db.transaction() as session:
        session.add(LabelSchemaRecord(name="s", version="1", document={}, sha256="0" * 64))
        session.flush()
        raise RuntimeError("crash half-way")
    with db.session() as session:
        assert session.scalars(select(LabelSchemaRecord)).all() == []


def test_foreign_keys_are_enforced(db: Database) -> None:
    with pytest.raises(IntegrityError, match="(?i)foreign key"), db.transaction() as session:
        session.execute(
            text("INSERT INTO api_tokens (user_id, token_hash, created_at) VALUES (999, 'x', CURRENT_TIMESTAMP)")
        )


def test_writers_of_two_processes_take_turns_on_one_sqlite_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # Two Database objects hold separate file locks, exactly as two gunicorn workers do.
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    first, second = Database(url), Database(url)
    upgrade_to_head(first)
    seen_by_second: list[int] = []

    def write_second() -> None:
        with second.transaction() as session:
            seen_by_second.append(len(session.scalars(select(LoginFailure.id)).all()))
            session.add(LoginFailure(name="second", remote_addr="127.0.0.1", at=utcnow()))

    with first.transaction() as session:
        session.add(LoginFailure(name="first", remote_addr="127.0.0.1", at=utcnow()))
        session.flush()
        waiting = threading.Thread(target=write_second)
        waiting.start()
        waiting.join(0.3)
        assert waiting.is_alive()  # queued behind the first writer, not failed
    waiting.join(10)
    assert seen_by_second == [1]
    assert (tmp_path / "shared.db-writer.lock").exists()
    first.dispose()
    second.dispose()


def test_a_sqlite_file_in_a_folder_not_made_yet_gets_its_folder(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = Database(f"sqlite:///{tmp_path / 'not' / 'yet' / 'annotator.db'}")
    upgrade_to_head(db)
    assert (tmp_path / "not" / "yet" / "annotator.db").is_file()
    db.dispose()
