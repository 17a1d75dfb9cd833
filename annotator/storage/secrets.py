"""Secrets every host shares, kept in the database: the first host to need one makes it."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError

from annotator.storage.database import Database
from annotator.storage.tables import InstanceSecret

SESSION_KEY = "session_key"


def shared_secret(db: Database, name: str, first_value: Callable[[], str] = lambda: secrets.token_hex(32)) -> str | None:
    """The named secret; made from `first_value` by the first host that asks. None when the database has no
    table for it yet (not migrated)."""
    if not inspect(db.engine).has_table(InstanceSecret.__tablename__):
        return None
    with db.session(write=True) as session:
        if (value := session.scalar(select(InstanceSecret.value).where(InstanceSecret.name == name))) is not None:
            return value
        session.add(InstanceSecret(name=name, value=first_value()))
        try:
            session.commit()
        except IntegrityError:  # another host made it a moment ago: theirs holds
            session.rollback()
        return session.scalar(select(InstanceSecret.value).where(InstanceSecret.name == name))
