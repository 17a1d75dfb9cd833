"""GET /api/v1/projects/{id}/agreement (leads)."""

from __future__ import annotations

from flask import Response
from pydantic import BaseModel, Field

from annotator.agreement.models import AgreementReport
from annotator.agreement.service import project_report
from annotator.auth.guard import requires
from annotator.context import db_session
from annotator.errors import ErrorBody
from annotator.http import ProjectPath, api_blueprint, json_response
from annotator.projects.service import find_project

api = api_blueprint("agreement_api", __name__, "agreement")


class AgreementQuery(BaseModel):
    with_model: str | None = Field(
        default=None, max_length=170, pattern=r"^[^@]+@[^@]+$",
        description="NAME@VERSION: count this model's stored predictions as a pseudo-annotator, `model:NAME@VERSION`",
    )


@api.get("/projects/<int:project_id>/agreement", responses={200: AgreementReport, 404: ErrorBody})
@requires("lead")
def get_agreement(path: ProjectPath, query: AgreementQuery) -> Response:
    """Agreement per field, pair, span label and annotator, with the articles ranked by disagreement."""
    session = db_session()
    return json_response(project_report(session, find_project(session, path.project_id), query.with_model))
