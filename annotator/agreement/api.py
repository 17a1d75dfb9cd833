"""GET /api/v1/projects/{id}/agreement (leads)."""

from __future__ import annotations

from flask import Response
from pydantic import BaseModel, Field

from annotator.agreement.models import AgreementReport
from annotator.agreement.background import agreement_for_request
from annotator.auth.guard import requires
from annotator.context import app_state, reading_session
from annotator.errors import ErrorBody
from annotator.http import ProjectPath, accepted, api_blueprint, json_response
from annotator.jobs.queue import JobOut
from annotator.projects.service import find_project

api = api_blueprint("agreement_api", __name__, "agreement")


class AgreementQuery(BaseModel):
    with_model: str | None = Field(
        default=None, max_length=170, pattern=r"^[^@]+@[^@]+$",
        description="NAME@VERSION: count this model's stored predictions as a pseudo-annotator, `model:NAME@VERSION`",
    )


@api.get("/projects/<int:project_id>/agreement", responses={200: AgreementReport, 202: JobOut, 404: ErrorBody})
@requires("lead")
def get_agreement(path: ProjectPath, query: AgreementQuery) -> Response:
    """Agreement per field, pair, span label and annotator, with the articles ranked by disagreement.

    A large project's report (settings.report_job_articles) is computed by a worker and kept: the kept one
    comes back (`computed_at`, and `refreshing` while a newer one is computed), or before the first run
    ends, 202 with the job."""
    return _report(path, query, refresh=False)


@api.post("/projects/<int:project_id>/agreement/refresh", responses={200: AgreementReport, 202: JobOut, 404: ErrorBody})
@requires("lead")
def refresh_agreement(path: ProjectPath, query: AgreementQuery) -> Response:
    """As GET, and a large project's report is computed again now (unless a run is under way)."""
    return _report(path, query, refresh=True)


def _report(path: ProjectPath, query: AgreementQuery, refresh: bool) -> Response:
    session = reading_session()  # the run is queued in a writer of its own
    state = app_state()
    report = agreement_for_request(session, state.db, state.settings, find_project(session, path.project_id), query.with_model, refresh)
    return accepted(report) if isinstance(report, JobOut) else json_response(report)
