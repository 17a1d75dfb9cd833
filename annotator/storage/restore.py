"""Restoring a SQLite backup in the database's place, never under a running server.

A server holds a shared lock on a file beside the database for as long as it
serves (`serving`); a restore needs that lock exclusively, so it refuses while
any server runs. The database's own write-ahead log and shared-memory files go
with the database they belong to: left beside a restored file, SQLite would
replay the old log into the backup.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

from annotator.storage.backup import PG_DUMP_HINT, BackupRefused
from annotator.storage.database import sqlite_path

SIDE_FILES = ("-wal", "-shm")


class Restored(NamedTuple):
    pages: int
    database: Path
    previous: Path | None  # where the replaced database (with its log) was kept


def _lock_path(database: Path) -> Path:
    return database.with_name(f"{database.name}-serving.lock")


@contextmanager
def serving(url: str) -> Iterator[None]:
    """Hold the serving lock of the URL's SQLite file while the block runs (forked workers share it)."""
    database = sqlite_path(url)
    if database is None:
        yield
        return
    descriptor = os.open(_lock_path(database), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_SH)
        yield
    finally:
        os.close(descriptor)


def restore_sqlite(url: str, backup: Path) -> Restored:
    """Put BACKUP in the place of the URL's database, exactly as it is; keep the replaced one beside it."""
    database = sqlite_path(url)
    if database is None:
        raise BackupRefused(f"annotator restore puts back SQLite backups only; {PG_DUMP_HINT}")
    if not backup.is_file():
        raise BackupRefused(f"{backup} is not a file")
    database.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(_lock_path(database), os.O_RDWR | os.O_CREAT, 0o600)
    partial = database.with_name(f".{database.name}.restoring")
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BackupRefused("a server is using this database: stop `annotator serve` (or the demo) first") from None
        pages = _self_contained_copy(backup, partial)
        previous = _set_aside(database)
        os.replace(partial, database)
        _fsync(database.parent)
        return Restored(pages, database, previous)
    finally:
        for leftover in (partial, *(Path(f"{partial}{suffix}") for suffix in SIDE_FILES)):
            leftover.unlink(missing_ok=True)
        os.close(descriptor)


def _self_contained_copy(backup: Path, copy: Path) -> int:
    """Copy the backup (with its own log, if one lies beside it) to COPY as one file on disk, and check it.

    Returns its page count. Switching the copy out of WAL mode folds its log into
    the file, so nothing but the file itself is needed to open it.
    """
    for suffix in ("", "-wal"):
        if (source := Path(f"{backup}{suffix}")).exists():
            shutil.copyfile(source, f"{copy}{suffix}")
    try:
        with sqlite3.connect(copy) as connection:
            connection.execute("PRAGMA journal_mode=DELETE")
            if connection.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupRefused(f"{backup} fails SQLite's integrity check; nothing was changed")
            if not connection.execute("SELECT 1 FROM sqlite_master WHERE name = 'alembic_version'").fetchone():
                raise BackupRefused(f"{backup} is not an annotator database; nothing was changed")
            pages = int(connection.execute("PRAGMA page_count").fetchone()[0])
        connection.close()
    except sqlite3.DatabaseError as error:
        raise BackupRefused(f"{backup} is not a readable SQLite database ({error}); nothing was changed") from error
    _fsync(copy)
    return pages


def _set_aside(database: Path) -> Path | None:
    """Move the database and its log files under one new name, together, so nothing is lost or replayed."""
    if not database.exists():
        for suffix in SIDE_FILES:
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        return None
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    kept = database.with_name(f"{database.name}.before-restore-{stamp}")
    for suffix in ("", *SIDE_FILES):
        if (source := Path(f"{database}{suffix}")).exists():
            os.replace(source, f"{kept}{suffix}")
    return kept


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
