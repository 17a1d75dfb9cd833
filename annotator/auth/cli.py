"""`annotator user add` and `annotator token create`."""

from __future__ import annotations

import sys

import click

from annotator.auth.models import ROLES
from annotator.auth.service import add_user, create_token, get_user
from annotator.cli_support import CliContext, pass_cli


@click.group("user")
def user_group() -> None:
    """Manage users."""


@user_group.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), default="annotator", show_default=True)
@pass_cli
def add(cli: CliContext, name: str, role: str) -> None:
    """Add user NAME; the password comes from a prompt, or from the first line of stdin."""
    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    with cli.db().transaction() as session:
        user = add_user(session, name, password, role)
        click.echo(f"added {role} {user.name!r}")


@click.group("token")
def token_group() -> None:
    """Manage API tokens."""


@token_group.command("create")
@click.argument("name")
@pass_cli
def create(cli: CliContext, name: str) -> None:
    """Create an API token for user NAME and print it (it is stored only as a hash)."""
    with cli.db().transaction() as session:
        token = create_token(session, get_user(session, name))
    click.echo(token)
