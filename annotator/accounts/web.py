"""Pages: your account (password, API tokens); users (admins and leads); a project's members (its leads)."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from pydantic import ValidationError
from werkzeug.wrappers import Response

from annotator.accounts.models import IssuedPassword, IssuedToken, MemberSet, PasswordChange, TokenCreate, UserCreate
from annotator.accounts.service import (
    create_account,
    describe_token,
    describe_user,
    disable_user,
    enable_user,
    list_members,
    list_tokens,
    list_users,
    manageable_ids,
    managed_user,
    put_member,
    remove_member,
    require_may_create,
    require_may_disable,
    reset_password,
    revocable_tokens,
    revoke_token,
    set_password,
    with_ended_tokens,
)
from annotator.auth.guard import requires
from annotator.auth.service import authenticate, get_user, issue_token, login_blocked, record_login
from annotator.auth.web import begin_browser_session
from annotator.context import current_user, db_session
from annotator.errors import Invalid
from annotator.forms import attempt
from annotator.http import shown_once
from annotator.projects.service import find_project, list_projects
from annotator.storage.tables import User

pages = Blueprint("accounts", __name__)


@pages.get("/account")
def account(issued: IssuedToken | None = None) -> ResponseReturnValue:
    session, user = db_session(), current_user()
    page = make_response(render_template(
        "account.html", projects=list_projects(session, user), tokens=list_tokens(session, user), issued=issued,
    ))
    return shown_once(page) if issued else page


@pages.post("/account/password")
def change_password() -> ResponseReturnValue:
    session = db_session()
    user = get_user(session, current_user().name)  # the writer's copy: the guard's is read-only
    address = request.remote_addr or "unknown"
    # Guesses of the current password count with failed logins: a stolen session is no way round their limit.
    if login_blocked(session, user.name, address):
        flash("Too many wrong passwords. Wait 15 minutes, or ask a lead or an admin to reset it.", "error")
        return redirect(url_for("accounts.account"))
    if authenticate(session, user.name, request.form.get("current_password", "")) is None:
        record_login(session, user.name, address, succeeded=False)
        session.commit()
        flash("the current password is wrong", "error")
        return redirect(url_for("accounts.account"))

    def change() -> str:
        wanted = PasswordChange(current_password=request.form.get("current_password", ""),
                                new_password=request.form.get("new_password", ""))
        if wanted.new_password != request.form.get("confirm_password"):
            raise Invalid("the new password and its confirmation differ", [])
        ended = set_password(session, user, wanted.new_password)  # ends every session, this one too
        begin_browser_session(user)
        return with_ended_tokens("Password changed. Your other sessions have been logged out.", ended)

    attempt(change)
    return redirect(url_for("accounts.account"))


@pages.post("/account/tokens")
def create_token() -> ResponseReturnValue:
    session, user = db_session(), current_user()
    try:
        wanted = TokenCreate(label=request.form.get("label", ""))
    except ValidationError as error:
        flash("; ".join(issue["msg"] for issue in error.errors()), "error")
        return redirect(url_for("accounts.account"))
    record, secret = issue_token(session, user, wanted.label)
    session.commit()
    # Shown in this answer only, never redirected through the session cookie.
    return account(IssuedToken(token=describe_token(record, user.name), secret=secret))


@pages.post("/tokens/<int:token_id>/revoke")
def revoke(token_id: int) -> ResponseReturnValue:
    def revoke_it() -> str:
        token, owner = revoke_token(db_session(), token_id, current_user())
        return f"Token {token.hint}… of {owner.name} revoked."

    attempt(revoke_it)
    back = "accounts.users" if request.form.get("back") == "users" else "accounts.account"
    return redirect(url_for(back))


@pages.get("/users")
@requires("lead")
def users(issued: IssuedPassword | None = None) -> ResponseReturnValue:
    session, actor = db_session(), current_user()
    manageable = manageable_ids(session, actor) - {actor.id}
    page = make_response(render_template(
        "users.html", people=[(describe_user(u), u.id in manageable) for u in list_users(session)],
        tokens=revocable_tokens(session, actor), issued=issued,
        roles=("annotator", "lead", "admin") if actor.role == "admin" else ("annotator",),
    ))
    return shown_once(page) if issued else page


@pages.post("/users")
@requires("lead")
def create_user() -> ResponseReturnValue:
    issued: list[IssuedPassword] = []

    def create() -> str:
        wanted = UserCreate(name=request.form.get("name", ""), role=request.form.get("role", "annotator"))  # type: ignore[arg-type]
        require_may_create(current_user(), wanted.role)
        user, password = create_account(db_session(), wanted.name, wanted.role)
        issued.append(IssuedPassword(user=describe_user(user), password=password))
        return f"Account {user.name} created."

    return users(issued[0]) if attempt(create) else redirect(url_for("accounts.users"))


def _manage(name: str, change: Callable[[User], str]) -> Callable[[], str]:
    """The change, applied to account NAME once the current user is found to be allowed to manage it."""
    return lambda: change(managed_user(db_session(), current_user(), name))


@pages.post("/users/<user_name>/disable")
@requires("lead")
def disable(user_name: str) -> Response:
    def disable_it(user: User) -> str:
        require_may_disable(current_user(), user)
        disabled = disable_user(db_session(), user, current_user())
        return with_ended_tokens(
            f"{user.name} is disabled: logged out everywhere, {disabled.articles_released} unlabeled article(s) released.",
            disabled.tokens_ended,
        )

    attempt(_manage(user_name, disable_it))
    return redirect(url_for("accounts.users"))


@pages.post("/users/<user_name>/enable")
@requires("lead")
def enable(user_name: str) -> Response:
    def enable_it(user: User) -> str:
        enable_user(db_session(), user, current_user())
        return f"{user.name} is enabled; their API tokens stay revoked."

    attempt(_manage(user_name, enable_it))
    return redirect(url_for("accounts.users"))


@pages.post("/users/<user_name>/password")
@requires("lead")
def reset(user_name: str) -> ResponseReturnValue:
    issued: list[IssuedPassword] = []

    def reset_it(user: User) -> str:
        password, ended = reset_password(db_session(), user)
        issued.append(IssuedPassword(user=describe_user(user), password=password, tokens_ended=ended))
        return with_ended_tokens(f"{user.name} has a new password and has been logged out.", ended)

    return users(issued[0]) if attempt(_manage(user_name, reset_it)) else redirect(url_for("accounts.users"))


@pages.get("/projects/<int:project_id>/members")
@requires("lead")
def members(project_id: int) -> ResponseReturnValue:
    session = db_session()
    project = find_project(session, project_id)
    found = list_members(session, project)
    names = {m.name for m in found}
    candidates = [u.name for u in list_users(session) if u.name not in names and u.disabled_at is None and u.role != "admin"]
    return render_template("members.html", project=project, members=found, candidates=candidates)


@pages.post("/projects/<int:project_id>/members")
@requires("lead")
def set_member(project_id: int) -> Response:
    def put() -> str:
        project = find_project(db_session(), project_id)
        name = request.form.get("name", "")
        wanted = MemberSet.model_validate({"role": request.form.get("role", "")})
        put_member(db_session(), project, name, wanted.role)
        return f"{name} is a {wanted.role} of {project.name}."

    attempt(put)
    return redirect(url_for("accounts.members", project_id=project_id))


@pages.post("/projects/<int:project_id>/members/<user_name>/remove")
@requires("lead")
def remove(project_id: int, user_name: str) -> Response:
    def remove_it() -> str:
        project = find_project(db_session(), project_id)
        released = remove_member(db_session(), project, user_name)
        return f"{user_name} is no longer a member of {project.name}; {released} unlabeled article(s) released."

    attempt(remove_it)
    return redirect(url_for("accounts.members", project_id=project_id))
