"""Per-app state and per-request database session and user, reached through Flask's context."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, g, request
from sqlalchemy.orm import Session

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


def db_session(*, fsync: bool = True) -> Session:
    """This request's session: a reader for safe methods, a writer otherwise (see Database.session for fsync)."""
    if "db_session" not in g:
        g.db_session = app_state().db.session(write=request.method not in SAFE_METHODS, fsync=fsync)
    return g.db_session


def read_session() -> Session:
    """A reader for this request, whatever its method: authentication never takes the write lock."""
    if request.method in SAFE_METHODS:
        return db_session()  # already a reader: one connection serves the whole request
    if "read_session" not in g:
        g.read_session = app_state().db.session()
    return g.read_session


def close_db_session(_error: BaseException | None = None) -> None:
    for name in ("db_session", "read_session"):
        session = g.pop(name, None)
        if session is not None:
            session.close()


def current_user() -> User:
    """The authenticated user; the access guard has run before any view that calls this."""
    return g.user


def current_role() -> str:
    """The user's role where this request points: in the URL's project, else the account's role."""
    return g.project_role
