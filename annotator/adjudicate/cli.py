"""`annotator gold accept-unanimous PROJECT`: the bulk acceptance of the lead's page, for pipelines."""

from __future__ import annotations

import click
from sqlalchemy import select
from sqlalchemy.orm import Session

from annotator.adjudicate.service import accept_unanimous
from annotator.auth.membership import project_role
from annotator.auth.models import role_allows
from annotator.auth.service import get_user
from annotator.cli_support import CliContext, pass_cli
from annotator.errors import Forbidden, Invalid
from annotator.projects.service import find_project, project_schema
from annotator.storage.tables import Project, ProjectMember, User


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
