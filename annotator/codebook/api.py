"""/api/v1/projects/{id}/schema/...: a project's codebook versions, proposals, and upgrades (leads)."""

from __future__ import annotations

from flask import Response
from pydantic import BaseModel, Field, StrictBool

from annotator.auth.guard import requires
from annotator.codebook.history import (
    ProposedActor,
    UpgradeOut,
    project_upgrades,
    proposed_actors,
)
from annotator.codebook.upgrade import UpgradeReport, upgrade_from_text
from annotator.context import current_user, db_session
from annotator.errors import ErrorBody
from annotator.http import ProjectPath, api_blueprint, json_response
from annotator.projects.service import find_project

api = api_blueprint("codebook_api", __name__, "codebook")

MAX_DOCUMENT = 1_000_000


class UpgradeList(BaseModel):
    upgrades: list[UpgradeOut]


class ProposalList(BaseModel):
    proposals: list[ProposedActor]


class UpgradeRequest(BaseModel):
    label_schema: str = Field(max_length=MAX_DOCUMENT, description="The new schema version, as its YAML file holds it")
    plan: str | None = Field(default=None, max_length=MAX_DOCUMENT, description="The migration plan (YAML), if ids change")
    dry_run: StrictBool = Field(default=True, description="Only count what would change (the default)")


@api.get("/projects/<int:project_id>/schema/upgrades", responses={200: UpgradeList, 404: ErrorBody})
@requires("lead")
def get_upgrades(path: ProjectPath) -> Response:
    """Every version the project moved to, newest first, with what each carried and sent to review."""
    session = db_session()
    return json_response(UpgradeList(upgrades=project_upgrades(session, find_project(session, path.project_id))))


@api.get("/projects/<int:project_id>/schema/proposals", responses={200: ProposalList, 404: ErrorBody})
@requires("lead")
def get_proposals(path: ProjectPath) -> Response:
    """The actors annotators proposed (`new:...`), with counts, names and example sentences."""
    session = db_session()
    return json_response(ProposalList(proposals=proposed_actors(session, find_project(session, path.project_id))))


@api.post("/projects/<int:project_id>/schema/upgrade",
          responses={200: UpgradeReport, 404: ErrorBody, 409: ErrorBody, 415: ErrorBody, 422: ErrorBody})
@requires("lead")
def post_upgrade(path: ProjectPath, body: UpgradeRequest) -> Response:
    """Preview (dry_run, the default) or apply moving the project to a new schema version by a plan."""
    session = db_session()
    project = find_project(session, path.project_id)
    report = upgrade_from_text(session, project, body.label_schema, body.plan, current_user(), apply=not body.dry_run)
    if body.dry_run:
        session.rollback()
    else:
        session.commit()
    return json_response(report)
