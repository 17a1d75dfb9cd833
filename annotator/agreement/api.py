"""GET /api/v1/projects/{id}/agreement (leads)."""

from __future__ import annotations

from flask import Response

from annotator.agreement.models import AgreementReport
from annotator.agreement.service import project_report
from annotator.auth.guard import requires
from annotator.context import db_session
from annotator.errors import ErrorBody
from annotator.http import ProjectPath, api_blueprint, json_response
from annotator.projects.service import find_project

api = api_blueprint("agreement_api", __name__, "agreement")


@api.get("/projects/<int:project_id>/agreement", responses={200: AgreementReport, 404: ErrorBody})
@requires("lead")
def get_agreement(path: ProjectPath) -> Response:
    """Agreement per field, pair, span label and annotator, with the articles ranked by disagreement."""
    session = db_session()
    return json_response(project_report(session, find_project(session, path.project_id)))
