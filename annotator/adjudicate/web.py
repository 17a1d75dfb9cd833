"""The adjudication page, and the bulk acceptance of unanimous articles."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from annotator.adjudicate.history import article_history
from annotator.adjudicate.service import accept_unanimous, compare_article, load_gold
from annotator.annotate.models import AnnotationContent
from annotator.annotate.service import readable_article
from annotator.auth.guard import requires
from annotator.context import current_role, current_user, db_session
from annotator.labelschema.suggest import suggest_spans
from annotator.projects.service import find_project, project_schema
from annotator.storage.revisions import review_reasons

pages = Blueprint("adjudicate", __name__)


@pages.get("/articles/<int:article_id>/adjudicate")
@requires("lead")
def page(article_id: int) -> ResponseReturnValue:
    session = db_session()
    article = readable_article(session, article_id, current_user(), current_role())
    project = find_project(session, article.project_id)
    schema = project_schema(project)
    comparison = compare_article(session, article)
    gold = load_gold(session, article)
    # Without gold yet, the editor starts from the majority proposal.
    start = gold if gold.revision is not None else comparison.proposal
    labels = AnnotationContent.model_validate(start.model_dump(include={"statements", "article"}))
    saved = {**labels.model_dump(mode="json"), "revision": gold.revision}
    page_data = {
        "article": {"id": article.id, "title": article.title, "text": article.text},
        "saved": saved,
        "suggestions": [s.model_dump() for s in suggest_spans(article.text, schema)],
        "schema": schema.model_dump(mode="json", include={"statement", "article", "vocabularies"}),
        "versions": {
            row.actor + "\u0000" + row.target: {who: s.model_dump(mode="json") if s else None for who, s in row.statements.items()}
            for row in comparison.rows
        },
        "articles": {v.annotator: v.article.model_dump(mode="json") for v in comparison.versions},
        "urls": {"save": f"/api/v1/articles/{article.id}/gold", "home": url_for("agreement.page", project_id=project.id)},
    }
    return render_template(
        "adjudicate.html", article=article, project=project, schema=schema,
        comparison=comparison, gold=gold, page_data=page_data, history=article_history(session, article),
        gold_review=review_reasons(session, "gold", gold.revision),
    )


@pages.post("/projects/<int:project_id>/accept-unanimous")
@requires("lead")
def accept_unanimous_form(project_id: int) -> ResponseReturnValue:
    session = db_session()
    project = find_project(session, project_id)
    result = accept_unanimous(session, project, project_schema(project), current_user())
    session.commit()
    flash(result.summary(), "info")
    return redirect(url_for("agreement.page", project_id=project.id))
