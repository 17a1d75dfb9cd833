"""/api/v1/projects/{id}/articles: import and list articles."""

from __future__ import annotations

from collections.abc import Iterator
from io import BytesIO
from itertools import chain

from flask import Response, request
from pydantic import BaseModel, Field
from sqlalchemy import select

from annotator.auth.guard import requires
from annotator.context import db_session
from annotator.errors import ApiError, ErrorBody
from annotator.http import ProjectPath, api_blueprint, json_response
from annotator.ingest.models import ArticleSummary, ImportReport, ReadRecord, Rejection
from annotator.ingest.readers import read_jsonl, read_label_studio, read_stream
from annotator.ingest.store import import_records
from annotator.projects.service import find_project
from annotator.storage.tables import Article

api = api_blueprint("ingest_api", __name__, "articles")

JSONL_TYPES = ("application/x-ndjson", "application/jsonl", "application/x-jsonlines")
IMPORT_BODY = {
    "requestBody": {
        "description": "Files (.txt, .jsonl, Label Studio .json) as multipart `file` parts, "
        "or one JSONL or Label Studio JSON document as the body.",
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "array", "items": {"type": "string", "format": "binary"}}},
                }
            },
            "application/x-ndjson": {"schema": {"type": "string"}},
            "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
        },
    }
}


class UnsupportedMediaType(ApiError):
    status = 415
    code = "unsupported_media_type"


class ArticlePage(BaseModel):
    articles: list[ArticleSummary]
    next_after: int | None = Field(description="Pass as `after` for the next page; null on the last")


class ArticleListQuery(BaseModel):
    after: int = Field(default=0, ge=0, le=2**63 - 1, description="Return articles with a larger id")
    limit: int = Field(default=100, ge=1, le=1000)


@api.post(
    "/projects/<int:project_id>/articles",
    responses={200: ImportReport, 413: ErrorBody, 415: ErrorBody},
    openapi_extensions=IMPORT_BODY,
)
@requires("lead")
def post_articles(path: ProjectPath) -> Response:
    """Import articles; duplicates and rejected records are reported, each with its position."""
    session = db_session()
    project = find_project(session, path.project_id)
    report = import_records(session, project.id, _uploaded_records())
    return json_response(report)


def _uploaded_records() -> Iterator[ReadRecord | Rejection]:
    if request.mimetype == "multipart/form-data":
        files = request.files.getlist("file")
        if not files:
            raise UnsupportedMediaType("multipart upload has no `file` part")
        return chain.from_iterable(read_stream(f.filename or "upload", f.stream) for f in files)
    if request.mimetype in JSONL_TYPES:
        return read_jsonl("request body", BytesIO(request.get_data()))
    if request.mimetype == "application/json":
        return read_label_studio("request body", request.get_data())
    raise UnsupportedMediaType(
        "send multipart/form-data files, application/x-ndjson (JSONL) or application/json (Label Studio tasks)"
    )


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
