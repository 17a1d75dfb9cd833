"""Helpers shared by the API blueprints of every capability."""

from __future__ import annotations

import io
from collections.abc import Iterator
from http import HTTPStatus
from typing import IO, Annotated, Any, cast

from flask import Response, request
from flask_openapi3 import APIBlueprint, Tag

from pydantic import BaseModel, Field

from annotator.errors import ApiError, ErrorBody, Invalid
from annotator.storage.tables import MAX_ROW_ID
from annotator.streams import first_byte

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


READ_BUFFER_BYTES = 64 * 1024
JSONL_TYPES = ("application/x-ndjson", "application/jsonl", "application/x-jsonlines")
# Bodies read line by line, and the name each is read as (its suffix chooses the reader).
LINE_TYPES = {**{kind: "request body.jsonl" for kind in JSONL_TYPES}, "text/csv": "request body.csv"}
UPLOAD_BODY = {
    "requestBody": {
        "description": "Files as multipart `file` parts, or one JSONL, CSV or Label Studio JSON document as the body.",
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "array", "items": {"type": "string", "format": "binary"}}},
                }
            },
            "application/x-ndjson": {"schema": {"type": "string"}},
            "text/csv": {"schema": {"type": "string"}},
            # Each item is checked as a record of its own, and refused ones are reported, not the request.
            "application/json": {"schema": {"type": "array"}},
        },
    }
}


class UnsupportedMediaType(ApiError):
    status = 415
    code = "unsupported_media_type"


def uploaded_files() -> Iterator[tuple[str, IO[bytes]]]:
    """The request's files as (name, stream): multipart parts, or the body named for its type."""
    if request.mimetype == "multipart/form-data":
        files = request.files.getlist("file")
        if not files:
            raise UnsupportedMediaType("multipart upload has no `file` part")
        return ((f.filename or "upload", f.stream) for f in files)
    if request.mimetype in LINE_TYPES:
        # Read as it arrives: a large body is never held whole (the upload limit still applies); so is JSON.
        # Buffered: the raw stream reads a line a byte at a time (5 ms an article of 4.5 KB).
        return iter([(LINE_TYPES[request.mimetype], cast(IO[bytes], io.BufferedReader(request.stream, READ_BUFFER_BYTES)))])
    if request.mimetype == "application/json":
        start, body = first_byte(request.stream)
        if start != b"[":
            raise Invalid("a JSON body must be an array of Label Studio tasks; send JSONL as application/x-ndjson", [])
        return iter([("request body.json", cast(IO[bytes], body))])
    raise UnsupportedMediaType(
        "send multipart/form-data files, application/x-ndjson (JSONL), text/csv or application/json (Label Studio tasks)"
    )
