"""`annotator quality PROJECT [--json]`: each annotator's estimated competence, per field."""

from __future__ import annotations

import click

from annotator.cli_support import CliContext, pass_cli
from annotator.projects.service import find_project
from annotator.quality.competence import ESTIMATED_FIELDS
from annotator.quality.service import project_competence


@click.command("quality")
@click.argument("project")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON")
@pass_cli
def quality_command(cli: CliContext, project: str, as_json: bool) -> None:
    """Each annotator's estimated accuracy per field (Dawid-Skene over the overlap), and on how many units."""
    with cli.db().session() as session:
        report = project_competence(session, find_project(session, project))
    if as_json:
        click.echo(report.model_dump_json(indent=2))
        return
    click.echo("annotator  " + "  ".join(f"{name:>16}" for name in ESTIMATED_FIELDS))
    for person in report.annotators:
        cells = [f"{f.accuracy:6.3f} (n={f.units:>5})" if (f := person.fields.get(name)) else f"{'—':>16}" for name in ESTIMATED_FIELDS]
        click.echo(f"{person.annotator:10} " + "  ".join(cells))
