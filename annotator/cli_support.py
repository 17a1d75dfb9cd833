"""What every CLI command shares: settings, a migrated database, readable errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
from sqlalchemy import select
from sqlalchemy.orm import Session

from annotator.auth.membership import project_role
from annotator.auth.models import role_allows
from annotator.auth.service import get_user
from annotator.errors import ApiError, Forbidden, Invalid
from annotator.labelschema import SchemaError
from annotator.settings import Settings
from annotator.shipped import schemas_dir
from annotator.storage import Database
from annotator.storage.migrate import upgrade_to_head
from annotator.storage.tables import Project, ProjectMember, User


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


def acting_lead(session: Session, project: Project, name: str | None, why: str) -> User:
    """The lead a command acts as: the one named (--by), else the project's only lead; Forbidden for a
    user who does not lead the project, saying `why` a lead is needed."""
    lead = get_user(session, name) if name else _only_lead(session, project)
    role = project_role(session, lead, project.id)
    if role is None or not role_allows(role, "lead"):
        raise Forbidden(f"{lead.name} is not a lead of {project.name}; {why}")
    return lead


def _only_lead(session: Session, project: Project) -> User:
    leads = list(session.scalars(
        select(User).join(ProjectMember, ProjectMember.user_id == User.id)
        .where(ProjectMember.project_id == project.id, ProjectMember.role == "lead").order_by(User.name)
    ))
    if len(leads) != 1:
        raise Invalid(f"name the lead with --by ({', '.join(u.name for u in leads) or 'no lead yet'})", [])
    return leads[0]
