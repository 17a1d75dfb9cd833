"""The gunicorn worker of `annotator serve`: its threads wait on one shared epoll, read every
connection without blocking, and serve a request only once the whole of it has arrived.

A request thread is never lent to a client's network. Each wake reads what a connection has sent
(without blocking) into its RequestArrival (serving.framing); only a request whose head and body
are both here is served, by the thread that completed it. A client that sends half its headers
and waits, or trickles its body, holds a buffer and a place in the epoll, and is answered 408 and
closed when its deadline passes. gunicorn's thread worker lends a thread to a connection as soon
as its first bytes arrive: four clients that stop half-way stopped a 2 x 2 server.

Connections are registered one-shot, so one connection wakes one thread at a time, and a thread
serving a long request holds only that connection. A new connection is accepted only by a thread
with nothing to do. The workers count their connections in a page they share (WorkerLoads), and a
worker that holds more than another living one lets a new connection wait briefly for the other
to take it: the worker that happened to be on a core otherwise took 15 or 16 of 16 connections
opened together, and one process serves on one core. Passing each request between a polling
thread and a pool thread, as gunicorn's thread worker does, cost about a third of the processor
per request on 2 cores.

What of gunicorn this relies on (tested with the range the package requires): the custom worker
interface of `gunicorn.workers.base.Worker` (init_process, run, notify, handle_exit, handle_error,
alive, sockets, cfg, log, wsgi, age, ppid, nr, max_requests), `gunicorn.http.RequestParser` over
an iterable of bytes, `gunicorn.http.wsgi.create` and the Response it returns (start_response,
write, write_file, close, force_close, should_close, headers_sent), the exceptions of
`gunicorn.http.errors`, the `worker_class` setting taking a dotted name, and the worker's `app` being the
application gunicorn was started with. Nothing else.
"""

from __future__ import annotations

import errno
import mmap
import os
import select
import socket
import threading
import time
from datetime import datetime
from typing import Any

import orjson
from gunicorn.http import wsgi
from gunicorn.http.errors import NoMoreData
from gunicorn.http.parser import RequestParser
from gunicorn.workers import base

from annotator.serving.framing import ArrivedRequest, ReadLimits, Refusal, RequestArrival

ARMED = select.EPOLLIN | select.EPOLLONESHOT
SUPERVISOR_TICK_SECONDS = 0.5
POLL_SECONDS = 0.5
# How long a worker holding more connections than another leaves a new one to that other. If
# the other has not taken it by then (busy, or not on a core), this worker does.
DEFER_SECONDS = 0.01
RECEIVE_BYTES = 64 * 1024
# A wake reads at most this much of one connection, then leaves it armed: a fast upload does not
# keep its thread from the others.
RECEIVE_PER_WAKE = 1024 * 1024
# A response's every write must be taken by the client within this time.
SEND_SECONDS = 30.0
# A connection the worker closes is read (and what arrives dropped) until the client closes too,
# for at most this long: closing with unread bytes would reset it, and the client could lose the
# last answer.
LINGER_SECONDS = 2.0
# A stopping worker keeps its idle connections this long, for a request already on its way.
STOP_IDLE_SECONDS = 2.0
CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
REASONS = {400: "Bad Request", 408: "Request Timeout", 413: "Content Too Large",
           431: "Request Header Fields Too Large", 501: "Not Implemented"}


class WorkerLoads:
    """How many connections each worker of one server holds, in memory its workers share.

    Made when gunicorn's arbiter imports this module, before it forks any worker, so all of a
    server's workers map the same page. A worker writes its pid and count in the slot of its age
    (gunicorn numbers the workers it spawns); slots whose pid has died are passed over. A stale or
    shared slot can only make a worker defer a new connection once, for DEFER_SECONDS.
    """

    SLOTS = 256

    def __init__(self) -> None:
        self._cells = memoryview(mmap.mmap(-1, self.SLOTS * 2 * 8)).cast("q")  # pid, connections; per slot

    def join(self, age: int) -> int:
        slot = age % self.SLOTS
        self._cells[2 * slot], self._cells[2 * slot + 1] = os.getpid(), 0
        return slot

    def publish(self, slot: int, connections: int) -> None:
        self._cells[2 * slot + 1] = connections

    def leave(self, slot: int) -> None:
        if self._cells[2 * slot] == os.getpid():
            self._cells[2 * slot] = 0

    def another_holds_fewer(self, slot: int, connections: int) -> bool:
        for other in range(self.SLOTS):
            pid = self._cells[2 * other]
            if other != slot and pid and self._cells[2 * other + 1] < connections and _alive(pid):
                return True
        return False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # alive, as another user (gunicorn's `user` setting)
    return True


WORKER_LOADS = WorkerLoads()


class Connection:
    """One client connection: its socket, the request arriving on it, and until when it may wait."""

    def __init__(self, sock: socket.socket, client: Any, server: Any, limits: ReadLimits, idle_until: float) -> None:
        self.sock, self.client, self.server = sock, client, server
        self.arrival = RequestArrival(limits)
        self.idle_until = idle_until  # while no request is under way
        self.closing_until: float | None = None  # set once the worker has ended it: lingering

    def deadline(self) -> float:
        if self.closing_until is not None:
            return self.closing_until
        return self.arrival.deadline() or self.idle_until

    def end(self, answer: bytes, now: float) -> None:
        """Send a last answer (if any) and the end of the stream, then linger for the client to close."""
        self.arrival.discard()
        try:
            if answer:
                self.sock.send(answer)  # never blocks: a short answer to a connection the worker is ending
            self.sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        self.closing_until = now + LINGER_SECONDS

    def close(self) -> None:
        self.arrival.discard()
        try:
            self.sock.close()
        except OSError:
            pass


def refusal_answer(refusal: Refusal) -> bytes:
    """The whole HTTP answer to a request the worker refuses itself, as the API's error body."""
    body = orjson.dumps({"error": refusal.code, "message": refusal.message, "problems": []})
    head = (f"HTTP/1.1 {refusal.status} {REASONS.get(refusal.status, 'Error')}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n")
    return head.encode("latin-1") + body


class SharedPollWorker(base.Worker):  # type: ignore[misc]
    """The worker, named to gunicorn by WORKER_CLASS; the application it serves (a serving.GunicornServer)
    says what a request may hold and how long it may take."""

    def init_process(self) -> None:
        self.limits: ReadLimits = self.app.read_limits
        self.epoll = select.epoll()
        self.listeners: dict[int, socket.socket] = {listener.fileno(): listener for listener in self.sockets}
        self.connections: dict[int, Connection] = {}  # by descriptor: every open connection
        self.in_service: set[int] = set()
        self.table_lock = threading.Lock()
        self.accepting = False
        self.stopping = threading.Event()
        self.stopped = False
        self.worker_connections = self.cfg.worker_connections
        self.slot = WORKER_LOADS.join(self.age)
        self.accept_again_at: float | None = None  # set while a new connection is left to a less loaded worker
        self.take_until = 0.0  # until then, one connection still waiting when the listeners are armed again is taken
        super().init_process()  # ends in run()

    def handle_exit(self, sig: int, frame: Any) -> None:
        self.alive = False
        self.stopping.set()

    def run(self) -> None:
        for listener in self.listeners.values():
            listener.setblocking(False)
        self._set_accepting(True)
        for _ in range(self.cfg.threads):
            threading.Thread(target=self._serve, daemon=True).start()
        while self.alive and os.getppid() == self.ppid:
            self.notify()
            self.stopping.wait(SUPERVISOR_TICK_SECONDS)
            self._end_overdue(time.monotonic())
            self._set_accepting(len(self.connections) < self.worker_connections)
        self._stop()
        WORKER_LOADS.leave(self.slot)

    def _stop(self) -> None:
        """Stop accepting. Requests under way or already arriving are answered within the graceful
        timeout; an idle connection is kept STOP_IDLE_SECONDS for a request already on its way."""
        self.alive = False
        self._set_accepting(False)
        now = time.monotonic()
        graceful_until = now + self.cfg.graceful_timeout
        with self.table_lock:
            for connection in self.connections.values():
                connection.idle_until = min(connection.idle_until, now + STOP_IDLE_SECONDS)
        while self.connections and time.monotonic() < graceful_until:
            self.notify()
            time.sleep(0.05)
            self._end_overdue(time.monotonic())
        self.stopped = True

    def _set_accepting(self, accepting: bool) -> None:
        with self.table_lock:
            if accepting == self.accepting or (accepting and not self.alive):
                return
            for descriptor in self.listeners:
                if accepting:
                    self.epoll.register(descriptor, ARMED)
                else:
                    self.epoll.unregister(descriptor)
            self.accepting = accepting

    def _serve(self) -> None:
        while not self.stopped:
            try:
                # One event per wake: another ready connection is left for another thread.
                events = self.epoll.poll(self._poll_seconds(), 1)
            except InterruptedError:
                continue
            for descriptor, _ in events:
                try:
                    if descriptor in self.listeners:
                        self._accept(descriptor)
                    else:
                        self._on_readable(descriptor)
                except Exception:  # noqa: BLE001 - a thread that died here would leave the worker a thread short
                    self.log.exception("Error serving a connection")

    def _poll_seconds(self) -> float:
        """How long to wait for an event; once a deferral has run out, arm the listeners again first."""
        if self.accept_again_at is None:
            return POLL_SECONDS
        left = self.accept_again_at - time.monotonic()
        if left > 0:
            return min(left, POLL_SECONDS)
        with self.table_lock:
            if self.accept_again_at is not None:
                self.accept_again_at = None
                if self.accepting:
                    for listener in self.listeners:
                        self.epoll.modify(listener, ARMED)
        return POLL_SECONDS

    def _accept(self, descriptor: int) -> None:
        with self.table_lock:
            now = time.monotonic()
            if now > self.take_until and WORKER_LOADS.another_holds_fewer(self.slot, len(self.connections)):
                # Left unarmed: the less loaded worker was woken for it too.
                self.accept_again_at = now + DEFER_SECONDS
                self.take_until = self.accept_again_at + DEFER_SECONDS
                return
            self.take_until = 0.0
        listener = self.listeners[descriptor]
        try:
            client_socket, client_address = listener.accept()
        except OSError as error:
            if error.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
        else:
            client_socket.setblocking(False)
            connection = Connection(client_socket, client_address, listener.getsockname(), self.limits,
                                    time.monotonic() + self.cfg.keepalive)
            with self.table_lock:
                self.connections[client_socket.fileno()] = connection
                self.epoll.register(client_socket.fileno(), ARMED)
                WORKER_LOADS.publish(self.slot, len(self.connections))
        finally:
            with self.table_lock:
                if self.accepting and len(self.connections) < self.worker_connections:
                    self.epoll.modify(descriptor, ARMED)
                elif self.accepting:
                    self.epoll.unregister(descriptor)  # full: the supervisor re-arms when there is room
                    self.accepting = False

    def _on_readable(self, descriptor: int) -> None:
        with self.table_lock:
            connection = self.connections.get(descriptor)
            if connection is None or descriptor in self.in_service:
                return
            self.in_service.add(descriptor)
        stays_open = False
        try:
            stays_open = self._drop_arrivals(connection) if connection.closing_until else self._receive(connection)
        finally:
            self._release(descriptor, connection, stays_open)

    def _release(self, descriptor: int, connection: Connection, stays_open: bool) -> None:
        with self.table_lock:
            self.in_service.discard(descriptor)
            if stays_open:
                self.epoll.modify(descriptor, ARMED)
                return
            del self.connections[descriptor]
            self.epoll.unregister(descriptor)
            WORKER_LOADS.publish(self.slot, len(self.connections))
        connection.close()

    def _receive(self, connection: Connection) -> bool:
        """Read what the connection has sent and serve each request it completes; whether it stays open."""
        received, ended = 0, False
        while received < RECEIVE_PER_WAKE and not connection.arrival.complete:
            try:
                data = connection.sock.recv(RECEIVE_BYTES)
            except BlockingIOError:
                break
            except OSError:
                return False  # reset by the client
            if not data:
                ended = True
                break
            received += len(data)
            if not self._take(connection, data):
                return True
        while connection.arrival.complete:
            if not self._serve_request(connection, connection.arrival.take()):
                connection.end(b"", time.monotonic())
                return True
            if not self._take(connection, b""):
                return True
        return not ended

    def _take(self, connection: Connection, data: bytes) -> bool:
        """Feed bytes to the connection's request (and answer an Expect: 100-continue); False if refused."""
        arrival = connection.arrival
        try:
            arrival.feed(data, time.monotonic())
        except Refusal as refusal:
            connection.end(refusal_answer(refusal), time.monotonic())
            return False
        if arrival.expects_continue:
            arrival.expects_continue = False
            try:
                connection.sock.send(CONTINUE)
            except OSError:
                pass  # the client sends its body anyway once it tires of waiting
        return True

    def _drop_arrivals(self, connection: Connection) -> bool:
        """Read and drop what a lingering connection sends, until the client closes it."""
        for _ in range(RECEIVE_PER_WAKE // RECEIVE_BYTES):
            try:
                if not connection.sock.recv(RECEIVE_BYTES):
                    return False
            except BlockingIOError:
                return True
            except OSError:
                return False
        return True

    def _serve_request(self, connection: Connection, arrived: ArrivedRequest) -> bool:
        """Answer one whole request; whether the connection may carry another."""
        request = None
        connection.sock.settimeout(SEND_SECONDS)
        try:
            request = next(RequestParser(self.cfg, arrived.chunks(), connection.client))
            return self._handle_request(request, connection)
        except (NoMoreData, StopIteration):
            return False
        except (TimeoutError, BrokenPipeError, ConnectionError):
            self.log.debug("the client stopped taking its answer")
            return False
        except Exception as error:  # noqa: BLE001 - gunicorn answers what it can (400 for a malformed request)
            self.handle_error(request, connection.sock, connection.client, error)
            return False
        finally:
            arrived.close()
            connection.sock.setblocking(False)
            now = time.monotonic()
            connection.idle_until = now + (self.cfg.keepalive if self.alive else STOP_IDLE_SECONDS)

    def _handle_request(self, request: Any, connection: Connection) -> bool:
        environ: dict[str, Any] = {}
        response = None
        try:
            self.cfg.pre_request(self, request)
            started = datetime.now()
            response, environ = wsgi.create(request, connection.sock, connection.client, connection.server, self.cfg)
            environ["wsgi.multithread"] = True
            self.nr += 1
            if self.nr >= self.max_requests and self.alive:
                self.log.info("Autorestarting worker after current request.")
                self.handle_exit(0, None)
            # A stopping worker answers what the client has already sent, closing after the last of it.
            if not self.cfg.keepalive or not (self.alive or connection.arrival.holds_bytes):
                response.force_close()
            answer = self.wsgi(environ, response.start_response)
            try:
                if isinstance(answer, environ["wsgi.file_wrapper"]):
                    response.write_file(answer)
                else:
                    for part in answer:
                        response.write(part)
                response.close()
            finally:
                self.log.access(response, request, environ, datetime.now() - started)
                if hasattr(answer, "close"):
                    answer.close()
            return not response.should_close()
        except (Exception, SystemExit):
            if response is not None and response.headers_sent:
                self.log.exception("Error handling request")  # too late for a 500: the answer is cut off
                return False
            raise
        finally:
            try:
                self.cfg.post_request(self, request, environ, response)
            except Exception:  # noqa: BLE001 - a hook's failure must not lose the answer already sent
                self.log.exception("Exception in post_request hook")

    def _end_overdue(self, now: float) -> None:
        """End the connections past their deadline that no thread is serving: a request that has
        taken too long is answered 408, an idle connection closed, a lingering one let go."""
        with self.table_lock:
            overdue = [(descriptor, connection) for descriptor, connection in self.connections.items()
                       if descriptor not in self.in_service and connection.deadline() <= now]
            closing = []
            for descriptor, connection in overdue:
                if connection.closing_until is None and connection.arrival.started:
                    connection.end(refusal_answer(Refusal(408, "request_timeout", "the request took too long to arrive")), now)
                elif connection.closing_until is None and _has_bytes(connection.sock):
                    connection.idle_until = now + LINGER_SECONDS  # a request has just come: a thread will serve it
                else:
                    closing.append(self.connections.pop(descriptor))
                    self.epoll.unregister(descriptor)
            WORKER_LOADS.publish(self.slot, len(self.connections))
        for connection in closing:
            connection.close()


def _has_bytes(sock: socket.socket) -> bool:
    try:
        return bool(sock.recv(1, socket.MSG_PEEK))
    except BlockingIOError:
        return False
    except OSError:
        return False


# gunicorn's `worker_class` setting: a dotted name, as every gunicorn takes it (22 logs the setting as
# a string at start, and stops on a class).
WORKER_CLASS = f"{__name__}.{SharedPollWorker.__name__}"
