"""The gunicorn worker of `annotator serve` (annotator.serving.worker), over real HTTP.

Each test runs tests/worker_app.py, a bare app under the same gunicorn settings, in its own
server. A request to /hold keeps its thread until the test creates a file, so a test can
hold a thread and see what the others still do.
"""

from __future__ import annotations

import hashlib
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

from annotator.serving.framing import ReadLimits
from tests.postgres import free_port
from tests.processes import REPO, wait_until_listening


@contextmanager
def worker_server(workers: int, threads: int, keepalive: int = 75, runtime_dir: Path | None = None,
                  **limits: float) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    """The server, once every one of its workers has booted; `limits` are its ReadLimits (max_body_bytes
    1 MiB). `runtime_dir` is its XDG_RUNTIME_DIR, where gunicorn would put a control socket."""
    port = free_port()
    read_limits = ReadLimits.model_validate({"max_body_bytes": 1024 * 1024, **limits}).model_dump_json()
    env = {**os.environ, **({"XDG_RUNTIME_DIR": str(runtime_dir)} if runtime_dir else {})}
    with tempfile.TemporaryDirectory() as booted:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.worker_app", str(port), str(workers), str(threads), str(keepalive), booted, read_limits],
            cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
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


def raw_connection(port: int, sent: bytes = b"") -> socket.socket:
    client = socket.create_connection(("127.0.0.1", port), timeout=15)
    client.sendall(sent)
    return client


def whole_reply(client: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    received = b""
    while chunk := client.recv(65536):
        received += chunk
    return received


def test_clients_that_stop_half_way_through_their_headers_take_no_thread() -> None:
    with worker_server(workers=1, threads=2) as (port, _):
        stalled = [raw_connection(port, b"GET /whoami HTTP/1.1\r\nHost: x\r\nX-Wait: ") for _ in range(8)]
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        assert all(get(connection, "/whoami") for _ in range(20))
        for client in stalled:
            client.close()


def test_clients_that_stop_half_way_through_their_bodies_take_no_thread() -> None:
    with worker_server(workers=1, threads=2) as (port, _):
        head = b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n"
        stalled = [raw_connection(port, head + b"x" * 10) for _ in range(8)]
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        assert all(get(connection, "/whoami") for _ in range(20))
        for client in stalled:
            client.close()


def test_a_request_whose_headers_take_too_long_is_answered_408_and_closed() -> None:
    with worker_server(workers=1, threads=1, head_seconds=1) as (port, _):
        client = raw_connection(port, b"GET /whoami HTTP/1.1\r\nHost: x\r\n")
        started = time.monotonic()
        reply = whole_reply(client)
        assert reply.startswith(b"HTTP/1.1 408 Request Timeout")
        assert b'"request_timeout"' in reply
        assert time.monotonic() - started < 10


def test_a_body_that_trickles_too_slowly_is_answered_408_and_closed() -> None:
    with worker_server(workers=1, threads=1, body_seconds=1, body_bytes_per_second=100) as (port, _):
        client = raw_connection(port, b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n")
        for _ in range(6):  # 10 bytes every 0.5 s: 20 bytes/s, under the 100 the deadline allows
            client.sendall(b"x" * 10)
            time.sleep(0.5)
        assert whole_reply(client).startswith(b"HTTP/1.1 408 Request Timeout")


def test_a_body_that_keeps_its_pace_is_served_however_long_it_takes() -> None:
    with worker_server(workers=1, threads=1, body_seconds=1, body_bytes_per_second=100) as (port, _):
        body = b"y" * 400
        client = raw_connection(port, b"POST /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 400\r\n\r\n")
        for start in range(0, 400, 100):  # 100 bytes every 0.5 s, for 2 s in all: past body_seconds, within the pace
            client.sendall(body[start:start + 100])
            time.sleep(0.5)
        reply = whole_reply(client)
        assert reply.startswith(b"HTTP/1.1 200 OK")
        assert reply.endswith(f"400 {hashlib.sha256(body).hexdigest()}".encode())


def test_a_body_over_the_limit_is_refused_413_before_it_is_sent() -> None:
    with worker_server(workers=1, threads=1, max_body_bytes=1000) as (port, _):
        client = raw_connection(port, b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\nExpect: 100-continue\r\n\r\n")
        reply = whole_reply(client)
        assert reply.startswith(b"HTTP/1.1 413 Content Too Large")  # no "100 Continue": the body is never asked for
        assert b"the server takes at most 1000" in reply


def test_a_chunked_body_over_the_limit_is_refused_413_as_it_passes_the_limit() -> None:
    with worker_server(workers=1, threads=1, max_body_bytes=1000) as (port, _):
        client = raw_connection(port, b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
        client.sendall(b"200\r\n" + b"z" * 0x200 + b"\r\n" + b"400\r\n")
        assert whole_reply(client).startswith(b"HTTP/1.1 413 Content Too Large")


def test_an_expected_continue_is_sent_and_the_body_then_served() -> None:
    with worker_server(workers=1, threads=1) as (port, _):
        client = raw_connection(
            port, b"POST /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n",
        )
        assert client.recv(100) == b"HTTP/1.1 100 Continue\r\n\r\n"
        client.sendall(b"hello")
        reply = whole_reply(client)
        assert reply.startswith(b"HTTP/1.1 200 OK")
        assert b"HTTP/1.1 100" not in reply  # one interim answer, not two
        assert reply.endswith(f"5 {hashlib.sha256(b'hello').hexdigest()}".encode())


def test_a_large_body_sent_in_pieces_reaches_the_app_whole() -> None:
    body = os.urandom(3 * 1024 * 1024)  # past the spool size: it waits in a temporary file
    with worker_server(workers=1, threads=1, max_body_bytes=4 * 1024 * 1024) as (port, _):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("POST", "/echo", body=body)
        assert connection.getresponse().read().decode() == f"{len(body)} {hashlib.sha256(body).hexdigest()}"


def test_a_chunked_body_reaches_the_app_whole() -> None:
    parts = [b"first part, ", b"second part; ", os.urandom(70_000)]
    with worker_server(workers=1, threads=1) as (port, _):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("POST", "/echo", body=iter(parts), encode_chunked=True, headers={"Transfer-Encoding": "chunked"})
        body = b"".join(parts)
        assert connection.getresponse().read().decode() == f"{len(body)} {hashlib.sha256(body).hexdigest()}"


def test_a_request_waiting_for_a_thread_is_answered_though_its_keepalive_ran_out(tmp_path: Path) -> None:
    release = tmp_path / "release"
    with worker_server(workers=1, threads=1, keepalive=1) as (port, _):
        held, waiting = (http.client.HTTPConnection("127.0.0.1", port, timeout=30) for _ in range(2))
        get(waiting, "/whoami")  # kept alive
        start_holding(held, release)  # the only thread is busy
        waiting.request("GET", "/whoami")
        time.sleep(2.5)  # its keepalive runs out while its request waits
        release.touch()
        assert waiting.getresponse().status == 200


def test_requests_already_sent_when_the_server_stops_are_answered(tmp_path: Path) -> None:
    release = tmp_path / "release"
    with worker_server(workers=1, threads=1) as (port, process):
        held = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        pipelined = raw_connection(port)
        start_holding(held, release)
        pipelined.sendall(b"GET /whoami HTTP/1.1\r\nHost: x\r\n\r\n" * 3)
        process.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        release.touch()
        assert held.getresponse().status == 200
        assert whole_reply(pipelined).count(b"HTTP/1.1 200 OK") == 3
        assert process.wait(timeout=30) == 0


def test_two_servers_on_one_host_share_no_control_socket(tmp_path: Path) -> None:
    with worker_server(workers=1, threads=1, runtime_dir=tmp_path) as (first, _), \
            worker_server(workers=1, threads=1, runtime_dir=tmp_path) as (second, _):
        for port in (first, second):
            assert get(http.client.HTTPConnection("127.0.0.1", port, timeout=10), "/whoami")
        assert list(tmp_path.iterdir()) == []  # gunicorn's control socket would be here, one path for every server
