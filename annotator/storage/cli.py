"""`annotator db upgrade`."""

from __future__ import annotations

from pathlib import Path

import click

from annotator.cli_support import CliContext, pass_cli
from annotator.storage.backup import backup_sqlite


@click.group("db")
def db_group() -> None:
    """Database maintenance."""


@db_group.command("upgrade")
@pass_cli
def upgrade(cli: CliContext) -> None:
    """Apply pending migrations to ANNOTATOR_DATABASE_URL (or the default SQLite file)."""
    cli.db()
    click.echo("database is at the newest schema")


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@pass_cli
def backup_command(cli: CliContext, path: Path) -> None:
    """Write a consistent copy of the live SQLite database to PATH (PostgreSQL: use pg_dump)."""
    pages = backup_sqlite(cli.db(), path)
    click.echo(f"backed up {pages} pages to {path}; to restore, stop the app and put this file in the database's place")
