"""Browser login and logout."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from annotator.auth.guard import SESSION_KEY, public
from annotator.auth.service import (
    authenticate,
    end_login_session,
    login_blocked,
    record_login,
    start_login_session,
)
from annotator.context import db_session
from annotator.storage.tables import User

pages = Blueprint("auth", __name__)


@pages.route("/login", methods=["GET", "POST"])
@public
def login() -> ResponseReturnValue:
    target = _safe_next(request.values.get("next", ""))
    if request.method == "POST":
        db = db_session()
        name, address = request.form.get("name", ""), request.remote_addr or "unknown"
        if login_blocked(db, name, address):
            flash("Too many failed logins. Wait 15 minutes, or ask an admin.", "error")
            return render_template("login.html", next=target), 429
        user = authenticate(db, name, request.form.get("password", ""))
        record_login(db, name, address, succeeded=user is not None)
        if user is None:
            db.commit()
            flash("Unknown user name or wrong password.", "error")
            return render_template("login.html", next=target), 401
        begin_browser_session(user)
        db.commit()
        return redirect(target)
    return render_template("login.html", next=target)


@pages.post("/logout")
@public
def logout() -> ResponseReturnValue:
    key = session.get(SESSION_KEY)
    if isinstance(key, str):
        db = db_session()
        end_login_session(db, key)  # a copy of the cookie kept elsewhere stops working too
        db.commit()
    session.clear()
    return redirect(url_for("auth.login"))


def begin_browser_session(user: User) -> None:
    """Log this browser in as the user with a fresh server-side session (the caller commits)."""
    session.clear()
    session[SESSION_KEY] = start_login_session(db_session(), user)


def _safe_next(target: str) -> str:
    """Only same-site paths, so a crafted link cannot bounce a user elsewhere after login."""
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.netloc and not parts.scheme:
        return target
    return url_for("projects.index")
