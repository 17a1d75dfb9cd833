"""A body is refused by its size before it is read, and only uploads may be large."""

from __future__ import annotations

import orjson
from werkzeug.test import EnvironBuilder, run_wsgi_app

from annotator.request_checks import MAX_JSON_BODY_BYTES
from tests.support import Team


class Unreadable:
    """A request body that fails the test if anything reads it."""

    def read(self, *_: object) -> bytes:
        raise AssertionError("the body was read")

    readline = readlines = read


def send_unread(app, path: str, method: str, length: int, headers: dict[str, str]) -> tuple[int, dict]:  # type: ignore[no-untyped-def]
    environ = EnvironBuilder(path=path, method=method, headers=headers).get_environ()
    environ.update({"wsgi.input": Unreadable(), "CONTENT_LENGTH": str(length)})
    body, status, _ = run_wsgi_app(app, environ, buffered=True)
    return int(status.split()[0]), orjson.loads(b"".join(body))


def test_a_save_over_the_json_limit_is_refused_before_a_byte_is_read(app, team: Team) -> None:  # type: ignore[no-untyped-def]
    status, reply = send_unread(app, "/api/v1/articles/1/annotation", "PUT", MAX_JSON_BODY_BYTES + 1,
                                {"Authorization": f"Bearer {team.ana.token}", "Content-Type": "application/json"})
    assert status == 413
    assert f"takes at most {MAX_JSON_BODY_BYTES}" in reply["message"]


def test_an_import_may_be_larger_than_any_json_body(app, team: Team, project_id: int) -> None:  # type: ignore[no-untyped-def]
    limit = app.config["MAX_CONTENT_LENGTH"]
    status, _ = send_unread(app, f"/api/v1/projects/{project_id}/articles", "POST", limit + 1,
                            {"Authorization": f"Bearer {team.lena.token}", "Content-Type": "application/x-ndjson"})
    assert status == 413  # past the upload limit, still unread
    assert limit > MAX_JSON_BODY_BYTES
