"""Engine and session setup shared by the web app, the CLI and the tests."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from contextlib import contextmanager
from typing import Any, cast

import orjson

from sqlalchemy import Connection, CursorResult, Engine, Result, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from annotator.storage.failures import COMMITTED_UNFLUSHED

SQLITE_BUSY_TIMEOUT_MS = 10_000
# After a checkpoint empties the write-ahead log, SQLite cuts the file back to this size,
# so one burst of writes does not leave a log larger than the database behind it.
SQLITE_WAL_SIZE_LIMIT = 64 * 1024 * 1024


class Database:
    """One engine, two kinds of session: readers and writers.

    On SQLite a writer opens its transaction with BEGIN IMMEDIATE, so a
    read-then-write transaction waits for the write lock up front instead of
    failing half-way with "database is locked". On PostgreSQL both are the same.

    Every writer's commit is on disk before it returns, a claim of an article as
    much as a save: a claim handed to a client survives a crash (unflushed claims
    were lost with a killed database server, and the save after them refused).
    On SQLite the flush comes after the write lock is let go (LogFlusher), so the
    next writer's statements run while this one waits for the disk.
    """

    def __init__(self, url: str, **engine_options: Any) -> None:
        self.url = url
        # orjson reads the stored label documents several times faster than json.
        engine_options.setdefault("json_deserializer", orjson.loads)
        engine_options.setdefault("json_serializer", lambda value: orjson.dumps(value).decode())
        self.engine: Engine = create_engine(url, **engine_options)
        self._writer_queue: WriterQueue | None = None
        self._log_flusher: LogFlusher | None = None
        if self.is_sqlite:
            if (file := sqlite_path(url)) is not None:
                file.parent.mkdir(parents=True, exist_ok=True)  # SQLite makes the file, not its folder
            self._writer_queue, self._log_flusher = _configure_sqlite(self.engine, file)
        # Lean readers need no transaction: each of their reads stands alone (a claim or a save
        # checks again in its writer), and running without one spares a BEGIN and a ROLLBACK.
        # SQLite's driver runs in autocommit already; PostgreSQL's is put in it.
        reader_options: dict[str, Any] = {READS_ALONE: True}
        if not self.is_sqlite:
            reader_options["isolation_level"] = "AUTOCOMMIT"
        self._lean_reader_engine = self.engine.execution_options(**reader_options)
        self._writer_engine = self.engine.execution_options(begin_immediate=True)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def session(self, *, write: bool = False) -> Session:
        return Session(self._writer_engine if write else self.engine, expire_on_commit=False)

    def connect(self, *, write: bool = False) -> Connection:
        """A Core connection, for lean statements alone (storage.lean): a third of a session's cost."""
        return (self._writer_engine if write else self._lean_reader_engine).connect()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A writer session that commits on success and rolls back on error."""
        with self.session(write=True) as session, session.begin():
            yield session

    def check_writable(self) -> None:
        """Raise the database's error (DBAPIError) if it cannot take a write: read-only file, mount or server."""
        with self.session(write=True) as session:
            # A real write, rolled back: only it meets every way a database can refuse one.
            session.execute(text("UPDATE alembic_version SET version_num = version_num"))
            session.rollback()

    def checkpoint(self) -> None:
        """Fold SQLite's write-ahead log into the database and empty it (a clean stop leaves no log to replay)."""
        if self.is_sqlite:
            with self.engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")

    def dispose(self) -> None:
        self.engine.dispose()
        if self._writer_queue is not None:
            self._writer_queue.close()
        if self._log_flusher is not None:
            self._log_flusher.close()


def rows_changed(result: Result[Any]) -> int:
    """How many rows an UPDATE touched (its rowcount, which every DML result carries)."""
    return cast(CursorResult[Any], result).rowcount


HOLDS_WRITE_LOCK = "annotator_holds_write_lock"
# An execution option: each statement is its own transaction (lean statements begin none).
READS_ALONE = "annotator_reads_alone"
SYNCHRONOUS = "annotator_synchronous"


class WriterQueue:
    """Writers wait their turn here rather than inside SQLite.

    SQLite lets one writer in at a time, and a writer that waits inside SQLite
    polls with sleeps of up to 100 ms, which makes long tails. Threads queue on
    a lock in this process; then processes (gunicorn workers) take turns on an
    flock of a file beside the database, retried every fraction of a millisecond
    (at most one thread per process waits there) and given up after the busy
    timeout, as SQLite would.
    """

    def __init__(self, database_file: str | None) -> None:
        self._threads = threading.Lock()
        self._lock_file = None if not database_file or database_file == ":memory:" else f"{database_file}-writer.lock"
        self._descriptor: int | None = None
        self._pid: int | None = None

    def acquire(self) -> None:
        self._threads.acquire()
        try:
            if self._lock_file:
                self._wait_for_file_lock(self._process_descriptor())
        except BaseException:
            self._threads.release()
            raise

    def release(self) -> None:
        try:
            if self._descriptor is not None and self._pid == os.getpid():
                fcntl.flock(self._descriptor, fcntl.LOCK_UN)
        finally:
            self._threads.release()

    @staticmethod
    def _wait_for_file_lock(descriptor: int) -> None:
        deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
        pause = 0.0001
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise _driver_failure("BEGIN IMMEDIATE", "SQLITE_BUSY", "database is locked (another process held the write lock)")
                time.sleep(pause)
                pause = min(pause * 2, 0.001)

    def close(self) -> None:
        """Close this process's lock file (the Database is being disposed)."""
        if self._descriptor is not None and self._pid == os.getpid():
            os.close(self._descriptor)
        self._descriptor = self._pid = None

    def _process_descriptor(self) -> int:
        # flock belongs to an open file: each process (a forked worker too) opens its own.
        if self._pid != os.getpid():
            assert self._lock_file is not None
            self._descriptor = os.open(self._lock_file, os.O_RDWR | os.O_CREAT, 0o600)
            self._pid = os.getpid()
        assert self._descriptor is not None
        return self._descriptor


class LogFlusher:
    """Group commit for SQLite: writers commit without a flush, let the write lock go, then flush the log.

    SQLite's own FULL commit flushes the write-ahead log while the write lock is
    held, so every writer waits for the disk in turn. Here a commit only writes
    the log (synchronous=NORMAL), and `flush` makes it durable before the commit
    returns to its caller. The log is written in commit order, so one fsync makes
    durable every commit made before it began: a thread whose commit an fsync of
    another thread covered does not flush again. Crash safety is SQLite's own
    (NORMAL is crash-consistent in WAL mode); the fsync adds what FULL would.
    """

    def __init__(self, database_file: Path) -> None:
        self._log = database_file.with_name(database_file.name + "-wal")
        self._lock = threading.Lock()
        self._committed = 0  # commits of this process, counted in the order they entered the log
        self._flushed = 0
        self._descriptor: int | None = None  # the log file, open while it stays in the directory

    def committed(self) -> int:
        """Count a commit that has just ended, under the write lock; flush(ticket) makes it durable."""
        self._committed += 1
        return self._committed

    def flush(self, ticket: int) -> None:
        with self._lock:
            if self._flushed >= ticket:
                return  # an fsync that began after this commit has ended
            covered = self._committed
            try:
                self._fsync_log()
            except FileNotFoundError:
                pass  # SQLite removes the log only after folding it into the database and syncing that
            except OSError as error:
                # The commit has happened (the row is there for every reader): the answer must say so.
                raise _driver_failure("fsync", COMMITTED_UNFLUSHED,
                                      f"disk I/O error: the write-ahead log could not be flushed ({error.strerror})") from error
            self._flushed = covered

    def _fsync_log(self) -> None:
        if self._descriptor is None or os.fstat(self._descriptor).st_nlink == 0:
            self._open_log()  # first use, or SQLite removed the log (after folding it in) and made a new one
        assert self._descriptor is not None
        os.fsync(self._descriptor)

    def _open_log(self) -> None:
        self.close()
        self._descriptor = os.open(self._log, os.O_RDONLY)
        # A new log's name must reach the disk too, or a power cut could lose the whole file (FULL does this).
        directory = os.open(self._log.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)

    def close(self) -> None:
        if self._descriptor is not None:
            os.close(self._descriptor)
            self._descriptor = None


def _driver_failure(statement: str, code: str, message: str) -> DBAPIError:
    """A failure of ours around SQLite, shaped as SQLite's own would be (storage.failures reads its code)."""
    failure = sqlite3.OperationalError(message)
    failure.sqlite_errorname = code  # type: ignore[attr-defined]
    return cast(DBAPIError, DBAPIError.instance(statement, None, failure, sqlite3.Error))


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (plain or `file:` URI form); None for other databases and in-memory SQLite."""
    parsed = make_url(url)
    database = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or database in ("", ":memory:") or "mode=memory" in database:
        return None
    return Path(database.removeprefix("file:").partition("?")[0])


def _on_driver(connection: Any, statement: str) -> None:
    """A transaction statement straight on the driver: every request runs one or two, and
    SQLAlchemy's execution costs more than they do. Errors are raised as SQLAlchemy's."""
    driver_connection = connection.connection.dbapi_connection
    try:
        if statement in ("COMMIT", "ROLLBACK"):
            # The driver's own methods, which do nothing when no transaction is open.
            getattr(driver_connection, statement.lower())()
        else:
            driver_connection.execute(statement)
    except sqlite3.Error as error:
        raise DBAPIError.instance(statement, None, error, sqlite3.Error) from error


def _configure_sqlite(engine: Engine, database_file: Path | None) -> tuple[WriterQueue, LogFlusher | None]:
    """WAL, foreign keys; writers queue in a WriterQueue before BEGIN IMMEDIATE and flush after it
    with a LogFlusher (none for a database in memory: there is no disk to reach)."""
    writers = WriterQueue(str(database_file) if database_file else None)
    flusher = LogFlusher(database_file) if database_file else None

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, record: Any) -> None:
        # Let SQLAlchemy's "begin" event below issue BEGIN itself.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        record.info[SYNCHRONOUS] = "FULL"
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute(f"PRAGMA journal_size_limit={SQLITE_WAL_SIZE_LIMIT}")
        cursor.close()

    def use_synchronous(connection: Any, level: str) -> None:
        # The level cannot change inside a transaction: each sets its own first.
        if connection.info.get(SYNCHRONOUS) != level:
            _on_driver(connection, f"PRAGMA synchronous={level}")
            connection.info[SYNCHRONOUS] = level

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        options = connection.get_execution_options()
        if options.get(READS_ALONE, False):
            return  # the driver's autocommit (isolation_level None) stays on
        if not options.get("begin_immediate", False):
            use_synchronous(connection, "FULL")  # a write outside the writers' queue is flushed by SQLite
            _on_driver(connection, "BEGIN")
            return
        writers.acquire()
        connection.info[HOLDS_WRITE_LOCK] = True
        try:
            # NORMAL: the commit writes the log without flushing it; end_then_release flushes it
            # (a file's: in memory there is no disk to reach).
            use_synchronous(connection, "NORMAL")
            _on_driver(connection, "BEGIN IMMEDIATE")
        except BaseException:
            connection.info.pop(HOLDS_WRITE_LOCK)
            writers.release()
            raise

    # SQLAlchemy fires "commit" and "rollback" before it ends the transaction. A writer ends it on
    # the driver first and only then lets the next one in, who otherwise met SQLite's lock still
    # held and slept in its busy handler (1, 2, 5, 10 ms and on); SQLAlchemy then finds nothing to end.
    # The commit is flushed after that, so commit() returns only once it is on disk.
    def end_then_release(connection: Any, end: str) -> None:
        if not connection.info.pop(HOLDS_WRITE_LOCK, False):
            return
        flushing = flusher if end == "COMMIT" else None
        ticket = None
        try:
            _on_driver(connection, end)
            if flushing is not None:
                ticket = flushing.committed()
        finally:
            writers.release()
        if flushing is not None and ticket is not None:  # None: the commit itself failed
            flushing.flush(ticket)

    event.listen(engine, "commit", lambda connection: end_then_release(connection, "COMMIT"))
    event.listen(engine, "rollback", lambda connection: end_then_release(connection, "ROLLBACK"))
    return writers, flusher
