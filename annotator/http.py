"""Helpers shared by the API blueprints of every capability."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated, Any

from flask import Response
from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, Field

from annotator.errors import ErrorBody
from annotator.storage.tables import MAX_ROW_ID

API_PREFIX = "/api/v1"
API_SECURITY: list[dict[str, list[str]]] = [{"bearer": []}, {"session": []}]


def api_blueprint(name: str, import_name: str, tag: str) -> APIBlueprint:
    # Every operation can refuse with these; documenting them keeps the OpenAPI document honest.
    refusals: dict[str | int | HTTPStatus, type[BaseModel] | dict[Any, Any] | None] = {
        status: ErrorBody for status in (400, 401, 403, 404, 422)
    }
    return APIBlueprint(
        name, import_name, url_prefix=API_PREFIX, abp_tags=[Tag(name=tag)], abp_security=API_SECURITY,
        abp_responses=refusals,
    )


def json_response(model: BaseModel, status: int = 200) -> Response:
    return Response(model.model_dump_json(), status=status, mimetype="application/json")


def accepted(job: BaseModel, retry_after_seconds: int = 3) -> Response:
    """202: the work is a queued job (the body); ask again after a while for its result."""
    response = json_response(job, 202)
    response.headers["Retry-After"] = str(retry_after_seconds)
    return response


def shown_once(response: Response) -> Response:
    """A reply holding a secret shown this once (a password, a token): no cache may keep a copy."""
    response.headers["Cache-Control"] = "no-store"
    return response


# A row id past the columns' range must be a 422, not a database overflow.
RowId = Annotated[int, Field(ge=1, le=MAX_ROW_ID)]


class ProjectPath(BaseModel):
    project_id: RowId


class ArticlePath(BaseModel):
    article_id: RowId


class AnnotationRevisionPath(BaseModel):
    annotation_revision_id: RowId


class GoldRevisionPath(BaseModel):
    gold_revision_id: RowId
