"""What every request must respect before a view, the CSRF check or the access guard reads it:
a body no larger than its kind of endpoint takes, and no NUL character in any text.

A JSON body is parsed whole into Python objects, whose memory a worker keeps long after: so
only the endpoints that take uploads (and read them as streams) get the upload limit, and every
other body is refused by its Content-Length before a byte of it is read. PostgreSQL cannot store
NUL in text; refusing it here, on every database, keeps it from ever reaching a query.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any, TypeVar

from flask import current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

from annotator.errors import ApiError, Invalid, Problem

View = TypeVar("View")
# The largest JSON body any endpoint but an upload takes: a save of an article with a thousand
# statements is under half of it.
MAX_JSON_BODY_BYTES = 2 * 1024 * 1024
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# \u0000 as JSON writes it: after an even run of backslashes (an odd one escapes the backslash itself).
ESCAPED_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


class NulCharacter(ApiError):
    status = 400
    code = "nul_character"


def takes_uploads(view: View) -> View:
    """Mark a view that reads files or a stream: it gets the whole upload limit, and its records
    are checked one by one (a NUL in one refuses that record, not the upload)."""
    view.takes_uploads = True  # type: ignore[attr-defined]
    return view


def check_request() -> None:
    view = current_app.view_functions.get(request.endpoint or "")
    uploads = getattr(view, "takes_uploads", False)
    if not uploads:
        limit = min(current_app.config["MAX_CONTENT_LENGTH"] or MAX_JSON_BODY_BYTES, MAX_JSON_BODY_BYTES)
        request.max_content_length = limit  # also bounds a body sent without a length, as it is read
        if request.content_length is not None and request.content_length > limit:
            raise RequestEntityTooLarge(f"the request body has {request.content_length} bytes; this endpoint takes at most {limit}")
    _refuse_nul(uploads)


def _refuse_nul(uploads: bool) -> None:
    if "\x00" in request.path:
        raise _nul_in("the URL")
    _refuse_nul_in_fields("query parameter", request.args.items(multi=True))
    if request.mimetype in FORM_TYPES:
        _refuse_nul_in_fields("form field", request.form.items(multi=True))
    if request.is_json and not uploads:
        body = request.get_data(cache=True)
        if b"\\u0000" in body and ESCAPED_NUL.search(body):
            _refuse_nul_in_json(body)


def _refuse_nul_in_fields(kind: str, fields: Iterable[tuple[str, str]]) -> None:
    for name, value in fields:
        if "\x00" in name or "\x00" in value:
            raise _nul_in(f"the {kind} {name.replace(chr(0), '')!r}")


def _refuse_nul_in_json(body: bytes) -> None:
    """Refuse a JSON body holding a NUL, naming the field as a validation error would."""
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        return  # not JSON: the view refuses it as such
    if (loc := _nul_location(document, [])) is not None:
        raise Invalid("the JSON body holds a NUL character (U+0000), which no text here may hold",
                      [Problem.at(loc, "holds a NUL character (U+0000)")])


def _nul_location(value: Any, loc: list[str | int]) -> list[str | int] | None:
    if isinstance(value, str):
        return loc if "\x00" in value else None
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        if isinstance(key, str) and "\x00" in key:
            return [*loc, key.replace("\x00", "")]
        if (found := _nul_location(item, [*loc, key])) is not None:
            return found
    return None


def _nul_in(where: str) -> NulCharacter:
    return NulCharacter(f"{where} holds a NUL character (U+0000), which no text here may hold")
