"""`annotator db upgrade`."""

from __future__ import annotations

import click

from annotator.cli_support import CliContext, pass_cli


@click.group("db")
def db_group() -> None:
    """Database maintenance."""


@db_group.command("upgrade")
@pass_cli
def upgrade(cli: CliContext) -> None:
    """Apply pending migrations to ANNOTATOR_DATABASE_URL (or the default SQLite file)."""
    cli.db()
    click.echo("database is at the newest schema")
