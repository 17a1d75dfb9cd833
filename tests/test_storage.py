"""Storage on SQLite and PostgreSQL: migrations, connection settings, append-only revisions."""

from __future__ import annotations

import threading

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from annotator.storage import Database
from annotator.storage.database import WriterQueue
from annotator.storage.migrate import is_at_head, upgrade_to_head
from annotator.storage.tables import Base, LabelSchemaRecord, LoginFailure, utcnow


def test_migrations_produce_exactly_the_models(db: Database) -> None:
    with db.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []


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


def _flush_setting(session) -> str:  # type: ignore[no-untyped-def]
    """How this writer's commit reaches the disk: SQLite's synchronous level, PostgreSQL's synchronous_commit."""
    if session.get_bind().dialect.name == "sqlite":
        return {1: "normal", 2: "full"}[session.execute(text("PRAGMA synchronous")).scalar()]
    return {"off": "normal", "on": "full"}[session.execute(text("SHOW synchronous_commit")).scalar()]


def test_a_claim_skips_its_own_flush_and_a_save_after_it_on_the_same_connection_flushes(db: Database) -> None:
    one_connection = Database(db.url, pool_size=1, max_overflow=0)  # handed from the claim to the save
    seen = []
    for fsync in (True, False, True):
        with one_connection.session(write=True, fsync=fsync) as session:
            seen.append(_flush_setting(session))
            session.commit()
    one_connection.dispose()
    assert seen == ["full", "normal", "full"]


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
