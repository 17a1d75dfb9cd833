"""The lead's project page: find, filter and sort articles, see progress, assign work in batches."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from pydantic import BaseModel, Field, ValidationError, field_validator

from annotator.annotate.assignment import AssignmentAction, change_assignments
from annotator.auth.guard import requires
from annotator.auth.service import get_user, get_users
from annotator.context import db_session
from annotator.errors import ApiError, Invalid, Problem
from annotator.export.service import export_refusal
from annotator.overview.charts import progress_chart
from annotator.predictions.store import project_evaluations
from annotator.overview.models import SORT_NAMES, STATE_NAMES, ArticleFilter
from annotator.overview.service import annotator_progress, assignable_users, find_articles, matching_ids, project_totals
from annotator.projects.service import find_project

pages = Blueprint("overview", __name__)


def article_filter(args: dict[str, str]) -> ArticleFilter:
    try:
        return ArticleFilter.model_validate({k: v for k, v in args.items() if k in ArticleFilter.model_fields and v != ""})
    except ValidationError as error:
        problems = [Problem.at(issue["loc"], issue["msg"]) for issue in error.errors()]
        raise Invalid("the article filter is not valid", problems) from error


@pages.get("/projects/<int:project_id>")
@requires("lead")
def overview(project_id: int) -> ResponseReturnValue:
    session = db_session()
    project = find_project(session, project_id)
    wanted = article_filter(request.args.to_dict())
    totals = project_totals(session, project)
    return render_template(
        "project.html",
        project=project,
        wanted=wanted,
        found=find_articles(session, project, wanted),
        totals=totals,
        chart=progress_chart(totals, annotator_progress(session, project)),
        people=assignable_users(session, project),
        refusals={"gold": export_refusal(session, project, False), "majority": export_refusal(session, project, True)},
        evaluations=project_evaluations(session, project)[:5],
        state_names=STATE_NAMES,
        sort_names=SORT_NAMES,
    )


class AssignmentForm(BaseModel):
    """The batch form under the article list: what to do, to whom, and to which articles."""

    action: AssignmentAction
    scope: str = Field(pattern="^(selected|matching)$")
    annotator: list[str] = Field(default_factory=list, description="For assign and release; reassign's targets")
    from_annotator: str = ""
    article: list[int] = Field(default_factory=list)

    @field_validator("annotator")
    @classmethod
    def someone_is_chosen(cls, names: list[str]) -> list[str]:
        if not names:
            raise ValueError("choose at least one annotator")
        return names


@pages.post("/projects/<int:project_id>/assignments")
@requires("lead")
def assign(project_id: int) -> ResponseReturnValue:
    session = db_session()
    project = find_project(session, project_id)
    wanted = article_filter(request.form.to_dict())
    back = redirect(url_for("overview.overview", project_id=project.id, **wanted.query_args()))  # type: ignore[arg-type]
    try:
        form = AssignmentForm.model_validate({**request.form.to_dict(), **{k: request.form.getlist(k) for k in ("annotator", "article")}})
    except ValidationError as error:
        flash("Nothing changed: " + "; ".join(issue["msg"] for issue in error.errors()), "error")
        return back
    article_ids = form.article if form.scope == "selected" else matching_ids(session, project, wanted)
    if not article_ids:
        flash("Nothing changed: no article was chosen.", "error")
        return back
    source = get_user(session, form.from_annotator) if form.action == "reassign" else None
    try:
        report = change_assignments(session, project, form.action, article_ids, get_users(session, form.annotator), source)
    except ApiError as error:
        flash(f"Nothing changed: {error.message}", "error")
        return back
    session.commit()
    flash(report.summary() + ".", "error" if report.refused and not report.changed else "info")
    return back

