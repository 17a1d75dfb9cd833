"""/api/v1: a lead corrects an article's title or outlet, and deletes articles."""

from __future__ import annotations

from flask import Response

from annotator.articles.models import ArticleChange, ArticleDeletion, DeletionCounts
from annotator.articles.service import found_article, change_article, delete_articles, deletion_counts
from annotator.auth.guard import requires
from annotator.context import db_session
from annotator.errors import ErrorBody
from annotator.http import ArticlePath, ProjectPath, api_blueprint, json_response
from annotator.ingest.models import ArticleOut
from annotator.projects.service import find_project

api = api_blueprint("articles_api", __name__, "articles")


@api.patch("/articles/<int:article_id>", responses={200: ArticleOut, 404: ErrorBody, 415: ErrorBody, 422: ErrorBody})
@requires("lead")
def patch_article(path: ArticlePath, body: ArticleChange) -> Response:
    """Correct the title or outlet; the text never changes, since labels point into it."""
    session = db_session()
    article = found_article(session, path.article_id)
    change_article(session, article, body)
    session.commit()
    return json_response(ArticleOut.model_validate(article, from_attributes=True))


@api.post("/projects/<int:project_id>/articles/delete", responses={200: DeletionCounts, 404: ErrorBody, 415: ErrorBody, 422: ErrorBody})
@requires("lead")
def post_deletion(path: ProjectPath, body: ArticleDeletion) -> Response:
    """Delete articles with their labels, gold and predictions (or, dry_run, count them): what went."""
    session = db_session()
    project = find_project(session, path.project_id)
    if body.dry_run:
        return json_response(deletion_counts(session, project, body.article_ids))
    counts = delete_articles(session, project, body.article_ids)
    session.commit()
    return json_response(counts)
