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

Idle alone did not spread connections that arrive together: the worker on a core at that moment
took nearly all of them (15 of 16 again, or 16 of 16), and one process serves on one core. So the
workers count their connections in a page they share (WorkerLoads), and a worker that holds more
than another living one lets a new connection wait briefly for the other to take it.
"""

from __future__ import annotations

import errno
import mmap
import os
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
# How long a worker holding more connections than another leaves a new one to that other. If
# the other has not taken it by then (busy, or not on a core), this worker does.
DEFER_SECONDS = 0.01


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
        self.slot = WORKER_LOADS.join(self.age)
        self.accept_again_at: float | None = None  # set while a new connection is left to a less loaded worker
        self.take_until = 0.0  # until then, one connection still waiting when the listeners are armed again is taken
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
        WORKER_LOADS.leave(self.slot)

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
                events = self.epoll.poll(self._poll_seconds(), 1)
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
            connection = TConn(self.cfg, client_socket, client_address, listener.getsockname())
            connection.data_ready = True  # it is served only once epoll finds it readable
            connection.set_timeout()
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
            WORKER_LOADS.publish(self.slot, len(self.connections))
        connection.close(graceful=True)

    def _close_idle(self, expired_by: float) -> None:
        """Close the kept-alive connections (not being served) whose keep-alive ran out by then."""
        with self.table_lock:
            expired = [descriptor for descriptor, connection in self.connections.items()
                       if descriptor not in self.in_service and connection.timeout <= expired_by]
            closing = [self.connections.pop(descriptor) for descriptor in expired]
            for descriptor in expired:
                self.epoll.unregister(descriptor)
            WORKER_LOADS.publish(self.slot, len(self.connections))
        for connection in closing:
            connection.close()
