"""Lean statements (storage.lean): the annotator loop's statements, run on the driver, read and write
what the ORM would, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import bindparam, func, insert, select
from sqlalchemy.exc import IntegrityError

from annotator.storage import Database
from annotator.storage.lean import Entity, LeanQuery
from annotator.storage.tables import LabelSchemaRecord, LoginFailure, User, utcnow

_SCHEMA_RECORD = LeanQuery(
    select(LabelSchemaRecord.id, LabelSchemaRecord.document, LabelSchemaRecord.created_at)
    .where(LabelSchemaRecord.name == bindparam("name"))
)


def test_rows_read_leanly_equal_the_rows_the_orm_reads(db: Database) -> None:
    with db.session(write=True) as session:
        record = LabelSchemaRecord(name="s", version="1", document={"stances": ["pro", "contra"], "n": 2}, sha256="0" * 64)
        session.add(record)
        session.commit()
    with db.session() as session:
        stored = session.scalar(select(LabelSchemaRecord).where(LabelSchemaRecord.name == "s"))
        assert stored is not None
        through_the_orm = (stored.id, stored.document, stored.created_at)
    with db.connect() as connection:
        assert _SCHEMA_RECORD.first(connection, {"name": "s"}) == through_the_orm


def test_a_lean_statement_in_a_session_sees_its_pending_changes(db: Database) -> None:
    with db.session(write=True) as session:
        session.add(User(name="ana", password_hash="!", role="annotator"))  # not flushed yet
        assert LeanQuery(select(User.name)).rows(session, {}) == [("ana",)]


def test_a_lean_row_becomes_a_detached_orm_object(db: Database) -> None:
    users = Entity.of(User)
    with db.session(write=True) as session:
        session.add(User(name="ana", password_hash="!", role="annotator"))
        session.commit()
    with db.connect() as connection:
        ana = users.detached(LeanQuery(select(*users.columns)).rows(connection, {})[0])
    with db.session(write=True) as session:
        session.add(ana)  # known to be stored: attached as it is, no INSERT
        ana.role = "lead"
        session.commit()
        assert session.scalar(select(func.count(User.id))) == 1
        assert session.scalar(select(User.role)) == "lead"


def test_driver_errors_come_back_as_sqlalchemys(db: Database) -> None:
    add_user = LeanQuery(insert(User).values(name=bindparam("name"), password_hash="!", role="annotator", created_at=bindparam("at")))
    with db.connect(write=True) as connection:
        add_user.rows(connection, {"name": "ana", "at": utcnow()})
        with pytest.raises(IntegrityError):
            add_user.rows(connection, {"name": "ana", "at": utcnow()})


def test_a_statement_that_needs_python_side_defaults_is_refused(db: Database) -> None:
    relying_on_a_default = LeanQuery(insert(LoginFailure).values(name=bindparam("name"), remote_addr="127.0.0.1"))
    with db.connect(write=True) as connection, pytest.raises(ValueError, match="defaults"):
        relying_on_a_default.rows(connection, {"name": "ana"})
