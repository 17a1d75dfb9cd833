"""Statements of the annotator loop, run straight on the database driver.

Measured on one statement (a row by id): the ORM takes 55 us, Core 25 us, the
driver 4 us; in the loop of next, read and save, SQLAlchemy's execution was over
half of the server's time. A LeanQuery is written as a Core statement (one text
for SQLite and PostgreSQL), compiled once per dialect, and run on the driver
cursor of the session's own connection, so it joins the session's transaction
(and, on SQLite, its place in the writers' queue). Values pass through the
column types' own processors, so rows read here equal rows read through the ORM.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Column, Connection, inspect
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.orm.base import instance_dict, instance_state
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

from annotator.storage.database import READS_ALONE

Processor = Callable[[Any], Any] | None
# Lean statements run in an ORM session (beside its own work) or on a bare Core connection.
Executor = Session | Connection


@dataclass(frozen=True)
class _Compiled:
    sql: str
    positions: Sequence[str] | None  # bind names in order, for drivers that take a tuple
    fixed: Mapping[str, Any]  # literal values written into the statement
    binds: Mapping[str, Callable[[Any], Any]]
    results: Sequence[Processor]


class LeanQuery:
    """A Core statement run on the driver; rows come back as tuples of Python values."""

    def __init__(self, statement: ClauseElement) -> None:
        self.statement = statement
        self._compiled: dict[tuple[str, str], _Compiled] = {}

    def rows(self, executor: Executor, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        connection = _in_transaction(executor)
        compiled = self._compiled_for(connection.dialect)
        found = self._run(connection, compiled, params)
        processors = compiled.results
        if not any(processors) or not found:
            return found
        # Column by column: one map per processed column, not a generator per row.
        columns = [column if p is None else map(p, column) for p, column in zip(processors, zip(*found))]
        return list(zip(*columns))

    def first(self, executor: Executor, params: Mapping[str, Any]) -> tuple[Any, ...] | None:
        found = self.rows(executor, params)
        return found[0] if found else None

    def scalar(self, executor: Executor, params: Mapping[str, Any]) -> Any:
        row = self.first(executor, params)
        return None if row is None else row[0]

    def _compiled_for(self, dialect: Dialect) -> _Compiled:
        key = (dialect.name, dialect.driver)  # the driver decides the parameter style
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compiled[key] = _compile(self.statement, dialect)
        return compiled

    @staticmethod
    def _run(connection: Connection, compiled: _Compiled, params: Mapping[str, Any]) -> list[Any]:
        values = {**compiled.fixed, **params}
        for name, process in compiled.binds.items():
            values[name] = process(values[name])
        arguments: Any = values if compiled.positions is None else tuple(values[name] for name in compiled.positions)
        driver_connection = connection.connection.dbapi_connection
        assert driver_connection is not None
        cursor = driver_connection.cursor()
        for listener in connection.dispatch.before_cursor_execute:  # statement counters and tracers see these too
            listener(connection, cursor, compiled.sql, arguments, None, False)
        dialect = connection.dialect
        try:
            cursor.execute(compiled.sql, arguments)
            return list(cursor.fetchall()) if cursor.description else []
        except dialect.loaded_dbapi.Error as error:
            lost = dialect.is_disconnect(error, driver_connection, cursor)
            if lost:
                connection.invalidate(error)
            raise DBAPIError.instance(compiled.sql, arguments, error, dialect.loaded_dbapi.Error,
                                      connection_invalidated=lost, dialect=dialect) from error
        finally:
            cursor.close()


def dialect_name(executor: Executor) -> str:
    """The database's kind ("sqlite", "postgresql") behind a session or a connection."""
    return executor.get_bind().dialect.name if isinstance(executor, Session) else executor.dialect.name


def _in_transaction(executor: Executor) -> Connection:
    """The connection under the executor, inside a transaction (BEGIN is where SQLite writers queue),
    unless its statements each stand alone (Database's lean readers)."""
    if isinstance(executor, Session):
        executor.flush()  # as the ORM autoflushes before a query: pending changes are seen, and come first
        return executor.connection()
    if not executor.in_transaction() and not executor.get_execution_options().get(READS_ALONE, False):
        executor.begin()
    return executor


def _compile(statement: ClauseElement, dialect: Dialect) -> _Compiled:
    compiled = cast(SQLCompiler, statement.compile(dialect=dialect))
    if "POSTCOMPILE" in compiled.string:
        raise ValueError("parameters rendered at execution time are not supported by LeanQuery")
    if compiled.insert_prefetch or compiled.update_prefetch:
        raise ValueError("LeanQuery runs no Python-side column defaults: give every column a value")
    binds = {}
    for name, bind in compiled.binds.items():
        if bind.expanding:
            raise ValueError(f"{name}: expanding IN parameters are not supported by LeanQuery")
        if (process := bind.type.dialect_impl(dialect).bind_processor(dialect)) is not None:
            binds[name] = process
    columns = getattr(statement, "exported_columns", ())
    return _Compiled(
        sql=compiled.string,
        positions=compiled.positiontup if dialect.positional else None,
        fixed={name: bind.effective_value for name, bind in compiled.binds.items() if not bind.required},
        binds=binds,
        results=[_result_processor(c.type, dialect) for c in columns],
    )


def _result_processor(column_type: Any, dialect: Dialect) -> Any:
    """How a column's values are turned from the driver's; none for a type that must know the driver's
    type code (PostgreSQL's numbers): the driver hands those over as Python numbers already."""
    try:
        return column_type.dialect_impl(dialect).result_processor(dialect, None)
    except TypeError:
        return None


@dataclass(frozen=True)
class Entity:
    """A model's columns, to select whole rows leanly and make ORM objects of them."""

    model: type[Any]
    keys: tuple[str, ...]
    columns: tuple[Column[Any], ...]
    primary_key: tuple[int, ...]  # positions of the primary key's columns among `columns`

    @classmethod
    def of(cls, model: type[Any]) -> Entity:
        mapper = inspect(model)
        attributes = [a for a in mapper.column_attrs if not a.deferred]
        columns = tuple(a.columns[0] for a in attributes)
        return cls(model, tuple(a.key for a in attributes), columns, tuple(columns.index(c) for c in mapper.primary_key))

    def detached(self, row: Sequence[Any]) -> Any:
        """The ORM object of a lean row, as if loaded by a session that has since closed.

        Built as the ORM's loader builds what it reads (a bare instance, its values set
        in its dict, its identity key), without the attribute events that the model's
        constructor fires for each column: a tenth of the cost.
        """
        mapper = inspect(self.model)
        instance = mapper.class_manager.new_instance()
        instance_dict(instance).update(zip(self.keys, row))
        instance_state(instance).key = mapper.identity_key_from_primary_key([row[i] for i in self.primary_key])
        return instance
