"""/api/v1: users (admins and leads), the caller's API tokens, project members (the project's leads)."""

from __future__ import annotations

from flask import Response
from pydantic import BaseModel, Field

from annotator.accounts.models import (
    DisabledUser,
    IssuedPassword,
    IssuedToken,
    MemberList,
    MemberOut,
    MemberSet,
    TokenCreate,
    TokenList,
    UserCreate,
    UserList,
    UserOut,
)
from annotator.accounts.service import (
    create_account,
    describe_token,
    describe_user,
    disable_user,
    enable_user,
    list_members,
    list_users,
    managed_user,
    put_member,
    remove_member,
    require_may_create,
    require_may_disable,
    reset_password,
    revocable_tokens,
    revoke_token,
)
from annotator.auth.guard import requires
from annotator.auth.service import issue_token
from annotator.context import current_user, db_session
from annotator.errors import ErrorBody
from annotator.http import ProjectPath, RowId, api_blueprint, json_response, shown_once
from annotator.projects.service import find_project
from annotator.storage.tables import User

api = api_blueprint("accounts_api", __name__, "accounts")


class UserPath(BaseModel):
    user_name: str = Field(max_length=80)


class TokenPath(BaseModel):
    token_id: RowId


class MemberPath(BaseModel):
    project_id: RowId
    user_name: str = Field(max_length=80)


@api.get("/users", responses={200: UserList})
@requires("lead")
def get_users() -> Response:
    """Every account, with its role and whether it is disabled (leads need the names to add members)."""
    return json_response(UserList(users=[describe_user(u) for u in list_users(db_session())]))


@api.post("/users", responses={201: IssuedPassword, 409: ErrorBody, 415: ErrorBody})
@requires("lead")
def post_user(body: UserCreate) -> Response:
    """Create an account with a generated password, shown this once (leads create annotators only)."""
    require_may_create(current_user(), body.role)
    session = db_session()
    user, password = create_account(session, body.name, body.role)
    session.commit()
    return shown_once(json_response(IssuedPassword(user=describe_user(user), password=password), 201))


def _managed_user(name: str) -> User:
    return managed_user(db_session(), current_user(), name)


@api.post("/users/<string:user_name>/disable", responses={200: DisabledUser})
@requires("lead")
def post_disable(path: UserPath) -> Response:
    """End the user's access at once: no login, no session; every API token is revoked.

    A lead manages an annotator only when she leads every project the annotator belongs to."""
    user = _managed_user(path.user_name)
    require_may_disable(current_user(), user)
    disabled = disable_user(db_session(), user, current_user())
    db_session().commit()
    return json_response(disabled)


@api.post("/users/<string:user_name>/enable", responses={200: UserOut})
@requires("lead")
def post_enable(path: UserPath) -> Response:
    """Let the user log in again (tokens revoked by the disabling stay revoked); what an admin disabled only an admin enables."""
    user = _managed_user(path.user_name)
    enable_user(db_session(), user, current_user())
    db_session().commit()
    return json_response(describe_user(user))


@api.post("/users/<string:user_name>/password", responses={200: IssuedPassword})
@requires("lead")
def post_password_reset(path: UserPath) -> Response:
    """Give the user a new generated password, shown this once; their sessions and API tokens end."""
    user = _managed_user(path.user_name)
    password, ended = reset_password(db_session(), user)
    db_session().commit()
    return shown_once(json_response(IssuedPassword(user=describe_user(user), password=password, tokens_ended=ended)))


@api.get("/tokens", responses={200: TokenList})
def get_tokens() -> Response:
    """The API tokens the caller may revoke: their own; a lead's also annotators'; an admin's every one."""
    return json_response(TokenList(tokens=revocable_tokens(db_session(), current_user())))


@api.post("/tokens", responses={201: IssuedToken, 415: ErrorBody})
def post_token(body: TokenCreate) -> Response:
    """A new API token for the caller; its secret is in this answer only."""
    session = db_session()
    record, secret = issue_token(session, current_user(), body.label)
    session.commit()
    return shown_once(json_response(IssuedToken(token=describe_token(record, current_user().name), secret=secret), 201))


@api.delete("/tokens/<int:token_id>", responses={204: None})
def delete_token(path: TokenPath) -> Response:
    """Revoke a token: requests carrying it are refused from now on."""
    session = db_session()
    revoke_token(session, path.token_id, current_user())
    session.commit()
    return Response(status=204)


@api.get("/projects/<int:project_id>/members", responses={200: MemberList})
@requires("lead")
def get_members(path: ProjectPath) -> Response:
    session = db_session()
    return json_response(MemberList(members=list_members(session, find_project(session, path.project_id))))


@api.put("/projects/<int:project_id>/members/<string:user_name>", responses={200: MemberOut, 409: ErrorBody, 415: ErrorBody})
@requires("lead")
def put_project_member(path: MemberPath, body: MemberSet) -> Response:
    """Add the user to the project with this role, or change their role in it."""
    session = db_session()
    member = put_member(session, find_project(session, path.project_id), path.user_name, body.role)
    session.commit()
    return json_response(member)


@api.delete("/projects/<int:project_id>/members/<string:user_name>", responses={204: None, 409: ErrorBody})
@requires("lead")
def delete_project_member(path: MemberPath) -> Response:
    """Take the user out of the project; its articles, pages and API are closed to them at once."""
    session = db_session()
    remove_member(session, find_project(session, path.project_id), path.user_name)
    session.commit()
    return Response(status=204)
