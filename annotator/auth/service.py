"""Users, password checks and API tokens (tokens and passwords are stored only as hashes)."""

from __future__ import annotations

import hashlib
import re
import secrets
from functools import cache

from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from annotator.auth.models import ROLES
from annotator.errors import Conflict, Invalid, NotFound
from annotator.storage.tables import ApiToken, LoginFailure, User, utcnow

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
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid(f"password must have at least {MIN_PASSWORD_LENGTH} characters")
    if session.scalar(select(User.id).where(User.name == name)) is not None:
        raise Conflict(f"user {name!r} already exists")
    user = User(name=name, password_hash=generate_password_hash(password), role=role)
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, name: str, password: str) -> User | None:
    user = session.scalar(select(User).where(User.name == name))
    if user is None:
        check_password_hash(_dummy_hash(), password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


LOGIN_WINDOW = timedelta(minutes=15)
FAILURES_PER_NAME = 10
FAILURES_PER_ADDRESS = 30


def login_blocked(session: Session, name: str, remote_addr: str, now: datetime | None = None) -> bool:
    """Too many recent failures for this name or from this address: refuse without checking."""
    since = (now or utcnow()) - LOGIN_WINDOW
    recent = select(func.count(LoginFailure.id)).where(LoginFailure.at >= since)
    by_name = session.scalar(recent.where(LoginFailure.name == name)) or 0
    by_address = session.scalar(recent.where(LoginFailure.remote_addr == remote_addr)) or 0
    return by_name >= FAILURES_PER_NAME or by_address >= FAILURES_PER_ADDRESS


def record_login(session: Session, name: str, remote_addr: str, succeeded: bool) -> None:
    if succeeded:
        session.execute(delete(LoginFailure).where(LoginFailure.name == name))
    else:
        session.add(LoginFailure(name=name[:200], remote_addr=remote_addr[:64]))


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
    # Tokens are 256 random bits, so a fast hash is enough to make a stolen table useless.
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(session: Session, user: User) -> str:
    """A new API token for the user; the only time its plain text exists."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=hash_token(token)))
    session.flush()
    return token


# Every API request runs this: built once, run with a bound parameter.
_TOKEN_OWNER = select(User).join(ApiToken, ApiToken.user_id == User.id).where(ApiToken.token_hash == bindparam("token_hash"))


def user_for_token(session: Session, token: str) -> User | None:
    return session.scalar(_TOKEN_OWNER, {"token_hash": hash_token(token)})
