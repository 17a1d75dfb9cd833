"""What the pages' form actions share: run a change, commit it, and say on the next page what it did, or
what refused it (nothing of it is kept then)."""

from __future__ import annotations

from collections.abc import Callable

from flask import flash
from pydantic import ValidationError

from annotator.context import db_session
from annotator.errors import ApiError


def attempt(action: Callable[[], str]) -> bool:
    """Run a change and commit it, flashing what it did, or what refused it; whether it was kept."""
    session = db_session()
    try:
        message = action()
        session.commit()
    except ApiError as error:
        session.rollback()
        flash(error.message, "error")
        return False
    except ValidationError as error:
        session.rollback()
        flash("; ".join(_problem(issue["loc"], issue["msg"]) for issue in error.errors()), "error")
        return False
    flash(message, "info")
    return True


def _problem(where: tuple[int | str, ...], message: str) -> str:
    """A refusal, naming the form's field where it has one (a form may hold several)."""
    return f"{'.'.join(map(str, where))}: {message}" if where else message
