"""Per-app state and per-request database session and user, reached through Flask's context."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, g, request
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from annotator.auth.models import role_allows
from annotator.settings import Settings
from annotator.storage import Database
from annotator.storage.tables import User

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class AppState:
    settings: Settings
    db: Database


def app_state() -> AppState:
    return current_app.extensions["annotator"]


def db_session() -> Session:
    """This request's session: a reader for safe methods, a writer otherwise."""
    if "db_session" not in g:
        g.db_session = app_state().db.session(write=request.method not in SAFE_METHODS)
    return g.db_session


def reading_session() -> Session:
    """This request's session as a reader, whatever the method: for a request whose writes are transactions
    of their own (on SQLite, a writer session holding the lock would wait on them for ever)."""
    if "db_session" not in g:
        g.db_session = app_state().db.session()
    return g.db_session


def read_connection() -> Connection:
    """A Core connection for this request's lean reads (storage.lean): the guard's and the annotator loop's.
    Whatever the method, authentication never takes the write lock."""
    if "read_connection" not in g:
        g.read_connection = app_state().db.connect()
    return g.read_connection


def write_connection() -> Connection:
    """A Core connection for this request's lean writes."""
    if "write_connection" not in g:
        g.write_connection = app_state().db.connect(write=True)
    return g.write_connection


def close_db_session(_error: BaseException | None = None) -> None:
    for name in ("db_session", "read_connection", "write_connection"):
        session_or_connection = g.pop(name, None)
        if session_or_connection is not None:
            session_or_connection.close()


def current_user() -> User:
    """The authenticated user; the access guard has run before any view that calls this."""
    return g.user


def current_role() -> str:
    """The user's role where this request points: in the URL's project, else the account's role."""
    return g.project_role


def leads_here() -> bool:
    """Whether the user leads where this request points: a lead's own labels take no annotator's slot."""
    return role_allows(current_role(), "lead")
