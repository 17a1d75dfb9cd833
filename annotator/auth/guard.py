"""One place decides who may reach each endpoint: deny by default, roles checked on the server.

Views declare their access with @public or @requires(role); anything undeclared
needs a logged-in annotator. A URL about a project (its id, or an article, revision
or evaluation of it) is checked against the user's role in that project: only its
members, and admins, get past. Other URLs are checked against the account's role.
API requests authenticate with a Bearer token, or with the session cookie plus a
CSRF header for writes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar, cast

from flask import Flask, Request, current_app, g, redirect, request, session, url_for
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import Select

from annotator.auth.membership import UrlProject, project_in_url, role_in_url, with_role_in_url
from annotator.auth.models import Role, role_allows
from annotator.auth.service import LOGIN_SESSION_OWNER, TOKEN_OWNER, owner_of, owner_params
from annotator.context import SAFE_METHODS, read_connection
from annotator.errors import ApiError, Forbidden, NotFound
from annotator.storage.tables import User

View = TypeVar("View", bound=Callable[..., object])
PUBLIC = "public"
# Flask's own static view is a bound method and cannot carry the attribute.
PUBLIC_ENDPOINTS = frozenset({"static"})
API_PREFIX = "/api/"
SESSION_KEY = "login_session"
csrf = CSRFProtect()


class Unauthenticated(ApiError):
    status = 401
    code = "unauthenticated"


def public(view: View) -> View:
    view.access = PUBLIC  # type: ignore[attr-defined]
    return view


def requires(role: Role) -> Callable[[View], View]:
    def mark(view: View) -> View:
        view.access = role  # type: ignore[attr-defined]
        return view

    return mark


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIX)


def token_header(incoming: Request) -> str:
    """An API request's Authorization header: when there is one, it alone authenticates the request
    (the cookie is neither read nor parsed). Empty for pages, which only the cookie authenticates."""
    return incoming.headers.get("Authorization", "") if incoming.path.startswith(API_PREFIX) else ""


class TokenAwareSessionInterface(SecureCookieSessionInterface):
    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if token_header(request):
            return self.null_session_class()
        return super().open_session(app, request)


def authorize_request() -> ResponseReturnValue | None:
    view = current_app.view_functions.get(request.endpoint or "")
    if view is None or request.endpoint in PUBLIC_ENDPOINTS:
        return None  # unknown URLs get routing's 404/405; static assets are public
    access = getattr(view, "access", "annotator")
    if access == PUBLIC:
        return None
    try:
        url, unreachable = project_in_url(request.view_args or {}), None
    except NotFound as error:  # a key no row can have: who asks is still checked first
        url, unreachable = None, error
    found = _authenticated(url)
    if found is None:
        if is_api_request():
            raise Unauthenticated("log in or send Authorization: Bearer <token>")
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    if unreachable is not None:
        raise unreachable
    g.user, found_in_url = found
    g.project_role = role = _role_here(g.user, url, found_in_url)
    if not role_allows(role, cast(Role, access)):
        raise Forbidden(f"this needs the {access} role; you are {role}" + (" in this project" if g.project_id else ""))
    return None


def _role_here(user: User, url: UrlProject | None, found_in_url: Sequence[Any]) -> str:
    """The user's role where the URL points: in its project, or the account's role outside any."""
    if url is None:
        g.project_id = None
        return user.role
    g.project_id, role = role_in_url(user, url, found_in_url)
    if role is None:
        raise Forbidden(f"you are not a member of project {g.project_id}; a lead of it can add you")
    return role


def _authenticated(url: UrlProject | None) -> tuple[User, Sequence[Any]] | None:
    """The user the request's token or login cookie belongs to, and what with_role_in_url found for the URL."""
    if header := token_header(request):
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated("Authorization header must be 'Bearer <token>'")
        found = _owner(TOKEN_OWNER, token.strip(), url)
        if found is None:
            raise Unauthenticated("unknown or revoked API token")
        return found
    key = session.get(SESSION_KEY)
    found = _owner(LOGIN_SESSION_OWNER, key, url) if isinstance(key, str) else None
    if found is not None and is_api_request() and request.method not in SAFE_METHODS:
        # Cookie-authenticated writes must prove they come from our own pages.
        csrf.protect()
    return found


def _owner(owner_query: Select[Any], key: str, url: UrlProject | None) -> tuple[User, Sequence[Any]] | None:
    """Who the key belongs to and, in the same statement, their role in the URL's project."""
    params = owner_params(key) if url is None else {**owner_params(key), "key": url.key}
    row = with_role_in_url(owner_query, url and url.argument).first(read_connection(), params)
    return None if row is None else owner_of(row)
