"""/api/v1: next article, reading articles, my annotation (get/put), all annotations (leads), a trainee's feedback."""

from __future__ import annotations

from flask import Response
from pydantic import BaseModel, Field

from annotator.annotate.assignment import (
    AssignmentAction,
    AssignmentReport,
    article_with_progress,
    change_assignments,
    next_article,
    skip_article,
)
from annotator.annotate.models import AnnotationOut, AnnotationSave
from annotator.annotate.service import (
    all_annotations,
    load_annotation,
    readable_article,
    readable_article_and_project,
    save_annotation,
)
from annotator.auth.guard import requires
from annotator.auth.service import get_user, get_users
from annotator.context import current_role, current_user, db_session, leads_here, read_connection, write_connection
from annotator.errors import ErrorBody
from annotator.http import ArticlePath, ProjectPath, RowId, api_blueprint, json_response
from annotator.ingest.models import ArticleOut
from annotator.labelschema.suggest import SpanSuggestion, suggest_spans
from annotator.projects.models import ProjectProgress
from annotator.projects.service import find_project, project_schema, settings_schema
from annotator.quality.models import TrainingFeedback
from annotator.quality.training import training_feedback
from annotator.storage.lean import Executor
from annotator.storage.tables import Article

api = api_blueprint("annotate_api", __name__, "annotate")


class NextArticle(BaseModel):
    article: ArticleOut | None
    progress: ProjectProgress


class AnnotationList(BaseModel):
    annotations: list[AnnotationOut]


class SuggestionList(BaseModel):
    suggestions: list[SpanSuggestion]


def describe_article(article: Article) -> ArticleOut:
    return ArticleOut.model_validate(article, from_attributes=True)


def _readable(session: Executor, article_id: int) -> Article:
    return readable_article(session, article_id, current_user(), current_role())


@api.post("/projects/<int:project_id>/next", responses={200: NextArticle, 404: ErrorBody})
def post_next(path: ProjectPath) -> Response:
    """Assign the caller their next article (null when none is left for them).

    A lead of the project gets one to label herself, beside the annotators: it takes none of their slots."""
    # The claim is on disk before the article is handed out: a crash cannot take it from under the save.
    reader, writer = read_connection(), write_connection()
    project, article_id = next_article(reader, writer, path.project_id, current_user(), as_lead=leads_here())
    writer.commit()  # the write lock goes before the article is read
    # A claim moves an article from available to open: the reader's count is already right.
    article, mine = article_with_progress(reader, article_id, project, current_user())
    body = NextArticle(article=describe_article(article) if article else None, progress=mine)
    return json_response(body)


@api.get("/articles/<int:article_id>", responses={200: ArticleOut, 403: ErrorBody, 404: ErrorBody})
def get_article(path: ArticlePath) -> Response:
    return json_response(describe_article(_readable(read_connection(), path.article_id)))


@api.get("/articles/<int:article_id>/suggestions", responses={200: SuggestionList, 403: ErrorBody})
def get_suggestions(path: ArticlePath) -> Response:
    """Spans found by the schema's vocabulary aliases."""
    session = db_session()
    article = _readable(session, path.article_id)
    schema = project_schema(find_project(session, article.project_id))
    return json_response(SuggestionList(suggestions=suggest_spans(article.text, schema)))


@api.get("/articles/<int:article_id>/annotation", responses={200: AnnotationOut, 403: ErrorBody})
def get_annotation(path: ArticlePath) -> Response:
    """The calling user's own labels for the article (revision null if never saved)."""
    session = db_session()
    article = _readable(session, path.article_id)
    return json_response(load_annotation(session, article, current_user()))


@api.put(
    "/articles/<int:article_id>/annotation",
    responses={200: AnnotationOut, 403: ErrorBody, 409: ErrorBody, 415: ErrorBody, 422: ErrorBody},
)
def put_annotation(path: ArticlePath, body: AnnotationSave) -> Response:
    """Save the calling user's labels as a new revision on top of `base_revision`."""
    # Reading and checking happen before the writer's first statement, outside the write lock.
    reader, writer = read_connection(), write_connection()
    article, project = readable_article_and_project(reader, path.article_id, current_user(), current_role())
    saved = save_annotation(writer, project, settings_schema(reader, project), article, current_user(), body, as_lead=leads_here())
    writer.commit()
    return json_response(saved)


@api.post("/articles/<int:article_id>/skip", responses={204: None, 409: ErrorBody})
def post_skip(path: ArticlePath) -> Response:
    """Hand an article without labels back, so someone else can take it."""
    session = db_session()
    article = _readable(session, path.article_id)
    skip_article(session, find_project(session, article.project_id), article, current_user())
    session.commit()
    return Response(status=204)


@api.get("/articles/<int:article_id>/annotations", responses={200: AnnotationList, 403: ErrorBody})
@requires("lead")
def get_all_annotations(path: ArticlePath) -> Response:
    """Every annotator's latest labels for the article (leads only: annotation is blind)."""
    session = db_session()
    article = _readable(session, path.article_id)
    return json_response(AnnotationList(annotations=all_annotations(session, article)))


class AssignmentRequest(BaseModel):
    """Assign articles to annotators, release unlabeled ones from them, or reassign from one to others."""

    action: AssignmentAction
    article_ids: list[RowId] = Field(min_length=1, max_length=10_000)
    annotators: list[str] = Field(min_length=1, max_length=100, description="Who gets (or gives back) the articles")
    from_annotator: str | None = Field(default=None, description="For reassign: who gives the articles up")


@api.post("/projects/<int:project_id>/assignments", responses={200: AssignmentReport, 404: ErrorBody, 415: ErrorBody, 422: ErrorBody})
@requires("lead")
def post_assignments(path: ProjectPath, body: AssignmentRequest) -> Response:
    """Change who holds articles, never past the overlap; each refusal is reported with its reason."""
    session = db_session()
    project = find_project(session, path.project_id)
    source = get_user(session, body.from_annotator) if body.from_annotator else None
    report = change_assignments(session, project, body.action, body.article_ids, get_users(session, body.annotators), source)
    session.commit()
    return json_response(report)


@api.get("/articles/<int:article_id>/training-feedback", responses={200: TrainingFeedback, 404: ErrorBody, 409: ErrorBody})
def get_training_feedback(path: ArticlePath) -> Response:
    """On one of the caller's saved training articles: where their answer and the known answer part, what
    the codebook says, and where they stand in the training round."""
    session = db_session()
    article = readable_article(session, path.article_id, current_user(), current_role())
    return json_response(training_feedback(session, find_project(session, article.project_id), article.id, current_user()))
