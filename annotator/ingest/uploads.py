"""What an import request uploads: multipart files, or one document as the body, read as it arrives."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import IO, cast

from flask import request

from annotator.errors import ApiError, Invalid
from annotator.ingest.readers import CSV_COLUMNS, csv_names_text
from annotator.streams import ReadAhead, first_byte

READ_BUFFER_BYTES = 64 * 1024
JSONL_TYPES = ("application/x-ndjson", "application/jsonl", "application/x-jsonlines")
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
            "text/csv": {"schema": {"type": "string", "description": "A header line naming the columns (text among them), then a row per article"}},
            # Each item is checked as a record of its own, and refused ones are reported, not the request.
            "application/json": {"schema": {"type": "array"}},
        },
    }
}


class UnsupportedMediaType(ApiError):
    status = 415
    code = "unsupported_media_type"


def uploaded_files() -> Iterator[tuple[str, IO[bytes]]]:
    """The request's files as (name, stream): multipart parts, or the body named for its type.

    A body is read as it arrives, never held whole (the upload limit still applies); line by line
    through a buffer, since the raw stream reads a line a byte at a time (5 ms an article of 4.5 KB).
    """
    if request.mimetype == "multipart/form-data":
        files = request.files.getlist("file")
        if not files:
            raise UnsupportedMediaType("multipart upload has no `file` part")
        return ((f.filename or "upload", f.stream) for f in files)
    body = io.BufferedReader(cast(io.RawIOBase, request.stream), READ_BUFFER_BYTES)
    if request.mimetype in JSONL_TYPES:
        return iter([("request body.jsonl", cast(IO[bytes], body))])
    if request.mimetype == "text/csv":
        header = body.readline(READ_BUFFER_BYTES)
        if not csv_names_text(header):
            raise Invalid(f"a CSV body starts with a header line naming its columns: text, and any of {', '.join(CSV_COLUMNS)}", [])
        return iter([("request body.csv", cast(IO[bytes], ReadAhead(body, header)))])
    if request.mimetype == "application/json":
        start, tasks = first_byte(body)
        if start != b"[":
            raise Invalid("a JSON body must be an array of Label Studio tasks; send JSONL as application/x-ndjson", [])
        return iter([("request body.json", cast(IO[bytes], tasks))])
    raise UnsupportedMediaType(
        "send multipart/form-data files, application/x-ndjson (JSONL), text/csv or application/json (Label Studio tasks)"
    )
