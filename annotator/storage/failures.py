"""Database failures that are the storage's condition, not the request's fault: a read-only or
full database, a lost connection. They are answered 503 with what an operator needs to hear."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError

from annotator.errors import ApiError

# Our own code for a commit that SQLite made but whose log flush (storage.database.LogFlusher) failed.
COMMITTED_UNFLUSHED = "ANNOTATOR_COMMITTED_UNFLUSHED"
# SQLite's result codes (sqlite3 errors carry them by name, extended ones as NAME_DETAIL) and
# PostgreSQL's SQLSTATEs (whole codes, or a class by its first characters).
_CANNOT_WRITE_PREFIXES = ("SQLITE_READONLY", "SQLITE_FULL", "SQLITE_IOERR", "SQLITE_CANTOPEN", "25006", "53100")
_UNREACHABLE_PREFIXES = ("SQLITE_BUSY", "SQLITE_LOCKED", "08", "53300", "57P")


class StorageUnavailable(ApiError):
    status = 503
    code = "storage_unavailable"


class StorageBusy(StorageUnavailable):
    """Busy or out of reach for now: the client should try again shortly."""

    RETRY_AFTER_SECONDS = 2

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.RETRY_AFTER_SECONDS)}


def storage_failure(error: DBAPIError) -> StorageUnavailable | None:
    """The 503 this database error amounts to, or None if it is not about the storage's condition."""
    driver_error = error.orig
    code = str(getattr(driver_error, "sqlite_errorname", None) or getattr(driver_error, "sqlstate", None) or "")
    if code == COMMITTED_UNFLUSHED:
        return StorageUnavailable(
            "your change was stored, but the disk reported an error while writing it, so it could be lost if the "
            "server stops now. Sending the same change again returns what was stored; tell the server's operator"
        )
    if code.startswith(_CANNOT_WRITE_PREFIXES):
        return StorageUnavailable(
            "the database cannot be written (it is read-only or its disk is full): nothing was saved; "
            "tell the server's operator"
        )
    if code.startswith(_UNREACHABLE_PREFIXES) or error.connection_invalidated:
        return StorageBusy("the database is busy or unreachable; nothing was saved. Try again in a moment")
    return None
