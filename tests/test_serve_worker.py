"""The gunicorn worker of `annotator serve` (annotator.workers.SharedPollWorker), over real HTTP.

Each test runs tests/worker_app.py, a bare app under the same gunicorn settings, in its own
server. A request to /hold keeps its thread until the test creates a file, so a test can
hold a thread and see what the others still do.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.postgres import free_port
from tests.processes import REPO, wait_until_listening


@contextmanager
def worker_server(workers: int, threads: int, keepalive: int = 75) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    """The server, once every one of its workers has booted."""
    port = free_port()
    with tempfile.TemporaryDirectory() as booted:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.worker_app", str(port), str(workers), str(threads), str(keepalive), booted],
            cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        try:
            wait_until_listening(port)
            wait_for(lambda: len(os.listdir(booted)) >= workers, "the workers did not all boot")
            yield port, process
        finally:
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=30)


def get(connection: http.client.HTTPConnection, path: str) -> str:
    connection.request("GET", path)
    reply = connection.getresponse()
    assert reply.status == 200
    return reply.read().decode()


def start_holding(connection: http.client.HTTPConnection, release: Path) -> None:
    """Send a /hold request and return once a thread is holding it."""
    connection.request("GET", f"/hold?until={release}")
    wait_for(Path(f"{release}.started").exists, "the held request never reached a thread")


def wait_for(condition: Callable[[], bool], failure: str) -> None:
    deadline = time.monotonic() + 30
    while not condition():
        assert time.monotonic() < deadline, failure
        time.sleep(0.01)


def test_a_kept_alive_connection_is_served_request_after_request() -> None:
    with worker_server(workers=2, threads=2) as (port, _):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        answers = {get(connection, "/whoami") for _ in range(200)}
        assert len(answers) == 1  # one worker process, one client port: the connection was never reopened


def test_two_requests_sent_in_one_write_are_both_answered() -> None:
    with worker_server(workers=1, threads=1) as (port, _), socket.create_connection(("127.0.0.1", port), timeout=10) as client:
        client.sendall(b"GET /whoami HTTP/1.1\r\nHost: x\r\n\r\n" * 2)
        received = b""
        while received.count(b"HTTP/1.1 200") < 2:
            chunk = client.recv(65536)
            assert chunk, f"the server closed the connection after {received!r}"
            received += chunk


def test_a_thread_held_by_a_long_request_leaves_the_workers_other_connections_served(tmp_path: Path) -> None:
    release = tmp_path / "release"
    with worker_server(workers=1, threads=2) as (port, _):
        held, other = (http.client.HTTPConnection("127.0.0.1", port, timeout=30) for _ in range(2))
        get(other, "/whoami")  # kept alive in the same worker
        start_holding(held, release)
        for _ in range(20):
            get(other, "/whoami")
        release.touch()
        assert held.getresponse().read().decode().endswith("released")


def test_a_worker_with_no_free_thread_leaves_a_new_connection_to_an_idle_worker(tmp_path: Path) -> None:
    release = tmp_path / "release"
    with worker_server(workers=2, threads=1) as (port, _):
        held = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        start_holding(held, release)
        newcomer_pid = get(http.client.HTTPConnection("127.0.0.1", port, timeout=30), "/whoami").split()[0]
        release.touch()
        held_pid, outcome = held.getresponse().read().decode().split()
        assert outcome == "released"
        assert newcomer_pid != held_pid


def test_connections_opened_together_are_spread_evenly_over_the_workers() -> None:
    with worker_server(workers=3, threads=2) as (port, _):
        connections = [http.client.HTTPConnection("127.0.0.1", port, timeout=10) for _ in range(12)]
        for connection in connections:  # each connects and sends at once: no answer is awaited yet
            connection.request("GET", "/whoami")
        served_by = Counter(connection.getresponse().read().decode().split()[0] for connection in connections)
        for connection in connections:
            connection.close()
    assert sorted(served_by.values()) == [4, 4, 4]


def test_an_idle_connection_is_closed_when_its_keepalive_runs_out() -> None:
    with worker_server(workers=1, threads=1, keepalive=1) as (port, _):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
        get(connection, "/whoami")
        assert connection.sock is not None
        assert connection.sock.recv(1) == b""  # closed by the server, not timed out here


def test_a_graceful_stop_answers_the_request_in_flight_then_exits(tmp_path: Path) -> None:
    release = tmp_path / "release"
    with worker_server(workers=1, threads=2) as (port, process):
        held = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        start_holding(held, release)
        process.send_signal(signal.SIGTERM)
        release.touch()
        assert held.getresponse().read().decode().endswith("released")
        assert process.wait(timeout=30) == 0
