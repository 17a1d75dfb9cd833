"""The lead's Team page: each annotator's accuracy, drift, confusions and flags; control items, the
training round and the threshold; setting an annotator aside or letting a trainee through."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from annotator.auth.guard import requires
from annotator.auth.service import get_user
from annotator.context import app_state, current_user, db_session, reading_session
from annotator.errors import Invalid
from annotator.forms import attempt
from annotator.jobs.queue import JobOut
from annotator.projects.service import find_project
from annotator.quality.background import ask_for_newer_quality, quality_for_request
from annotator.quality.charts import drift_chart, estimated_confusion_chart
from annotator.quality.controls import SCORED_FIELDS
from annotator.quality.items import add_control_items, change_quality_settings, change_standing
from annotator.quality.models import ControlItemsAdd, MemberStanding, QualitySettings

pages = Blueprint("quality", __name__)


@pages.get("/projects/<int:project_id>/team")
@requires("lead")
def team(project_id: int) -> ResponseReturnValue:
    session = reading_session()  # a large project's run is queued in a writer of its own
    project = find_project(session, project_id)
    state = app_state()
    report = quality_for_request(session, state.db, state.settings, project)
    if isinstance(report, JobOut):
        return render_template("report_pending.html", project=project, job=report, heading="Team",
                               refresh_url=url_for("quality.refresh", project_id=project.id))
    charts = {
        person.annotator: {
            "drift": drift_chart(person.drift, report.threshold),
            "confusions": [c for c in (estimated_confusion_chart(person.annotator, m) for m in person.confusions) if c],
        }
        for person in report.annotators
    }
    return render_template("team.html", project=project, report=report, charts=charts, fields=SCORED_FIELDS)


@pages.post("/projects/<int:project_id>/team/refresh")
@requires("lead")
def refresh(project_id: int) -> ResponseReturnValue:
    """A large project's report computed again by a worker now, not when the kept one grows old."""
    session = reading_session()  # the run is queued in a writer of its own
    state = app_state()
    ask_for_newer_quality(session, state.db, state.settings, find_project(session, project_id))
    return redirect(url_for("quality.team", project_id=project_id))


@pages.post("/projects/<int:project_id>/team/settings")
@requires("lead")
def settings(project_id: int) -> ResponseReturnValue:
    session = db_session()
    project = find_project(session, project_id)

    def change() -> str:
        wanted = {name: _number(request.form.get(name)) for name in QualitySettings.model_fields}
        change_quality_settings(session, project, QualitySettings.model_validate(wanted))
        return "Quality settings saved."

    return _attempted(project_id, change)


@pages.post("/projects/<int:project_id>/team/control-items")
@requires("lead")
def control_items(project_id: int) -> ResponseReturnValue:
    session = db_session()
    project = find_project(session, project_id)
    wanted = {"purpose": request.form.get("purpose", "control"), "count": _number(request.form.get("count"))}
    return _attempted(project_id, lambda: "Added {} {} item(s).".format(
        add_control_items(session, project, current_user(), ControlItemsAdd.model_validate(wanted)).added, wanted["purpose"]))


@pages.post("/projects/<int:project_id>/team/<string:user_name>/standing")
@requires("lead")
def standing(project_id: int, user_name: str) -> ResponseReturnValue:
    session = db_session()
    project = find_project(session, project_id)
    choices = {"set_aside": MemberStanding(set_aside=True), "restore": MemberStanding(set_aside=False),
               "let_through": MemberStanding(let_through=True)}

    def change() -> str:
        if (wanted := choices.get(request.form.get("action", ""))) is None:
            raise Invalid(f"choose what to do: {', '.join(choices)}", [])
        changed = change_standing(session, project, get_user(session, user_name), wanted)
        return " ".join(f"{line}." for line in changed) or "Nothing changed."

    return _attempted(project_id, change)


def _attempted(project_id: int, change: Callable[[], str]) -> ResponseReturnValue:
    attempt(change)
    return redirect(url_for("quality.team", project_id=project_id))


def _number(value: str | None) -> float | int | str | None:
    """A form's number as the strict models take it: empty is left out, a bad one is sent on to be named."""
    if value is None or not value.strip():
        return None
    try:
        number = float(value)
    except ValueError:
        return value
    return int(number) if number.is_integer() and "." not in value else number
