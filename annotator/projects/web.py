"""Project pages: the list every user starts from, and a lead's view of one project."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from sqlalchemy import func, select

from annotator.auth.guard import requires
from annotator.context import current_user, db_session
from annotator.projects.progress import progress
from annotator.projects.service import find_project, list_projects
from annotator.storage.tables import Article, Assignment, User

pages = Blueprint("projects", __name__)
ARTICLES_PER_PAGE = 200


@pages.get("/")
def index() -> ResponseReturnValue:
    session = db_session()
    projects = list_projects(session)
    progress_by_project = {p.id: progress(session, p, current_user()) for p in projects}
    return render_template("index.html", projects=projects, progress=progress_by_project)


@pages.get("/projects/<int:project_id>")
@requires("lead")
def overview(project_id: int) -> ResponseReturnValue:
    """Who holds which article and whether they are done."""
    session = db_session()
    project = find_project(session, project_id)
    articles = session.scalars(
        select(Article).where(Article.project_id == project.id).order_by(Article.id).limit(ARTICLES_PER_PAGE)
    ).all()
    holders: dict[int, list[tuple[str, str]]] = {}
    for article_id, name, status in session.execute(
        select(Assignment.article_id, User.name, Assignment.status)
        .join(User, User.id == Assignment.user_id)
        .where(Assignment.article_id.in_([a.id for a in articles]))
        .order_by(User.name)
    ):
        holders.setdefault(article_id, []).append((name, status))
    total = session.scalar(select(func.count(Article.id)).where(Article.project_id == project.id))
    return render_template("project.html", project=project, articles=articles, holders=holders, total=total)
