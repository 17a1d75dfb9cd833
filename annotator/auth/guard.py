"""One place decides who may reach each endpoint: deny by default, roles checked on the server.

Views declare their access with @public or @requires(role); anything undeclared
needs a logged-in annotator. API requests authenticate with a Bearer token, or
with the session cookie plus a CSRF header for writes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar, cast

from flask import current_app, g, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFProtect

from annotator.auth.models import Role, role_allows
from annotator.auth.service import user_for_token
from annotator.context import SAFE_METHODS, read_session
from annotator.errors import ApiError, Forbidden
from annotator.storage.tables import User

View = TypeVar("View", bound=Callable[..., object])
PUBLIC = "public"
# Flask's own static view is a bound method and cannot carry the attribute.
PUBLIC_ENDPOINTS = frozenset({"static"})
API_PREFIX = "/api/"
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


def authorize_request() -> ResponseReturnValue | None:
    view = current_app.view_functions.get(request.endpoint or "")
    if view is None or request.endpoint in PUBLIC_ENDPOINTS:
        return None  # unknown URLs get routing's 404/405; static assets are public
    access = getattr(view, "access", "annotator")
    if access == PUBLIC:
        return None
    user = _authenticated_user()
    if user is None:
        if is_api_request():
            raise Unauthenticated("log in or send Authorization: Bearer <token>")
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    if not role_allows(user.role, cast(Role, access)):
        raise Forbidden(f"this needs the {access} role; you are {user.role}")
    g.user = user
    return None


def _authenticated_user() -> User | None:
    header = request.headers.get("Authorization", "")
    if is_api_request() and header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated("Authorization header must be 'Bearer <token>'")
        user = user_for_token(read_session(), token.strip())
        if user is None:
            raise Unauthenticated("unknown or revoked API token")
        return user
    user_id = session.get("user_id")
    user = read_session().get(User, user_id) if isinstance(user_id, int) else None
    if user is not None and is_api_request() and request.method not in SAFE_METHODS:
        # Cookie-authenticated writes must prove they come from our own pages.
        csrf.protect()
    return user
