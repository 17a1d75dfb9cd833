"""Slow clients cannot starve `annotator serve`: connections that send half a request and wait
hold no request thread, while annotators save as usual (2 workers x 2 threads, real HTTP)."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import requests

from annotator.labelschema import LabelSchema
from annotator.storage import Database
from tests.processes import AppProcess
from tests.support import annotators_with_tokens

SAVERS = 16
SLOW_HEADS = SLOW_BODIES = 64
LOAD_SECONDS = 6.0
P99_LIMIT_SECONDS = 0.25


def trickle(port: int, opening: bytes, drip: bytes, stop: threading.Event) -> None:
    """A client that sends part of a request, then a byte or two a second, never finishing it."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as client:
        client.sendall(opening)
        while not stop.wait(1.0):
            try:
                client.sendall(drip)
            except OSError:
                return  # closed by the server: its deadline passed


def save_repeatedly(base: str, token: str, project_id: int, stop: threading.Event,
                    latencies: list[float], failures: list[str]) -> None:
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {token}"
    article = http.post(f"{base}/api/v1/projects/{project_id}/next", timeout=30).json()["article"]
    revision = None
    while not stop.is_set():
        started = time.perf_counter()
        try:
            reply = http.put(f"{base}/api/v1/articles/{article['id']}/annotation",
                             json={"base_revision": revision, "statements": []}, timeout=30)
        except requests.RequestException as error:
            failures.append(repr(error))
            continue
        latencies.append(time.perf_counter() - started)
        if reply.status_code != 200:
            failures.append(f"{reply.status_code} {reply.text[:200]}")
            continue
        revision = reply.json()["revision"]


def test_saves_stay_quick_while_128_clients_stall_half_way(db: Database, schema: LabelSchema, tmp_path: Path) -> None:
    project_id, tokens = annotators_with_tokens(db, schema, SAVERS, overlap=SAVERS, name="slow")
    server = AppProcess(db.url, tmp_path, workers=2, threads=2)
    server.start()
    stop, stall = threading.Event(), threading.Event()
    latencies: list[float] = []
    failures: list[str] = []
    head = b"PUT /api/v1/articles/1/annotation HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: "
    body = b"PUT /api/v1/articles/1/annotation HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000\r\n\r\n{"
    stallers = [threading.Thread(target=trickle, args=(server.port, head, b"a", stall)) for _ in range(SLOW_HEADS)]
    stallers += [threading.Thread(target=trickle, args=(server.port, body, b" ", stall)) for _ in range(SLOW_BODIES)]
    savers = [threading.Thread(target=save_repeatedly, args=(server.url, token, project_id, stop, latencies, failures))
              for token in tokens]
    try:
        for thread in stallers:
            thread.start()
        time.sleep(1.0)  # every stalled connection is open before the first save
        for thread in savers:
            thread.start()
        time.sleep(LOAD_SECONDS)
        stop.set()
        for thread in savers:
            thread.join(timeout=60)
    finally:
        stop.set()
        stall.set()
        for thread in stallers:
            thread.join(timeout=30)
        server.stop()
    assert not failures, failures[:5]
    assert len(latencies) > 200, "too few saves to judge"
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99)]
    assert p99 < P99_LIMIT_SECONDS, f"p99 of {len(latencies)} saves was {p99 * 1000:.0f} ms"
