"""The lead's Codebook page: the schema's versions, proposed actors, and an upgrade previewed then applied."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from annotator.auth.guard import requires
from annotator.codebook.diff import schema_diff
from annotator.codebook.history import project_upgrades, proposed_actors
from annotator.codebook.plan import PlanError
from annotator.codebook.proposals import IdToPlace, ids_to_place, next_version, taking_in, with_places
from annotator.codebook.upgrade import UpgradeReport, upgrade_from_text
from annotator.context import current_user, db_session
from annotator.errors import ApiError
from annotator.labelschema import SchemaError, load_schema_text
from annotator.projects.service import find_project, project_schema
from annotator.storage.tables import Project

pages = Blueprint("codebook", __name__)


@pages.get("/projects/<int:project_id>/codebook")
@requires("lead")
def page(project_id: int) -> ResponseReturnValue:
    return _page(find_project(db_session(), project_id))


@pages.post("/projects/<int:project_id>/codebook/preview")
@requires("lead")
def preview(project_id: int) -> ResponseReturnValue:
    """The dry run of the schema and plan sent: what changes, what is carried, what goes to review."""
    return _previewed(find_project(db_session(), project_id), _sent("schema"), _sent("plan"))


@pages.post("/projects/<int:project_id>/codebook/proposals")
@requires("lead")
def take_in_proposal(project_id: int) -> ResponseReturnValue:
    """A proposed actor accepted as an actor of its own, or merged into one: previewed like any upgrade."""
    session = db_session()
    project = find_project(session, project_id)
    proposal = next((p for p in proposed_actors(session, project) if p.id == request.form.get("proposal")), None)
    if proposal is None:
        flash("No such proposed actor in the labels now: nothing to take in.", "error")
        return redirect(url_for("codebook.page", project_id=project.id))
    schema = project_schema(project)
    into = (request.form.get("into") or None) if request.form.get("action") == "merge" else None
    try:
        schema_text, plan_text = taking_in(schema, proposal, request.form.get("version") or next_version(schema.version), into)
    except ValueError as error:
        return _page(project, problems=[str(error)]), 422
    return _previewed(project, schema_text, plan_text)


def _previewed(project: Project, schema_text: str, plan_text: str) -> ResponseReturnValue:
    session = db_session()
    try:
        report = upgrade_from_text(session, project, schema_text, plan_text, current_user(), apply=False)
    except ApiError as error:
        session.rollback()
        problems = [p.message for p in error.problems] or [error.message]
        return _page(project, schema_text=schema_text, plan_text=plan_text, problems=problems,
                     to_place=_to_place(project, schema_text, plan_text)), 422
    session.rollback()
    changes = schema_diff(project_schema(project), load_schema_text(schema_text)).changes
    return _page(project, report=report, changes=changes, schema_text=schema_text, plan_text=plan_text,
                 to_place=_to_place(project, schema_text, plan_text))


@pages.post("/projects/<int:project_id>/codebook/plan")
@requires("lead")
def build_plan(project_id: int) -> ResponseReturnValue:
    """The plan sent, with a place chosen on the page for each id the new version drops; previewed."""
    project = find_project(db_session(), project_id)
    schema_text, plan_text = request.form.get("schema_text", ""), request.form.get("plan_text", "")
    chosen = {key.removeprefix("place:"): value for key, value in request.form.items() if key.startswith("place:") and value}
    splits = {key.removeprefix("split:"): value for key, value in request.form.items() if key.startswith("split:")}
    return _previewed(project, schema_text, with_places(plan_text, chosen, splits))


def _to_place(project: Project, schema_text: str, plan_text: str) -> list[IdToPlace]:
    """The ids the new version drops that the plan does not place yet, each with where it could go."""
    try:
        return ids_to_place(project_schema(project), load_schema_text(schema_text), plan_text)
    except (SchemaError, PlanError):
        return []


@pages.post("/projects/<int:project_id>/codebook/apply")
@requires("lead")
def apply(project_id: int) -> ResponseReturnValue:
    session = db_session()
    project = find_project(session, project_id)
    try:
        report = upgrade_from_text(session, project, request.form.get("schema_text", ""), request.form.get("plan_text") or None,
                                   current_user(), apply=True)
    except ApiError as error:
        session.rollback()
        flash(f"Not applied: {'; '.join(p.message for p in error.problems) or error.message}", "error")
        return redirect(url_for("codebook.page", project_id=project.id))
    session.commit()
    flash(f"{project.name} now labels under {report.new_version}: {report.carried} annotation(s) and {report.gold_carried} "
          f"gold record(s) carried, {len(report.reviews)} sent to review.", "info")
    return redirect(url_for("codebook.page", project_id=project.id))


def _sent(name: str) -> str:
    """A text the form sends as a file, else typed into its box."""
    upload = request.files.get(f"{name}_file")
    if upload is not None and upload.filename:
        return upload.read().decode("utf-8", errors="replace")
    return request.form.get(f"{name}_text", "")


def _page(project: Project, report: UpgradeReport | None = None, **shown: object) -> str:
    session = db_session()
    schema = project_schema(project)
    return render_template("codebook.html", project=project, schema=schema, report=report, next_version=next_version(schema.version),
                           upgrades=project_upgrades(session, project), proposals=proposed_actors(session, project),
                           **{"changes": [], "schema_text": "", "plan_text": "", "problems": [], "to_place": [], **shown})
