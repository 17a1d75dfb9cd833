"""The labeling page, and the form actions around it (next, skip)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from annotator.annotate.assignment import holds_article, neighbours, next_article
from annotator.annotate.service import load_annotation, readable_article
from annotator.annotate.suggestions import model_suggestions
from annotator.auth.models import role_allows
from annotator.context import current_role, current_user, db_session, leads_here
from annotator.labelschema.suggest import suggest_spans
from annotator.projects.progress import progress
from annotator.projects.service import find_project, project_schema
from annotator.projects.upgrades import draft_migrations
from annotator.storage.revisions import review_reasons

pages = Blueprint("annotate", __name__)


@pages.post("/projects/<int:project_id>/next")
def next_page(project_id: int) -> ResponseReturnValue:
    session = db_session()
    project, article_id = next_article(session, session, project_id, current_user(), as_lead=leads_here())
    session.commit()
    if article_id is None:
        if project.archived_at is not None:
            flash(f"{project.name} is archived: it hands out no more articles.", "info")
        else:
            flash(f"Nothing left to label in {project.name}. Thank you!", "info")
        return redirect(url_for("projects.index"))
    return redirect(url_for("annotate.page", article_id=article_id))


@pages.get("/articles/<int:article_id>/annotate")
def page(article_id: int) -> ResponseReturnValue:
    session = db_session()
    user = current_user()
    article = readable_article(session, article_id, user, current_role())
    if role_allows(current_role(), "lead") and not holds_article(session, article.id, user):
        # Not theirs to label: a lead sees the article where leads work on it.
        return redirect(url_for("adjudicate.page", article_id=article.id))
    saved = load_annotation(session, article, user)
    project = find_project(session, article.project_id)
    schema = project_schema(project)
    previous_id, next_id = neighbours(session, project, user, article.id)
    page_data = {
        "article": {"id": article.id, "title": article.title, "text": article.text, "outlet": article.outlet},
        "saved": saved.model_dump(mode="json"),
        "schema_version": schema.version,
        "draft_migration": draft_migrations(session, project.id),
        "suggestions": [s.model_dump() for s in suggest_spans(article.text, schema)],
        "model_suggestions": found.model_dump() if (found := model_suggestions(session, project, article)) else None,
        "schema": schema.model_dump(mode="json", include={"statement", "article", "vocabularies"}),
        "urls": {
            "save": f"/api/v1/articles/{article.id}/annotation",
            "skip": f"/api/v1/articles/{article.id}/skip",
            "next": f"/api/v1/projects/{project.id}/next",
            "progress": f"/api/v1/projects/{project.id}/progress",
            "annotate": "/articles/{id}/annotate",
            "home": url_for("projects.index"),
        },
    }
    return render_template(
        "annotate.html",
        article=article,
        project=project,
        schema=schema,
        progress=progress(session, project, user),
        previous_id=previous_id,
        next_id=next_id,
        page_data=page_data,
        review=review_reasons(session, "annotation", saved.revision),
    )
