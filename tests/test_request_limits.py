"""A body is refused by its size before it is read, and only uploads may be large."""

from __future__ import annotations

from pathlib import Path

import orjson
import requests
from werkzeug.test import EnvironBuilder, run_wsgi_app

from annotator.request_checks import MAX_JSON_BODY_BYTES
from annotator.storage import Database
from tests.processes import AppProcess
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


def resident_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc")


def children_of(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def test_a_refused_36_mb_save_leaves_the_worker_no_larger(db: Database, team: Team, project_id: int, tmp_path: Path) -> None:
    server = AppProcess(db.url, tmp_path, workers=1, threads=2)
    server.start()
    try:
        http = requests.Session()
        http.headers["Authorization"] = f"Bearer {team.ana.token}"
        article = http.post(f"{server.url}/api/v1/projects/{project_id}/next", timeout=30).json()["article"]
        assert server.process is not None
        [worker] = children_of(server.process.pid)
        before = resident_mb(worker)
        statement = {"actor": {"id": "peskov"}, "stance": "refuses", "target": "leaders_meeting", "preconditions": [],
                     "evidence": {"start": 0, "end": 7, "text": "Kremlin"}}
        body = orjson.dumps({"base_revision": None, "statements": [statement] * 250_000})  # about 36 MB
        refused = http.put(f"{server.url}/api/v1/articles/{article['id']}/annotation", data=body,
                           headers={"Content-Type": "application/json"}, timeout=60)
        assert refused.status_code == 413
        assert resident_mb(worker) - before < 20, "the refused body was held in the worker's memory"
    finally:
        server.stop()
