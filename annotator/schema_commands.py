"""`annotator schema check|diff|labelstudio|jsonschemas`: commands about schemas, wired above the capabilities
they join (the label schema, the codebook's versions, Label Studio's config, the export records)."""

from __future__ import annotations

from pathlib import Path

import click

from annotator.cli_support import SchemaFile
from annotator.codebook.diff import schema_diff
from annotator.codebook.plan import PlanError, checked_plan, unplanned
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


@schema_group.command("diff")
@click.argument("old_path", metavar="OLD", type=SchemaFile())
@click.argument("new_path", metavar="NEW", type=SchemaFile())
@click.option("--plan", "plan_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A migration plan (YAML): where each old id goes; checked against both versions")
def diff(old_path: Path, new_path: Path, plan_path: Path | None) -> None:
    """What changes from schema OLD to NEW, field by field, and what a plan does with the ids NEW drops."""
    old, new = load_schema(old_path), load_schema(new_path)
    changes = schema_diff(old, new)
    click.echo(f"{old.name} {old.version} -> {new.name} {new.version}: {len(changes.changes)} change(s), "
               f"{len(changes.touching_labels())} touching labels")
    for change in changes.changes:
        click.echo(f"  {change.line()}")
    try:
        plan = checked_plan(plan_path.read_text(), old, new) if plan_path else None
    except PlanError as error:
        raise click.ClickException(f"{plan_path}: {'; '.join(error.problems)}") from error
    if plan is not None:
        click.echo(f"plan {plan_path} (sha256 {plan.sha256[:12]}):")
        for step in plan.steps:
            click.echo(f"  {step.line()}")
    for field, old_id in unplanned(changes, plan):
        click.echo(f"  unplanned  {field} {old_id!r} is gone from {new.version}: labels that use it need a plan entry")


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
