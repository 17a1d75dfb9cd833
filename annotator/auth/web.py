"""Browser login and logout."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from annotator.auth.guard import public
from annotator.auth.service import authenticate, login_blocked, record_login
from annotator.context import db_session

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
        db.commit()
        if user is not None:
            session.clear()
            session["user_id"] = user.id
            return redirect(target)
        flash("Unknown user name or wrong password.", "error")
        return render_template("login.html", next=target), 401
    return render_template("login.html", next=target)


@pages.post("/logout")
@public
def logout() -> ResponseReturnValue:
    session.clear()
    return redirect(url_for("auth.login"))


def _safe_next(target: str) -> str:
    """Only same-site paths, so a crafted link cannot bounce a user elsewhere after login."""
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.netloc and not parts.scheme:
        return target
    return url_for("projects.index")
