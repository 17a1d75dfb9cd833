"""/api/v1/projects: list, read, create, change."""

from __future__ import annotations

from flask import Response
from pydantic import BaseModel, ValidationError

from annotator.auth.guard import requires
from annotator.context import current_role, current_user, db_session
from annotator.errors import ErrorBody, Invalid, Problem
from annotator.http import ProjectPath, api_blueprint, json_response
from annotator.labelschema import LabelSchema
from annotator.projects.models import ProjectChange, ProjectCreate, ProjectOut, ProjectProgress, QueueSettings
from annotator.projects.progress import progress
from annotator.projects.service import (
    change_project,
    count_articles,
    create_project,
    describe_project,
    find_project,
    list_projects,
    project_schema,
)

api = api_blueprint("projects_api", __name__, "projects")


class ProjectList(BaseModel):
    projects: list[ProjectOut]


@api.get("/projects", responses={200: ProjectList})
def get_projects() -> Response:
    """The projects the caller belongs to (admins: all), with schema version, article count and the caller's role."""
    return json_response(ProjectList(projects=list_projects(db_session(), current_user())))


@api.post("/projects", responses={201: ProjectOut, 409: ErrorBody, 415: ErrorBody, 422: ErrorBody})
@requires("lead")
def post_project(body: ProjectCreate) -> Response:
    """Create a project from a label schema document."""
    try:
        schema = LabelSchema.model_validate(body.label_schema)
    except ValidationError as error:
        problems = [Problem.at(("label_schema", *issue["loc"]), issue["msg"]) for issue in error.errors()]
        raise Invalid("label_schema is not a valid label schema", problems) from error
    session = db_session()
    project = create_project(session, body.name, schema, body.overlap, lead=current_user())
    session.commit()
    return json_response(describe_project(project, 0, "admin" if current_user().role == "admin" else "lead"), 201)


@api.get("/projects/<int:project_id>", responses={200: ProjectOut, 404: ErrorBody})
def get_project(path: ProjectPath) -> Response:
    session = db_session()
    project = find_project(session, path.project_id)
    return json_response(describe_project(project, count_articles(session, project), current_role()))


@api.patch("/projects/<int:project_id>", responses={200: ProjectOut, 404: ErrorBody, 409: ErrorBody, 415: ErrorBody, 422: ErrorBody})
@requires("lead")
def patch_project(path: ProjectPath, body: ProjectChange) -> Response:
    """Rename the project, change its overlap, archive it or bring it back; fields left out stay."""
    session = db_session()
    project = find_project(session, path.project_id)
    change_project(session, project, body)
    session.commit()
    return json_response(describe_project(project, count_articles(session, project), current_role()))


@api.get("/projects/<int:project_id>/schema", responses={200: LabelSchema, 404: ErrorBody})
def get_project_schema(path: ProjectPath) -> Response:
    """The label schema version the project's labels are made under."""
    return json_response(project_schema(find_project(db_session(), path.project_id)))


@api.get("/projects/<int:project_id>/progress", responses={200: ProjectProgress, 404: ErrorBody})
def get_progress(path: ProjectPath) -> Response:
    """How far the calling user is through the project."""
    session = db_session()
    return json_response(progress(session, find_project(session, path.project_id), current_user()))


@api.put("/projects/<int:project_id>/queue", responses={200: QueueSettings, 415: ErrorBody})
@requires("lead")
def put_queue(path: ProjectPath, body: QueueSettings) -> Response:
    """The order in which "next article" hands out unlabeled articles."""
    session = db_session()
    find_project(session, path.project_id).queue_order = body.order
    session.commit()
    return json_response(body)
