"""Consistent copies of a live SQLite database (PostgreSQL has pg_dump)."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from annotator.errors import ApiError
from annotator.storage.database import Database

PG_DUMP_HINT = (
    "for PostgreSQL, use pg_dump while the app runs: pg_dump --format=custom --file=backup.dump DATABASE_URL; "
    "restore into an empty database with pg_restore --dbname=DATABASE_URL backup.dump"
)


class BackupRefused(ApiError):
    code = "backup_refused"


def backup_sqlite(db: Database, target: Path) -> int:
    """Copy the database while it stays in use; returns the pages copied.

    SQLite's online backup API, in one step: the copy is read inside one read transaction, a
    snapshot of the moment it began (its write-ahead log included), while writers go on. Copied
    a few pages at a time, a backup started again from the first page whenever another process
    wrote between two steps, and under steady saves never finished. The copy is written beside
    the target and renamed, so an interrupted backup never leaves a half file under its name.
    """
    if not db.is_sqlite:
        raise BackupRefused(f"annotator backup copies SQLite databases only; {PG_DUMP_HINT}")
    if target.exists():
        raise BackupRefused(f"{target} exists; choose a new file name")
    partial = target.with_name(f".{target.name}.partial")
    raw = db.engine.raw_connection()
    try:
        source: sqlite3.Connection = raw.driver_connection  # type: ignore[assignment]
        with sqlite3.connect(partial) as copy:
            source.backup(copy, pages=-1)
            # A backup is one file: out of WAL mode, it needs no log beside it to be opened or restored.
            copy.execute("PRAGMA journal_mode=DELETE")
            pages = copy.execute("PRAGMA page_count").fetchone()[0]
            if copy.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupRefused("the copy failed SQLite's integrity check; nothing was kept")
        copy.close()
        os.replace(partial, target)
        return int(pages)
    finally:
        raw.close()
        partial.unlink(missing_ok=True)
