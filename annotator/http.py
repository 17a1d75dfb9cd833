"""Helpers shared by the API blueprints of every capability."""

from __future__ import annotations

from flask import Response
from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel

API_PREFIX = "/api/v1"
API_SECURITY: list[dict[str, list[str]]] = [{"bearer": []}, {"session": []}]


def api_blueprint(name: str, import_name: str, tag: str) -> APIBlueprint:
    return APIBlueprint(
        name, import_name, url_prefix=API_PREFIX, abp_tags=[Tag(name=tag)], abp_security=API_SECURITY
    )


def json_response(model: BaseModel, status: int = 200) -> Response:
    return Response(model.model_dump_json(), status=status, mimetype="application/json")


class ProjectPath(BaseModel):
    project_id: int


class ArticlePath(BaseModel):
    article_id: int
