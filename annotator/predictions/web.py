"""The lead's models page: every model version evaluated, best first, and one evaluation in full."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from pydantic import ValidationError

from annotator.agreement.service import stored_model_versions
from annotator.auth.guard import requires
from annotator.context import db_session
from annotator.errors import ApiError, NotFound
from annotator.predictions.api import EvaluationRequest, evaluate_stored
from annotator.predictions.store import (
    MIN_ARTICLES_TO_RANK,
    SuggestionSettings,
    evaluation_groups,
    project_evaluations,
    set_suggestions,
)
from annotator.projects.service import find_project
from annotator.storage.tables import Evaluation

pages = Blueprint("predictions", __name__)


def _reason(error: ValidationError | ApiError) -> str:
    return error.message if isinstance(error, ApiError) else str(error.errors()[0]["msg"])


@pages.get("/projects/<int:project_id>/models")
@requires("lead")
def models(project_id: int) -> ResponseReturnValue:
    session = db_session()
    project = find_project(session, project_id)
    return render_template("models.html", project=project, groups=evaluation_groups(project_evaluations(session, project)),
                           stored=stored_model_versions(session, project), min_to_rank=MIN_ARTICLES_TO_RANK)


@pages.post("/projects/<int:project_id>/models/evaluate")
@requires("lead")
def evaluate_form(project_id: int) -> ResponseReturnValue:
    session = db_session()
    project = find_project(session, project_id)
    try:
        wanted = EvaluationRequest.model_validate({k: v for k, v in request.form.items() if k in ("model", "split") and v})
        evaluation = evaluate_stored(session, project, wanted)
    except (ValidationError, ApiError) as error:
        flash(f"Not evaluated: {_reason(error)}", "error")
        return redirect(url_for("predictions.models", project_id=project.id))
    return redirect(url_for("predictions.evaluation", evaluation_id=evaluation.id))


@pages.post("/projects/<int:project_id>/models/suggestions")
@requires("lead")
def suggestions_form(project_id: int) -> ResponseReturnValue:
    session = db_session()
    project = find_project(session, project_id)
    try:
        settings = SuggestionSettings.model_validate({"model": request.form.get("model") or None,
                                                      "control_share": request.form.get("control_share", "0.1")})
        set_suggestions(session, project, settings)
    except (ValidationError, ApiError) as error:
        flash(f"Not changed: {_reason(error)}", "error")
    else:
        flash(f"Annotators see {settings.model}'s statements, except on a blind control share of {settings.control_share:.0%}."
              if settings.model else "Suggestions are off.", "info")
    return redirect(url_for("predictions.models", project_id=project.id))


@pages.get("/evaluations/<int:evaluation_id>")
@requires("lead")
def evaluation(evaluation_id: int) -> ResponseReturnValue:
    session = db_session()
    found = session.get(Evaluation, evaluation_id)
    if found is None:
        raise NotFound(f"no evaluation {evaluation_id}")
    return render_template("evaluation.html", evaluation=found, report=found.report,
                           project=find_project(session, found.project_id))
