"""`annotator schema check FILE`."""

from __future__ import annotations

from pathlib import Path

import click

from annotator.labelschema import load_schema


@click.group("schema")
def schema_group() -> None:
    """Check label schema files."""


@schema_group.command("check")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def check(path: Path) -> None:
    """Validate a schema file; problems are listed with their line."""
    schema = load_schema(path)
    vocab = schema.vocabularies
    click.echo(
        f"{path}: ok: {schema.name} version {schema.version}, "
        f"{len(schema.statement.stance.choices)} stances, {len(schema.statement.target.choices)} targets, "
        f"{len(schema.statement.preconditions.categories)} precondition categories, "
        f"{len(vocab.actors)} actors, {len(vocab.outlets)} outlets"
    )
