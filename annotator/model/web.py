"""The lead's baseline page: model cards, the learning curve, retraining in the background, the queue."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from pydantic import ValidationError

from annotator.auth.guard import requires
from annotator.context import app_state, db_session
from annotator.errors import ApiError
from annotator.model.background import start_prediction, start_training, training_status
from annotator.model.charts import learning_curve
from annotator.model.extra import INSTALL_HINT, model_extra_installed
from annotator.model.versions import list_cards
from annotator.projects.models import QueueSettings
from annotator.projects.service import find_project
from annotator.storage.tables import Project

pages = Blueprint("model", __name__)


@pages.get("/projects/<int:project_id>/baseline")
@requires("lead")
def baseline(project_id: int) -> ResponseReturnValue:
    session = db_session()
    project = find_project(session, project_id)
    cards = list_cards(session, project.id)
    return render_template(
        "baseline.html", project=project, cards=cards, status=training_status(session, project),
        curve=learning_curve(cards[0].learning_curve) if cards else None,
        missing_extra=None if model_extra_installed() else INSTALL_HINT,
    )


@pages.post("/projects/<int:project_id>/baseline/train")
@requires("lead")
def train(project_id: int) -> ResponseReturnValue:
    session = db_session()
    project = find_project(session, project_id)
    return _started(project, lambda: start_training(session, app_state().settings, project), "Training")


@pages.post("/projects/<int:project_id>/baseline/predict")
@requires("lead")
def predict(project_id: int) -> ResponseReturnValue:
    """Predict the articles without gold with a trained version, and offer its statements as suggestions."""
    session = db_session()
    project = find_project(session, project_id)
    version = request.form.get("version", "")
    if version not in {card.version for card in list_cards(session, project.id)}:
        flash(f"Not started: there is no baseline@{version}; train one first.", "error")
        return redirect(url_for("model.baseline", project_id=project.id))
    return _started(project, lambda: start_prediction(session, app_state().settings, project, version),
                    f"Predicting with baseline@{version}")


def _started(project: Project, start: Callable[[], None], what: str) -> ResponseReturnValue:
    try:
        start()
    except ApiError as error:
        flash(f"Not started: {error.message}", "error")
    else:
        flash(f"{what} queued for a worker. Labeling and saving go on meanwhile; this page shows the progress.", "info")
    return redirect(url_for("model.baseline", project_id=project.id))


@pages.post("/projects/<int:project_id>/queue")
@requires("lead")
def queue(project_id: int) -> ResponseReturnValue:
    session = db_session()
    project = find_project(session, project_id)
    try:
        project.queue_order = QueueSettings(order=request.form.get("order", "")).order  # type: ignore[arg-type]
    except ValidationError:
        flash("Not changed: choose fill or uncertain.", "error")
    else:
        session.commit()
        flash(f"Next article now follows the {project.queue_order!r} order.", "info")
    return redirect(url_for("model.baseline", project_id=project.id))
