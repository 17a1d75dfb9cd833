"""A gunicorn worker whose threads wait on one shared epoll, each serving start to finish the
connection it is woken for.

gunicorn's thread worker passes every request between threads twice: its main thread polls and
hands a readable connection to a pool thread, and the pool thread hands it back through a pipe
to be polled again. On 2 cores that round trip cost about a third of the worker's processor
per request (alternating runs of bench/loop.py with 16 annotators: 1,036 to 1,213 requests/s
with it, 1,228 to 1,457 without).

Here the thread that epoll wakes serves the request, then re-arms the connection. Connections are
registered one-shot, so no second thread is woken for a connection being served, and a thread busy
with a long request holds only that connection: the others stay armed for the other threads. A new
connection is accepted only by a thread with nothing to do, so a busy worker leaves it in the
backlog for an idle one (gunicorn's thread worker accepted into a full pool: one worker held 15 of
16 kept-alive connections while two sat idle).
"""

from __future__ import annotations

import errno
import select
import socket
import threading
import time
from typing import Any

from gunicorn.workers import base
from gunicorn.workers.gthread import STOP_KEEPALIVE_LINGER, TConn, ThreadWorker

ARMED = select.EPOLLIN | select.EPOLLONESHOT
SUPERVISOR_TICK_SECONDS = 1.0
POLL_SECONDS = 0.5


class SharedPollWorker(ThreadWorker):  # type: ignore[misc]
    """Reuses the thread worker's request handling (`handle`) with a loop of its own."""

    def init_process(self) -> None:
        self.epoll = select.epoll()
        self.listeners: dict[int, socket.socket] = {listener.fileno(): listener for listener in self.sockets}
        self.connections: dict[int, TConn] = {}  # by descriptor: every open connection
        self.in_service: set[int] = set()
        self.table_lock = threading.Lock()
        self.accepting = False
        self.stopping = threading.Event()
        self.stopped = False
        base.Worker.init_process(self)  # ends in run(); the thread worker's pool and pipe are not wanted

    def handle_exit(self, sig: int, frame: Any) -> None:
        self.alive = False
        self.stopping.set()

    def handle_quit(self, sig: int, frame: Any) -> None:
        base.Worker.handle_quit(self, sig, frame)

    def run(self) -> None:
        for listener in self.listeners.values():
            listener.setblocking(False)
        self._set_accepting(True)
        for _ in range(self.cfg.threads):
            threading.Thread(target=self._serve, daemon=True).start()
        while self.alive and self.is_parent_alive():
            self.notify()
            self.stopping.wait(SUPERVISOR_TICK_SECONDS)
            self._close_idle(expired_by=time.monotonic())
            self._set_accepting(len(self.connections) < self.worker_connections)
        self._stop()

    def _stop(self) -> None:
        """Stop accepting; requests already under way may finish within the graceful timeout, and a
        kept-alive connection gets a short linger for a request already on its way (answered with
        Connection: close, since the worker is no longer alive)."""
        self.alive = False
        self._set_accepting(False)
        now = time.monotonic()
        linger_until, graceful_until = now + STOP_KEEPALIVE_LINGER, now + self.cfg.graceful_timeout
        while self.connections and time.monotonic() < graceful_until:
            self.notify()
            time.sleep(0.05)
            if time.monotonic() > linger_until:
                self._close_idle(expired_by=float("inf"))
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
                events = self.epoll.poll(POLL_SECONDS, 1)
            except InterruptedError:
                continue
            for descriptor, _ in events:
                try:
                    if descriptor in self.listeners:
                        self._accept(descriptor)
                    else:
                        self._serve_connection(descriptor)
                except Exception:  # noqa: BLE001 - a thread that died here would leave the worker a thread short
                    self.log.exception("Error serving a connection")

    def _accept(self, descriptor: int) -> None:
        listener = self.listeners[descriptor]
        try:
            client_socket, client_address = listener.accept()
        except OSError as error:
            if error.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
        else:
            connection = TConn(self.cfg, client_socket, client_address, listener.getsockname())
            connection.data_ready = True  # it is served only once epoll finds it readable
            connection.set_timeout()
            with self.table_lock:
                self.connections[client_socket.fileno()] = connection
                self.epoll.register(client_socket.fileno(), ARMED)
        finally:
            with self.table_lock:
                if self.accepting and len(self.connections) < self.worker_connections:
                    self.epoll.modify(descriptor, ARMED)
                elif self.accepting:
                    self.epoll.unregister(descriptor)  # full: the supervisor re-arms when there is room
                    self.accepting = False

    def _serve_connection(self, descriptor: int) -> None:
        with self.table_lock:
            connection = self.connections.get(descriptor)
            if connection is None or descriptor in self.in_service:
                return
            self.in_service.add(descriptor)
        keep_alive = self.handle(connection) is True
        # A body drain can read ahead into the next request; the socket no longer shows those bytes.
        while keep_alive and connection.parser.unreader.buf.getvalue():
            keep_alive = self.handle(connection) is True
        with self.table_lock:
            self.in_service.discard(descriptor)
            if keep_alive:
                connection.set_timeout()
                self.epoll.modify(descriptor, ARMED)
                return
            del self.connections[descriptor]
            self.epoll.unregister(descriptor)
        connection.close(graceful=True)

    def _close_idle(self, expired_by: float) -> None:
        """Close the kept-alive connections (not being served) whose keep-alive ran out by then."""
        with self.table_lock:
            expired = [descriptor for descriptor, connection in self.connections.items()
                       if descriptor not in self.in_service and connection.timeout <= expired_by]
            closing = [self.connections.pop(descriptor) for descriptor in expired]
            for descriptor in expired:
                self.epoll.unregister(descriptor)
        for connection in closing:
            connection.close()
