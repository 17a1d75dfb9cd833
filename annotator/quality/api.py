"""/api/v1/projects/{id}/quality, control items and quality settings (leads), and a member's standing.

An annotator may read the quality report too, but only their own entry: never another's scores."""

from __future__ import annotations

from flask import Response
from pydantic import BaseModel, Field

from annotator.accounts.api import MemberPath
from annotator.auth.guard import requires
from annotator.auth.models import role_allows
from annotator.auth.service import get_user
from annotator.context import app_state, current_role, current_user, db_session, reading_session
from annotator.errors import ErrorBody
from annotator.http import ProjectPath, accepted, api_blueprint, json_response
from annotator.jobs.queue import JobOut
from annotator.projects.service import find_project
from annotator.quality.items import add_control_items, change_quality_settings, change_standing, control_items_summary
from annotator.quality.models import (
    ControlItemsAdd,
    ControlItemsOut,
    MemberStanding,
    QualityReport,
    QualitySettings,
)
from annotator.quality.background import quality_for_request

api = api_blueprint("quality_api", __name__, "quality")


class QualityQuery(BaseModel):
    method: str = Field(default="dawid-skene", pattern="^(dawid-skene|mace)$", description="The estimator over the overlap")


class StandingChanged(BaseModel):
    changed: list[str]


@api.get("/projects/<int:project_id>/quality", responses={200: QualityReport, 202: JobOut, 404: ErrorBody, 422: ErrorBody})
def get_quality(path: ProjectPath, query: QualityQuery) -> Response:
    """Per annotator and field: accuracy estimated from the overlap and on control items, drift,
    confusions and flags. Leads see everyone; an annotator sees their own entry alone.

    A large project's report (settings.report_job_articles) is computed by a worker and kept: the kept one
    comes back (`computed_at`, and `refreshing` while a newer one is computed), or before the first run
    ends, 202 with the job."""
    return _report(path, query, refresh=False)


@api.post("/projects/<int:project_id>/quality/refresh", responses={200: QualityReport, 202: JobOut, 404: ErrorBody, 422: ErrorBody})
@requires("lead")
def refresh_quality(path: ProjectPath, query: QualityQuery) -> Response:
    """As GET, and a large project's report is computed again now (unless a run is under way)."""
    return _report(path, query, refresh=True)


def _report(path: ProjectPath, query: QualityQuery, refresh: bool) -> Response:
    session = reading_session()  # the run is queued in a writer of its own
    state = app_state()
    report = quality_for_request(session, state.db, state.settings, find_project(session, path.project_id),
                                 query.method, refresh)  # type: ignore[arg-type]
    if isinstance(report, JobOut):
        return accepted(report)
    if not role_allows(current_role(), "lead"):
        own = current_user().name
        report = report.model_copy(update={"annotators": [a for a in report.annotators if a.annotator == own], "confusions": []})
    return json_response(report)


@api.get("/projects/<int:project_id>/control-items", responses={200: ControlItemsOut, 404: ErrorBody})
@requires("lead")
def get_control_items(path: ProjectPath) -> Response:
    """How many control and training items there are, the gold left to turn, and the quality settings."""
    session = db_session()
    return json_response(control_items_summary(session, find_project(session, path.project_id)))


@api.post("/projects/<int:project_id>/control-items", responses={200: ControlItemsOut, 404: ErrorBody, 409: ErrorBody, 422: ErrorBody})
@requires("lead")
def post_control_items(path: ProjectPath, body: ControlItemsAdd) -> Response:
    """Turn gold articles, chosen at random, into control (or training) items."""
    session = db_session()
    summary = add_control_items(session, find_project(session, path.project_id), current_user(), body)
    session.commit()
    return json_response(summary)


@api.patch("/projects/<int:project_id>/quality-settings", responses={200: ControlItemsOut, 404: ErrorBody, 422: ErrorBody})
@requires("lead")
def patch_quality_settings(path: ProjectPath, body: QualitySettings) -> Response:
    """The control items' rate, the training round's length, and the threshold."""
    session = db_session()
    summary = change_quality_settings(session, find_project(session, path.project_id), body)
    session.commit()
    return json_response(summary)


@api.patch("/projects/<int:project_id>/members/<string:user_name>/standing",
           responses={200: StandingChanged, 404: ErrorBody, 409: ErrorBody, 422: ErrorBody})
@requires("lead")
def patch_standing(path: MemberPath, body: MemberStanding) -> Response:
    """Set a member aside (their labels leave agreement and aggregates, never deleted) or restore them;
    or let them through the training round."""
    session = db_session()
    changed = change_standing(session, find_project(session, path.project_id), get_user(session, path.user_name), body)
    session.commit()
    return json_response(StandingChanged(changed=changed))
