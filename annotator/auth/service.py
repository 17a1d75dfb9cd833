"""Users, password checks and API tokens (tokens and passwords are stored only as hashes)."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, delete, func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from annotator.auth.models import ROLES
from annotator.errors import Conflict, Invalid, NotFound
from annotator.storage.lean import Entity
from annotator.storage.tables import ApiToken, LoginFailure, LoginSession, User, utcnow

USER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$")
MIN_PASSWORD_LENGTH = 8
TOKEN_PREFIX = "ann_"


@cache
def _dummy_hash() -> str:
    """Checked against when the user does not exist, so timing does not reveal names (made once, on first use)."""
    return generate_password_hash("not-a-real-password")


def add_user(session: Session, name: str, password: str, role: str) -> User:
    if not USER_NAME.match(name):
        raise Invalid(f"user name {name!r} must be 1-80 letters, digits, '_', '.' or '-'")
    if role not in ROLES:
        raise Invalid(f"role {role!r} must be one of: {', '.join(ROLES)}")
    if session.scalar(select(User.id).where(User.name == name)) is not None:
        raise Conflict(f"user {name!r} already exists")
    user = User(name=name, password_hash=hash_password(password), role=role)
    session.add(user)
    session.flush()
    return user


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid(f"password must have at least {MIN_PASSWORD_LENGTH} characters")
    return generate_password_hash(password)


def authenticate(session: Session, name: str, password: str) -> User | None:
    """The user if the password is theirs; disabled users are refused like wrong passwords."""
    user = session.scalar(select(User).where(User.name == name))
    if user is None:
        check_password_hash(_dummy_hash(), password)
        return None
    matches = check_password_hash(user.password_hash, password)
    return user if matches and user.disabled_at is None else None


LOGIN_WINDOW = timedelta(minutes=15)
# Keyed on the name and the client's address together: guessing one user's password from one
# place is slowed, while failures elsewhere (or behind a shared proxy) lock nobody else out.
FAILURES_PER_NAME_AND_ADDRESS = 10
NAME_STORED, ADDRESS_STORED = 200, 64  # the widths of login_failures.name and .remote_addr


def login_blocked(session: Session, name: str, remote_addr: str, now: datetime | None = None) -> bool:
    """Too many recent failures for this name from this address: refuse without checking."""
    since = (now or utcnow()) - LOGIN_WINDOW
    failures = session.scalar(select(func.count(LoginFailure.id)).where(LoginFailure.at >= since, *_failures_of(name, remote_addr)))
    return (failures or 0) >= FAILURES_PER_NAME_AND_ADDRESS


def record_login(session: Session, name: str, remote_addr: str, succeeded: bool) -> None:
    if succeeded:
        session.execute(delete(LoginFailure).where(*_failures_of(name, remote_addr)))
    else:
        session.add(LoginFailure(name=name[:NAME_STORED], remote_addr=remote_addr[:ADDRESS_STORED]))


def _failures_of(name: str, remote_addr: str) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """The recorded failures of this name from this address (as stored: cut to the columns' width)."""
    return LoginFailure.name == name[:NAME_STORED], LoginFailure.remote_addr == remote_addr[:ADDRESS_STORED]


def get_user(session: Session, name: str) -> User:
    user = session.scalar(select(User).where(User.name == name))
    if user is None:
        raise NotFound(f"no user named {name!r}")
    return user


def get_users(session: Session, names: list[str]) -> list[User]:
    """The users of these names, in the order given; NotFound names every missing one."""
    found = {u.name: u for u in session.scalars(select(User).where(User.name.in_(names)))}
    if missing := [n for n in names if n not in found]:
        raise NotFound(f"no user named {', '.join(map(repr, missing))}")
    return [found[n] for n in names]


def hash_token(token: str) -> str:
    # Tokens and session keys are 256 random bits: a fast hash is enough to make a stolen table useless.
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(session: Session, user: User, label: str = "") -> tuple[ApiToken, str]:
    """A new API token for the user, and its plain text: the only time that exists."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    record = ApiToken(user_id=user.id, token_hash=hash_token(token), label=label, hint=token[:8])
    session.add(record)
    session.flush()
    return record, token


def create_token(session: Session, user: User, label: str = "") -> str:
    return issue_token(session, user, label)[1]


_USER = Entity.of(User)


def _enabled_owner(table: type[ApiToken] | type[LoginSession], key_hash: Any) -> Select[Any]:
    """The enabled user whose token or login key hashes to `key_hash` (bound); disabled users match none."""
    return (
        select(*_USER.columns).join(table, table.user_id == User.id)
        .where(key_hash == bindparam("key_hash"), User.disabled_at.is_(None))
    )


TOKEN_OWNER = _enabled_owner(ApiToken, ApiToken.token_hash)
LOGIN_SESSION_OWNER = _enabled_owner(LoginSession, LoginSession.key_hash)


def owner_params(key: str) -> dict[str, str]:
    """The parameters of TOKEN_OWNER or LOGIN_SESSION_OWNER for a token or login key."""
    return {"key_hash": hash_token(key)}


def owner_of(row: Sequence[Any]) -> tuple[User, Sequence[Any]]:
    """The user of a row of an owner query (detached: to be read, not changed), and the columns added after theirs."""
    return _USER.detached(row[:len(_USER.columns)]), row[len(_USER.columns):]


def start_login_session(session: Session, user: User) -> str:
    """A new browser session for the user; the returned key goes in the cookie, its hash here."""
    key = secrets.token_urlsafe(32)
    session.add(LoginSession(user_id=user.id, key_hash=hash_token(key)))
    session.flush()
    return key


def end_login_session(session: Session, key: str) -> None:
    session.execute(delete(LoginSession).where(LoginSession.key_hash == hash_token(key)))


def end_all_login_sessions(session: Session, user: User) -> None:
    """Log the user out everywhere (password changed, account disabled)."""
    session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
