"""`annotator gold accept-unanimous PROJECT`: the bulk acceptance of the lead's page, for pipelines."""

from __future__ import annotations

import click

from annotator.adjudicate.service import accept_unanimous
from annotator.cli_support import CliContext, acting_lead, pass_cli
from annotator.projects.service import find_project, project_schema


@click.group("gold")
def gold_group() -> None:
    """Settle gold without a browser."""


@gold_group.command("accept-unanimous")
@click.argument("project")
@click.option("--by", "lead", metavar="NAME", help="The lead recorded as adjudicator (needed when there are several)")
@pass_cli
def accept_unanimous_command(cli: CliContext, project: str, lead: str | None) -> None:
    """Make gold of every article of PROJECT whose annotators (two or more) all agree."""
    with cli.db().session(write=True) as session:
        found = find_project(session, project)
        adjudicator = acting_lead(session, found, lead, "gold is settled by a lead")
        result = accept_unanimous(session, found, project_schema(found), adjudicator)
        session.commit()
    click.echo(result.summary())


