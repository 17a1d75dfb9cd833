"""`annotator schema check|labelstudio|jsonschemas`: commands about schemas, wired above the capabilities
they join (the label schema, Label Studio's config, the export records)."""

from __future__ import annotations

from pathlib import Path

import click

from annotator.cli_support import SchemaFile
from annotator.export.jsonschemas import write_schemas
from annotator.labelschema import load_schema
from annotator.labelstudio.config import labeling_config


@click.group("schema")
def schema_group() -> None:
    """Check label schema files."""


@schema_group.command("labelstudio")
@click.argument("path", type=SchemaFile())
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write the XML here instead of stdout")
def labelstudio(path: Path, out: Path | None) -> None:
    """Write the Label Studio labeling config equivalent to the schema in PATH."""
    xml = labeling_config(load_schema(path))
    if out:
        out.write_text(xml)
        click.echo(f"wrote {out}")
    else:
        click.echo(xml)


@schema_group.command("jsonschemas")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="A folder; in a checkout, annotator/schemas (a test compares the two)")
def jsonschemas(out: Path) -> None:
    """Write the JSON Schema of every export record format (generated from the models)."""
    for written in write_schemas(out):
        click.echo(f"wrote {written}")


@schema_group.command("check")
@click.argument("path", type=SchemaFile())
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
