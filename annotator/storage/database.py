"""Engine and session setup shared by the web app, the CLI and the tests."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

import orjson

from sqlalchemy import ColumnElement, CursorResult, Engine, Result, create_engine, event
from sqlalchemy.orm import InstrumentedAttribute, Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 10_000


class Database:
    """One engine, two kinds of session: readers and writers.

    On SQLite a writer opens its transaction with BEGIN IMMEDIATE, so a
    read-then-write transaction waits for the write lock up front instead of
    failing half-way with "database is locked". On PostgreSQL both are the same.
    """

    def __init__(self, url: str, **engine_options: Any) -> None:
        self.url = url
        # orjson reads the stored label documents several times faster than json.
        engine_options.setdefault("json_deserializer", orjson.loads)
        engine_options.setdefault("json_serializer", lambda value: orjson.dumps(value).decode())
        self.engine: Engine = create_engine(url, **engine_options)
        if self.is_sqlite:
            _configure_sqlite(self.engine, threading.Lock())
        self._readers = sessionmaker(self.engine, expire_on_commit=False)
        self._writers = sessionmaker(
            self.engine.execution_options(begin_immediate=True), expire_on_commit=False
        )

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def session(self, *, write: bool = False) -> Session:
        return (self._writers if write else self._readers)()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A writer session that commits on success and rolls back on error."""
        with self.session(write=True) as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


def pointer_is(column: ColumnElement[int | None] | InstrumentedAttribute[int | None], revision_id: int | None) -> ColumnElement[bool]:
    """SQL condition: a head-revision pointer still holds `revision_id` (NULL for none yet)."""
    return column.is_(None) if revision_id is None else column == revision_id


def rows_changed(result: Result[Any]) -> int:
    """How many rows an UPDATE touched (its rowcount, which every DML result carries)."""
    return cast(CursorResult[Any], result).rowcount


HOLDS_WRITE_LOCK = "annotator_holds_write_lock"


def _configure_sqlite(engine: Engine, writers: threading.Lock) -> None:
    """WAL, full sync, foreign keys; writers queue on a lock in this process.

    SQLite lets one writer in at a time; threads that wait inside SQLite poll
    with sleeps of up to 100 ms, which makes long tails. Queuing on a Python
    lock first hands the database over as soon as the previous writer commits;
    the busy timeout still arbitrates between processes.
    """
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below issue BEGIN itself.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # FULL: a commit is on disk before the client hears it is saved.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        if connection.get_execution_options().get("begin_immediate", False):
            writers.acquire()
            connection.info[HOLDS_WRITE_LOCK] = True
            try:
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            except BaseException:
                release(connection)
                raise
        else:
            connection.exec_driver_sql("BEGIN")

    def release(connection: Any) -> None:
        if connection.info.pop(HOLDS_WRITE_LOCK, False):
            writers.release()

    event.listen(engine, "commit", release)
    event.listen(engine, "rollback", release)
