"""The labeling page, and the form actions around it (next, skip)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from annotator.annotate.assignment import assignment_of, holds_article, neighbours, next_article
from annotator.annotate.service import load_annotation, readable_article
from annotator.annotate.suggestions import model_suggestions
from annotator.auth.models import role_allows
from annotator.context import current_role, current_user, db_session, leads_here
from annotator.labelschema.suggest import suggest_spans
from annotator.projects.progress import progress
from annotator.projects.service import ProjectSettings, find_project, project_schema, settings_of
from annotator.projects.upgrades import draft_migrations
from annotator.quality.answers import TRAINING
from annotator.quality.training import training_state
from annotator.storage.revisions import review_reasons
from annotator.storage.tables import Project, User

pages = Blueprint("annotate", __name__)


@pages.post("/projects/<int:project_id>/next")
def next_page(project_id: int) -> ResponseReturnValue:
    session = db_session()
    project, article_id = next_article(session, session, project_id, current_user(), as_lead=leads_here())
    session.commit()
    if article_id is None:
        flash(_nothing_handed_out(session, project, current_user()), "info")
        return redirect(url_for("projects.index"))
    return redirect(url_for("annotate.page", article_id=article_id))


def _nothing_handed_out(session: Session, project: ProjectSettings, user: User) -> str:
    """Why "next" gave the user nothing, in words."""
    if project.archived_at is not None:
        return f"{project.name} is archived: it hands out no more articles."
    if project.training_articles and (state := training_state(session, project, user.id)).in_training:
        if state.done >= state.required and state.score is not None:
            return (f"Your training round in {project.name} is done: {state.score:.0%} of your answers matched the known "
                    f"answers, and {project.quality_threshold:.0%} is needed. Your lead will look at it with you and let you through.")
        return f"No training article is left for you in {project.name}; your lead will let you through."
    return f"Nothing left to label in {project.name}. Thank you!"


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
    training = _training(session, project, article.id, user)
    page_data = {
        "article": {"id": article.id, "title": article.title, "text": article.text, "outlet": article.outlet},
        "saved": saved.model_dump(mode="json"),
        "schema_version": schema.version,
        "draft_migration": draft_migrations(session, project.id),
        "suggestions": [s.model_dump() for s in suggest_spans(article.text, schema)],
        "model_suggestions": found.model_dump() if (found := model_suggestions(session, project, article)) else None,
        "training": training,
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
        training=training,
    )


def _training(session: Session, project: Project, article_id: int, user: User) -> dict[str, Any] | None:
    """For a training article: where the feedback comes from, and which of the round it is. Control items
    say nothing: they must look like any article."""
    assignment = assignment_of(session, article_id, user)
    if assignment is None or assignment.kind != TRAINING:
        return None
    state = training_state(session, settings_of(project), user.id)
    return {"feedback": f"/api/v1/articles/{article_id}/training-feedback", "required": state.required,
            "number": min(state.done + (assignment.status != "done"), max(state.required, 1))}
