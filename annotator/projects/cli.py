"""`annotator project create|list`."""

from __future__ import annotations

from pathlib import Path

import click

from annotator.cli_support import CliContext, SchemaFile, pass_cli
from annotator.labelschema import load_schema
from annotator.projects.service import create_project, find_project, list_projects


@click.group("project")
def project_group() -> None:
    """Create and list projects."""


@project_group.command("create")
@click.argument("name")
@click.option("--schema", "schema_path", required=True, type=SchemaFile(),
              help="A schema file, or a shipped schema's name (diplomacy-stance)")
@click.option("--overlap", default=2, show_default=True, type=click.IntRange(1, 50), help="Annotators per article")
@pass_cli
def create(cli: CliContext, name: str, schema_path: Path, overlap: int) -> None:
    """Create project NAME labeled against the schema in FILE."""
    schema = load_schema(schema_path)
    with cli.db().transaction() as session:
        project = create_project(session, name, schema, overlap)
        click.echo(f"created project {project.id} {name!r}: schema {schema.name} {schema.version}, overlap {overlap}")


@project_group.command("list")
@pass_cli
def list_(cli: CliContext) -> None:
    with cli.db().session() as session:
        for p in list_projects(session):
            click.echo(f"{p.id}\t{p.name}\t{p.articles} articles\toverlap {p.overlap}\t{p.schema_name} {p.schema_version}")


@project_group.command("queue")
@click.argument("project")
@click.option("--order", type=click.Choice(["fill", "uncertain"]), required=True,
              help="uncertain: after articles others started, those the newest model is least sure of first")
@pass_cli
def queue(cli: CliContext, project: str, order: str) -> None:
    """Set the order in which PROJECT's "next article" hands out unlabeled articles."""
    with cli.db().transaction() as session:
        find_project(session, project).queue_order = order
    click.echo(f"{project}: next article now follows the {order!r} order")
