"""/api/v1: comparison of an article's annotations, gold records, bulk acceptance (leads)."""

from __future__ import annotations

from flask import Response

from annotator.adjudicate.models import ArticleComparison, BulkAcceptance, GoldOut, GoldSave, RestoredRevision
from annotator.adjudicate.history import History, article_history, restore_annotation
from annotator.adjudicate.service import accept_unanimous, compare_article, load_gold, restore_gold, save_gold
from annotator.annotate.service import readable_article
from annotator.auth.guard import requires
from annotator.context import current_role, current_user, db_session
from annotator.errors import ErrorBody
from annotator.http import (
    AnnotationRevisionPath,
    ArticlePath,
    GoldRevisionPath,
    ProjectPath,
    api_blueprint,
    json_response,
)
from annotator.projects.service import find_project, project_schema
from annotator.storage.tables import Article

api = api_blueprint("adjudicate_api", __name__, "adjudicate")


def _article(article_id: int) -> Article:
    return readable_article(db_session(), article_id, current_user(), current_role())


@api.get("/articles/<int:article_id>/comparison", responses={200: ArticleComparison, 404: ErrorBody})
@requires("lead")
def get_comparison(path: ArticlePath) -> Response:
    """Every annotator's statements aligned by (actor, target), what differs, and a majority proposal."""
    return json_response(compare_article(db_session(), _article(path.article_id)))


@api.get("/articles/<int:article_id>/gold", responses={200: GoldOut, 404: ErrorBody})
@requires("lead")
def get_gold(path: ArticlePath) -> Response:
    return json_response(load_gold(db_session(), _article(path.article_id)))


@api.put("/articles/<int:article_id>/gold", responses={200: GoldOut, 409: ErrorBody, 415: ErrorBody, 422: ErrorBody})
@requires("lead")
def put_gold(path: ArticlePath, body: GoldSave) -> Response:
    """Save gold as a new revision on top of `base_revision`; the method is derived from the labels."""
    session = db_session()
    article = _article(path.article_id)
    project = find_project(session, article.project_id)
    saved = save_gold(session, project, project_schema(project), article, current_user(), body)
    session.commit()
    return json_response(saved)


@api.get("/articles/<int:article_id>/history", responses={200: History, 404: ErrorBody})
@requires("lead")
def get_history(path: ArticlePath) -> Response:
    """Every annotation and gold revision of the article, oldest first, with who and when."""
    return json_response(article_history(db_session(), _article(path.article_id)))


@api.post("/annotation-revisions/<int:annotation_revision_id>/restore", responses={200: RestoredRevision, 404: ErrorBody})
@requires("lead")
def post_restore_annotation(path: AnnotationRevisionPath) -> Response:
    """Make an earlier annotation revision its annotator's newest again; nothing is deleted."""
    session = db_session()
    new_id = restore_annotation(session, path.annotation_revision_id, current_user())
    session.commit()
    return json_response(RestoredRevision(revision=new_id, restored_from=path.annotation_revision_id))


@api.post("/gold-revisions/<int:gold_revision_id>/restore", responses={200: GoldOut, 404: ErrorBody})
@requires("lead")
def post_restore_gold(path: GoldRevisionPath) -> Response:
    """Make an earlier gold revision the newest again; nothing is deleted."""
    session = db_session()
    restored = restore_gold(session, path.gold_revision_id, current_user())
    session.commit()
    return json_response(restored)


@api.post("/projects/<int:project_id>/gold/accept-unanimous", responses={200: BulkAcceptance, 404: ErrorBody})
@requires("lead")
def post_accept_unanimous(path: ProjectPath) -> Response:
    """Make gold of every article without gold on which all its annotators (two or more) agree."""
    session = db_session()
    project = find_project(session, path.project_id)
    result = accept_unanimous(session, project, project_schema(project), current_user())
    session.commit()
    return json_response(result)
