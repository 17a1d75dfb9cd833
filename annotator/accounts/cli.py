"""`annotator user ...`, `annotator token ...` and the project membership commands.

The CLI is the server's operator: it may manage every account and project.
"""

from __future__ import annotations

import sys

import click

from annotator.accounts.service import (
    disable_user,
    enable_user,
    ended_tokens_sentence,
    list_members,
    list_tokens,
    list_users,
    put_member,
    remove_member,
    reset_password,
    revoke_token,
)
from annotator.auth.models import ROLES
from annotator.auth.service import add_user, create_token, get_user
from annotator.cli_support import CliContext, pass_cli
from annotator.projects.service import find_project


@click.group("user")
def user_group() -> None:
    """Manage user accounts."""


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
        click.echo(f"added {role} {user.name!r}; add them to projects with: annotator project add-member PROJECT {name}")


@user_group.command("list")
@pass_cli
def list_command(cli: CliContext) -> None:
    """Every account, its role and state."""
    with cli.db().session() as session:
        for user in list_users(session):
            click.echo(f"{user.name}\t{user.role}\t{'disabled' if user.disabled_at else 'active'}")


@user_group.command("disable")
@click.argument("name")
@pass_cli
def disable(cli: CliContext, name: str) -> None:
    """End NAME's access at once: logged out everywhere, API tokens revoked, no new login."""
    with cli.db().transaction() as session:
        disabled = disable_user(session, get_user(session, name))
    click.echo(f"disabled {name!r}; {disabled.articles_released} article(s) they held without labels went back to the queue")
    if ended := ended_tokens_sentence(disabled.tokens_ended):
        click.echo(ended)


@user_group.command("enable")
@click.argument("name")
@pass_cli
def enable(cli: CliContext, name: str) -> None:
    with cli.db().transaction() as session:
        enable_user(session, get_user(session, name))
    click.echo(f"enabled {name!r}")


@user_group.command("reset-password")
@click.argument("name")
@pass_cli
def reset(cli: CliContext, name: str) -> None:
    """Give NAME a new generated password (printed once) and log them out everywhere; their API tokens end."""
    with cli.db().transaction() as session:
        password, ended = reset_password(session, get_user(session, name))
    click.echo(password)
    if ended:
        click.echo(ended_tokens_sentence(ended), err=True)


@click.group("token")
def token_group() -> None:
    """Manage API tokens."""


@token_group.command("create")
@click.argument("name")
@click.option("--label", default="", help="What the token is for")
@pass_cli
def create(cli: CliContext, name: str, label: str) -> None:
    """Create an API token for user NAME and print it (it is stored only as a hash)."""
    with cli.db().transaction() as session:
        token = create_token(session, get_user(session, name), label)
    click.echo(token)


@token_group.command("list")
@click.argument("name", required=False)
@pass_cli
def list_tokens_command(cli: CliContext, name: str | None) -> None:
    """The API tokens of user NAME, or of everyone: id, owner, first characters, label."""
    with cli.db().session() as session:
        for token in list_tokens(session, get_user(session, name) if name else None):
            click.echo(f"{token.id}\t{token.user}\t{token.hint}…\t{token.created_at:%Y-%m-%d}\t{token.label}")


@token_group.command("revoke")
@click.argument("token_id", type=int)
@pass_cli
def revoke(cli: CliContext, token_id: int) -> None:
    """Revoke token ID (see `annotator token list`): requests carrying it are refused from now on."""
    with cli.db().transaction() as session:
        _, owner = revoke_token(session, token_id)
    click.echo(f"revoked token {token_id} of {owner.name!r}")


@click.command("add-member")
@click.argument("project")
@click.argument("name")
@click.option("--role", type=click.Choice(("annotator", "lead")), default="annotator", show_default=True)
@pass_cli
def add_member(cli: CliContext, project: str, name: str, role: str) -> None:
    """Make user NAME a member of PROJECT with ROLE (or change their role in it)."""
    with cli.db().transaction() as session:
        found = find_project(session, project)
        put_member(session, found, name, role)
    click.echo(f"{name} is a {role} of {found.name}")


@click.command("remove-member")
@click.argument("project")
@click.argument("name")
@pass_cli
def remove_member_command(cli: CliContext, project: str, name: str) -> None:
    """Take user NAME out of PROJECT."""
    with cli.db().transaction() as session:
        found = find_project(session, project)
        released = remove_member(session, found, name)
    click.echo(f"{name} is no longer a member of {found.name}; {released} article(s) they held without labels went back to the queue")


@click.command("members")
@click.argument("project")
@pass_cli
def members(cli: CliContext, project: str) -> None:
    """The members of PROJECT and their roles in it."""
    with cli.db().session() as session:
        for member in list_members(session, find_project(session, project)):
            click.echo(f"{member.name}\t{member.role}\t{'disabled' if member.disabled else 'active'}")


MEMBERSHIP_COMMANDS = (add_member, remove_member_command, members)
