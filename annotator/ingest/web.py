"""The lead's import page: upload files with progress; the report is the command line's."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from annotator.auth.guard import requires
from annotator.context import db_session
from annotator.projects.service import count_articles, find_project

pages = Blueprint("ingest", __name__)


@pages.get("/projects/<int:project_id>/import")
@requires("lead")
def import_page(project_id: int) -> ResponseReturnValue:
    session = db_session()
    project = find_project(session, project_id)
    return render_template("import.html", project=project, articles=count_articles(session, project))
