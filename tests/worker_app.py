"""A bare WSGI app under `annotator serve`'s gunicorn settings, to test the worker (annotator.serving.worker).

    python -m tests.worker_app PORT WORKERS THREADS KEEPALIVE BOOTED_DIR [LIMITS_JSON]

Each worker, once booted, creates an empty file named by its pid in BOOTED_DIR. LIMITS_JSON sets
the worker's ReadLimits (max_body_bytes defaults to 1 MiB here).

GET /whoami answers "PID PORT" (the worker's process and the client's port).
GET /hold?until=FILE marks FILE.started, then holds its thread until FILE exists, and answers "PID released".
POST /echo answers "LENGTH SHA256" of the body it read.
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from annotator.serving import GunicornServer, gunicorn_options
from annotator.serving.framing import ReadLimits

HOLD_SECONDS = 30


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    if environ["PATH_INFO"] == "/hold":
        until = Path(parse_qs(environ["QUERY_STRING"])["until"][0])
        Path(f"{until}.started").touch()
        deadline = time.monotonic() + HOLD_SECONDS
        while not until.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        reply = f"{os.getpid()} {'released' if until.exists() else 'gave up'}"
    elif environ["PATH_INFO"] == "/echo":
        body = environ["wsgi.input"].read()
        reply = f"{len(body)} {hashlib.sha256(body).hexdigest()}"
    else:
        reply = f"{os.getpid()} {environ['REMOTE_PORT']}"
    body = reply.encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]


if __name__ == "__main__":
    port, workers, threads, keepalive = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    booted = Path(sys.argv[5])
    limits = ReadLimits.model_validate_json(sys.argv[6]) if len(sys.argv) > 6 else ReadLimits(max_body_bytes=1024 * 1024)
    options = gunicorn_options(bind=f"127.0.0.1:{port}", workers=workers, threads=threads, keepalive=keepalive,
                               post_worker_init=lambda worker: (booted / str(os.getpid())).touch())
    GunicornServer(lambda: app, options, limits).run()
