"""`annotator db upgrade`, `annotator backup` and `annotator restore`: the database's upkeep, as commands."""

from __future__ import annotations

from pathlib import Path

import click

from annotator.cli_support import CliContext, pass_cli
from annotator.storage.backup import backup_sqlite
from annotator.storage.restore import restore_sqlite


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
    """Write a consistent copy of the live SQLite database to PATH (PostgreSQL: use pg_dump).

    The database is copied as it is: never migrated, so a backup taken before an upgrade is of the old schema."""
    pages = backup_sqlite(cli.database_as_is(), path)
    click.echo(f"backed up {pages} pages to {path}; to restore it: stop the server, then annotator restore {path}")


@click.command("restore")
@click.argument("backup", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@pass_cli
def restore_command(cli: CliContext, backup: Path) -> None:
    """Put BACKUP (from `annotator backup`) in the SQLite database's place, exactly as it was.

    Refuses while a server uses the database. The replaced database and its log
    files are kept beside it under a .before-restore name.
    """
    restored = restore_sqlite(cli.settings.resolved_database_url(), backup)
    kept = f"; the replaced database is kept as {restored.previous}" if restored.previous else ""
    click.echo(f"restored {restored.pages} pages from {backup} to {restored.database}{kept}")
