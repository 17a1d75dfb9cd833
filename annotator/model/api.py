"""/api/v1/projects/{id}/training: how a background training run is going."""

from __future__ import annotations

from flask import Response

from annotator.auth.guard import requires
from annotator.context import app_state, db_session
from annotator.http import ProjectPath, api_blueprint, json_response
from annotator.model.background import training_status
from annotator.model.progress import TrainingStatus
from annotator.projects.service import find_project

api = api_blueprint("model_api", __name__, "model")


@api.get("/projects/<int:project_id>/training", responses={200: TrainingStatus, 204: None})
@requires("lead")
def get_training(path: ProjectPath) -> Response:
    """The newest training run's state, stage and share done (204 when none was ever started)."""
    status = training_status(app_state().settings, find_project(db_session(), path.project_id))
    return json_response(status) if status else Response(status=204)
