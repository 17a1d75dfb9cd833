"""Project pages: the list every user starts from, a lead's form for a new project, and its settings."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from pydantic import ValidationError

from annotator.auth.guard import requires
from annotator.context import current_user, db_session
from annotator.errors import ApiError
from annotator.labelschema import LabelSchema, SchemaError, load_schema, load_schema_text
from annotator.projects.models import ProjectChange, ProjectCreate
from annotator.projects.progress import progress
from annotator.projects.service import change_project, create_project, find_project, list_projects
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
        problems = _problems(error)
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


@pages.get("/projects/<int:project_id>/settings")
@requires("lead")
def settings(project_id: int) -> ResponseReturnValue:
    return render_template("project_settings.html", project=find_project(db_session(), project_id), problems=[])


@pages.post("/projects/<int:project_id>/settings")
@requires("lead")
def change_settings(project_id: int) -> ResponseReturnValue:
    """Each form on the page sends one setting; the others stay."""
    session = db_session()
    project = find_project(session, project_id)
    try:
        change = ProjectChange.model_validate(_typed(request.form.to_dict()))
        changed = change_project(session, project, change)
        session.commit()
    except ValidationError as error:
        problems = _problems(error)
    except ApiError as error:
        problems = [error.message]
    else:
        flash(f"{project.name}: {'; '.join(changed)}." if changed else "Nothing changed.", "info")
        return redirect(url_for("projects.settings", project_id=project.id))
    session.rollback()
    page = render_template("project_settings.html", project=find_project(session, project_id), problems=problems)
    return page, 422


def _problems(error: ValidationError) -> list[str]:
    return [f"{'.'.join(map(str, issue['loc']))}: {issue['msg']}" for issue in error.errors()]


def _typed(form: dict[str, str]) -> dict[str, object]:
    """The settings form's fields as the API takes them (the model is strict: JSON's true is not 1)."""
    typed: dict[str, object] = {k: v for k, v in form.items() if k == "name"}
    if "overlap" in form:
        typed["overlap"] = int(form["overlap"]) if form["overlap"].strip().lstrip("-").isdigit() else form["overlap"]
    if "archived" in form:
        typed["archived"] = form["archived"] == "true"
    return typed
