"""What every CLI command shares: settings, a migrated database, readable errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from annotator.errors import ApiError
from annotator.labelschema import SchemaError
from annotator.settings import Settings
from annotator.shipped import schemas_dir
from annotator.storage import Database
from annotator.storage.migrate import upgrade_to_head


@dataclass
class CliContext:
    settings: Settings
    _db: Database | None = field(default=None, repr=False)
    _migrated: bool = field(default=False, repr=False)

    def db(self) -> Database:
        """The configured database, brought to the newest schema on first use."""
        database = self.database_as_is()
        if not self._migrated:
            upgrade_to_head(database)
            self._migrated = True
        return database

    def database_as_is(self) -> Database:
        """The configured database, never migrated (a backup copies what is there)."""
        if self._db is None:
            self._db = Database(self.settings.resolved_database_url())
        return self._db

    def close(self) -> None:
        if self._db is not None:
            self._db.dispose()
            self._db = None


pass_cli = click.make_pass_decorator(CliContext)


class AnnotatorGroup(click.Group):
    """Turns the cores' errors into one-line messages and exit status 1, not tracebacks."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (ApiError, SchemaError) as error:
            raise click.ClickException(str(error)) from error


class SchemaFile(click.ParamType):
    """A label schema file, or the name of one that ships with the studio (`diplomacy-stance`), so that
    an installed studio needs no checkout to start a project."""

    name = "FILE|SHIPPED"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Path:
        given = Path(value)
        if given.is_file():
            return given
        shipped = schemas_dir() / (given.name if given.suffix in (".yaml", ".yml") else f"{given.name}.yaml")
        if given.parent == Path(".") and shipped.is_file():
            return shipped
        names = ", ".join(sorted(p.stem for p in schemas_dir().glob("*.yaml")))
        self.fail(f"{value!r} is no file, nor a shipped schema ({names})", param, ctx)
