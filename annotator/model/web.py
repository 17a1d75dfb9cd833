"""The lead's baseline page: model cards, the learning curve, retraining in the background, the queue."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from pydantic import ValidationError

from annotator.auth.guard import requires
from annotator.context import app_state, db_session
from annotator.errors import ApiError
from annotator.model.background import start_training, training_status
from annotator.model.charts import learning_curve
from annotator.model.extra import INSTALL_HINT, model_extra_installed
from annotator.model.folders import list_cards, models_folder
from annotator.projects.models import QueueSettings
from annotator.projects.service import find_project

pages = Blueprint("model", __name__)


@pages.get("/projects/<int:project_id>/baseline")
@requires("lead")
def baseline(project_id: int) -> ResponseReturnValue:
    project = find_project(db_session(), project_id)
    settings = app_state().settings
    cards = list_cards(models_folder(settings.data_dir, project))
    return render_template(
        "baseline.html", project=project, cards=cards, status=training_status(settings, project),
        curve=learning_curve(cards[0].learning_curve) if cards else None,
        missing_extra=None if model_extra_installed() else INSTALL_HINT,
    )


@pages.post("/projects/<int:project_id>/baseline/train")
@requires("lead")
def train(project_id: int) -> ResponseReturnValue:
    project = find_project(db_session(), project_id)
    try:
        start_training(app_state().settings, project)
    except ApiError as error:
        flash(f"Not started: {error.message}", "error")
    else:
        flash("Training started. Labeling and saving go on meanwhile; this page shows the progress.", "info")
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
