"""/api/v1/projects/{id}/training: how the newest baseline run (a job) is going."""

from __future__ import annotations

from flask import Response

from annotator.auth.guard import requires
from annotator.context import db_session
from annotator.http import ProjectPath, api_blueprint, json_response
from annotator.model.background import training_status
from annotator.jobs.queue import JobOut
from annotator.projects.service import find_project

api = api_blueprint("model_api", __name__, "model")


@api.get("/projects/<int:project_id>/training", responses={200: JobOut, 204: None})
@requires("lead")
def get_training(path: ProjectPath) -> Response:
    """The newest baseline run (training or predicting): its state (queued, running, done, failed), stage, share
    done, attempts and worker, the same from any host (204 when none was ever started)."""
    session = db_session()
    status = training_status(session, find_project(session, path.project_id))
    return json_response(status) if status else Response(status=204)
