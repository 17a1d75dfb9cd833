"""/api/v1/projects/{id}/articles: import and list articles."""

from __future__ import annotations

from itertools import chain

from flask import Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from annotator.auth.guard import requires
from annotator.context import db_session
from annotator.errors import ErrorBody
from annotator.http import ProjectPath, api_blueprint, json_response
from annotator.ingest.models import ArticleSummary, ImportReport
from annotator.ingest.readers import read_stream
from annotator.ingest.store import import_records
from annotator.ingest.uploads import UPLOAD_BODY, uploaded_files
from annotator.projects.service import find_project
from annotator.request_checks import takes_uploads
from annotator.storage.tables import MAX_ROW_ID, Article

api = api_blueprint("ingest_api", __name__, "articles")


class ArticlePage(BaseModel):
    articles: list[ArticleSummary]
    next_after: int | None = Field(description="Pass as `after` for the next page; null on the last")


class ArticleListQuery(BaseModel):
    after: int = Field(default=0, ge=0, le=MAX_ROW_ID, description="Return articles with a larger id")
    limit: int = Field(default=100, ge=1, le=1000)


@api.post(
    "/projects/<int:project_id>/articles",
    responses={200: ImportReport, 413: ErrorBody, 415: ErrorBody},
    openapi_extensions=UPLOAD_BODY,
)
@takes_uploads
@requires("lead")
def post_articles(path: ProjectPath) -> Response:
    """Import articles; duplicates and rejected records are reported, each with its position.

    Stored a batch at a time as the upload arrives: if the request fails part-way, the batches
    stored stay, and sending the same upload again reports them as duplicates."""
    session = db_session()
    project = find_project(session, path.project_id)
    records = chain.from_iterable(read_stream(name, stream) for name, stream in uploaded_files())
    return json_response(import_records(session, project.id, records))


@api.get("/projects/<int:project_id>/articles", responses={200: ArticlePage, 404: ErrorBody})
@requires("lead")
def get_articles(path: ProjectPath, query: ArticleListQuery) -> Response:
    """Articles of a project in id order, a page at a time (keyset paging)."""
    session = db_session()
    project = find_project(session, path.project_id)
    rows = session.execute(
        select(Article.id, Article.external_id, Article.title, Article.outlet, Article.assigned_count)
        .where(Article.project_id == project.id, Article.id > query.after)
        .order_by(Article.id)
        .limit(query.limit)
    ).mappings()
    articles = [ArticleSummary.model_validate(dict(row)) for row in rows]
    next_after = articles[-1].id if len(articles) == query.limit else None
    return json_response(ArticlePage(articles=articles, next_after=next_after))
