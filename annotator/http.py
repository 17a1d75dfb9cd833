"""Helpers shared by the API blueprints of every capability."""

from __future__ import annotations

from flask import Response
from flask_openapi3 import APIBlueprint, Tag
from http import HTTPStatus
from typing import Annotated, Any

from pydantic import BaseModel, Field

from annotator.errors import ErrorBody

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


# Row ids fit a signed 64-bit integer; a larger one must be a 422, not a database overflow.
RowId = Annotated[int, Field(ge=1, le=2**63 - 1)]


class ProjectPath(BaseModel):
    project_id: RowId


class ArticlePath(BaseModel):
    article_id: RowId


class RevisionPath(BaseModel):
    revision_id: RowId
