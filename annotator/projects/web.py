"""Project pages: the list every user starts from, and a lead's form for a new project."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from pydantic import ValidationError

from annotator.auth.guard import requires
from annotator.context import current_user, db_session
from annotator.errors import ApiError
from annotator.labelschema import LabelSchema, SchemaError, load_schema, load_schema_text
from annotator.projects.models import ProjectCreate
from annotator.projects.progress import progress
from annotator.projects.service import create_project, list_projects
from annotator.shipped import schemas_dir

pages = Blueprint("projects", __name__)


@pages.get("/")
def index() -> ResponseReturnValue:
    session = db_session()
    projects = list_projects(session, current_user())
    progress_by_project = {p.id: progress(session, p, current_user()) for p in projects}
    return render_template("index.html", projects=projects, progress=progress_by_project)


def shipped_schema_files() -> list[str]:
    return sorted(path.name for path in schemas_dir().glob("*.yaml"))


@pages.get("/projects/new")
@requires("lead")
def new_project() -> ResponseReturnValue:
    return render_template("project_new.html", schemas=shipped_schema_files(), form={}, problems=[])


@pages.post("/projects/new")
@requires("lead")
def create() -> ResponseReturnValue:
    form = request.form.to_dict()
    try:
        schema = _chosen_schema(form.get("schema", ""))
        wanted = ProjectCreate.model_validate({**form, "label_schema": {}})
        session = db_session()
        project = create_project(session, wanted.name, schema, wanted.overlap, lead=current_user())
        session.commit()
    except ValidationError as error:
        problems = [f"{'.'.join(map(str, issue['loc']))}: {issue['msg']}" for issue in error.errors()]
    except SchemaError as error:
        problems = error.problems
    except ApiError as error:
        problems = [error.message]
    else:
        flash(f"Project {project.name} created. Import its articles next.", "info")
        return redirect(url_for("ingest.import_page", project_id=project.id))
    page = render_template("project_new.html", schemas=shipped_schema_files(), form=form, problems=problems)
    return page, 422


def _chosen_schema(shipped: str) -> LabelSchema:
    """An uploaded schema file if there is one, else the shipped schema named in the form."""
    upload = request.files.get("schema_file")
    if upload is not None and upload.filename:
        return load_schema_text(upload.read().decode("utf-8", errors="replace"), source=upload.filename)
    if shipped not in shipped_schema_files():
        raise SchemaError("schema", ["choose a shipped schema or upload a schema file"])
    return load_schema(schemas_dir() / shipped)
