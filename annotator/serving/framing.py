"""Where an HTTP/1.1 request ends, found in its bytes as they arrive.

The serving worker reads every connection without blocking and hands a request to a thread
only once the whole of it is here (RequestArrival). A client that sends its headers or its
body slowly, or stops half-way, then costs a buffer and never a thread; the deadlines here say
when it has taken too long. This module knows nothing of sockets or gunicorn: it is fed bytes
and a clock.

Only the framing is read here (Content-Length, Transfer-Encoding, Expect). gunicorn's parser
reads the whole request afterwards, and refuses what is malformed in any other way.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from typing import IO, NamedTuple

from pydantic import BaseModel, ConfigDict, Field

END_OF_HEAD = b"\r\n\r\n"
CHUNK_SIZE_LINE = re.compile(rb"[0-9A-Fa-f]{1,16}(?:[ \t]*;[^\r\n]*)?")
MAX_CHUNK_LINE_BYTES = 4096
READ_CHUNK_BYTES = 64 * 1024


class ReadLimits(BaseModel):
    """How much a request may hold, and how long its parts may take to arrive.

    The deadlines follow Apache's mod_reqtimeout defaults: a head gets 20 s, a body 20 s
    and one more second for every 500 bytes received, so a slow phone upload that keeps
    moving finishes, and a client that trickles bytes to hold a connection is closed.
    """

    model_config = ConfigDict(frozen=True)

    max_body_bytes: int = Field(gt=0, description="A larger body is refused with 413 before it is read")
    max_head_bytes: int = Field(default=64 * 1024, gt=0, description="Request line and headers; more is a 431")
    head_seconds: float = Field(default=20.0, gt=0, description="From a request's first byte to its blank line")
    body_seconds: float = Field(default=20.0, gt=0, description="For the body, before the allowance for bytes received")
    body_bytes_per_second: float = Field(default=500.0, gt=0, description="Each this many bytes add a second")
    max_body_seconds: float = Field(default=900.0, gt=0, description="However steadily the body arrives")
    spool_bytes: int = Field(default=1024 * 1024, gt=0, description="A larger body waits in a temporary file")


class Refusal(Exception):
    """The request cannot be served: answer with this status and close the connection."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class ArrivedRequest:
    """One whole request: its head (request line and headers) and its body as sent."""

    def __init__(self, head: bytes, body: bytes | IO[bytes]) -> None:
        self.head = head
        self._body = body

    def chunks(self) -> Iterator[bytes]:
        """The request's bytes in order, for a parser to read."""
        yield self.head
        if isinstance(self._body, bytes):
            if self._body:
                yield self._body
            return
        self._body.seek(0)
        while chunk := self._body.read(READ_CHUNK_BYTES):
            yield chunk

    def close(self) -> None:
        if not isinstance(self._body, bytes):
            self._body.close()


class _Body:
    """A body as it arrives: in memory, or in a temporary file once it passes the spool size."""

    def __init__(self, spool_bytes: int) -> None:
        self._spool_bytes = spool_bytes
        self._memory = bytearray()
        self._file: IO[bytes] | None = None

    def write(self, data: bytes | memoryview) -> None:
        if self._file is None and len(self._memory) + len(data) > self._spool_bytes:
            self._file = tempfile.TemporaryFile()
            self._file.write(self._memory)
            self._memory = bytearray()
        if self._file is not None:
            self._file.write(data)
        else:
            self._memory += data

    def finish(self) -> bytes | IO[bytes]:
        return self._file if self._file is not None else bytes(self._memory)

    def discard(self) -> None:
        if self._file is not None:
            self._file.close()


class _ChunkedBody:
    """Follows a chunked body's framing to its end; the bytes themselves are kept as sent."""

    def __init__(self, max_bytes: int) -> None:
        self._max_bytes = max_bytes
        self.decoded = 0
        self._line = bytearray()
        self._data_left = 0  # bytes of the current chunk's data and its CRLF still to come
        self._in_trailers = False
        self.done = False

    def consume(self, data: memoryview) -> int:
        """How many of these bytes belong to the body (all of them, unless it ends among them)."""
        at = 0
        while at < len(data) and not self.done:
            if self._data_left:
                step = min(self._data_left, len(data) - at)
                self._data_left -= step
                at += step
                continue
            end = bytes(data[at:at + MAX_CHUNK_LINE_BYTES + 2]).find(b"\n")
            if end < 0:
                self._line += data[at:]
                at = len(data)
            else:
                self._line += data[at:at + end + 1]
                at += end + 1
                self._end_of_line(bytes(self._line).rstrip(b"\r\n"))
                self._line.clear()
            if len(self._line) > MAX_CHUNK_LINE_BYTES:
                raise Refusal(400, "bad_request", "a chunk-size or trailer line of the request body is too long")
        return at

    def _end_of_line(self, line: bytes) -> None:
        if self._in_trailers:
            self.done = not line
            return
        if not CHUNK_SIZE_LINE.fullmatch(line):
            raise Refusal(400, "bad_request", "the request body's chunked framing is malformed")
        size = int(line.split(b";")[0].strip(), 16)
        self.decoded += size
        if self.decoded > self._max_bytes:
            raise _too_large(self.decoded, self._max_bytes)
        if size == 0:
            self._in_trailers = True
        else:
            self._data_left = size + 2


class RequestArrival:
    """The bytes of one connection, gathered until a whole request is here.

    `feed` takes bytes as they come; `complete` says a request is whole, and `take` hands it
    over and keeps whatever came after it (a pipelined next request). Refusal is raised for
    a request that must not be served; the connection is then closed.
    """

    def __init__(self, limits: ReadLimits) -> None:
        self.limits = limits
        self._pending = bytearray()  # received, not yet part of a finished head or body
        self._reset()

    def _reset(self) -> None:
        self._head: bytes | None = None
        self._body: _Body | None = None
        self._length_left = 0
        self._chunked: _ChunkedBody | None = None
        self._received_body = 0
        self._started_at: float | None = None
        self._body_started_at = 0.0
        self.expects_continue = False  # the client waits for "100 Continue" before it sends the body

    @property
    def started(self) -> bool:
        """Part of a request has arrived (so the connection is not idle)."""
        return self._started_at is not None

    @property
    def holds_bytes(self) -> bool:
        """Bytes of a next request have arrived, whole or not."""
        return self.started or bool(self._pending)

    @property
    def complete(self) -> bool:
        return self._head is not None and self._length_left == 0 and (self._chunked is None or self._chunked.done)

    def deadline(self) -> float | None:
        """When the request under way has taken too long (None: none is under way)."""
        if self._started_at is None:
            return None
        if self._head is None:
            return self._started_at + self.limits.head_seconds
        allowance = self.limits.body_seconds + self._received_body / self.limits.body_bytes_per_second
        return self._body_started_at + min(allowance, self.limits.max_body_seconds)

    def feed(self, data: bytes, now: float) -> None:
        """Take bytes received (none: go on with those left after the request last taken)."""
        self._pending += data
        if not self._pending or self.complete:
            return
        if self._started_at is None:
            self._started_at = now
        self._advance(now)

    def take(self) -> ArrivedRequest:
        """The whole request that has arrived. The bytes after it wait for the next `feed`."""
        assert self.complete and self._head is not None and self._body is not None
        arrived = ArrivedRequest(self._head, self._body.finish())
        self._reset()
        return arrived

    def discard(self) -> None:
        """Drop what has arrived (the connection is closing)."""
        if self._body is not None:
            self._body.discard()
        self._pending.clear()
        self._reset()

    def _advance(self, now: float) -> None:
        if self._head is None:
            self._read_head(now)
        if self._head is not None and not self.complete and self._pending:
            self._read_body()

    def _read_head(self, now: float) -> None:
        if self._pending.startswith(b"\r\n"):
            # Blank lines before a request line are allowed, and ignored (RFC 9112, 2.2).
            del self._pending[:len(self._pending) - len(self._pending.lstrip(b"\r\n"))]
            if not self._pending:
                self._started_at = None
                return
        end = self._pending.find(END_OF_HEAD)
        if end < 0:
            if len(self._pending) > self.limits.max_head_bytes:
                raise Refusal(431, "request_header_fields_too_large",
                              f"the request line and headers exceed {self.limits.max_head_bytes} bytes")
            return
        if end + len(END_OF_HEAD) > self.limits.max_head_bytes:
            raise Refusal(431, "request_header_fields_too_large",
                          f"the request line and headers exceed {self.limits.max_head_bytes} bytes")
        head = bytes(self._pending[:end + len(END_OF_HEAD)])
        del self._pending[:end + len(END_OF_HEAD)]
        framing = _Framing.of(head, self.limits.max_body_bytes)
        self._head = framing.head
        self.expects_continue = framing.expects_continue
        self._length_left = framing.length
        self._chunked = _ChunkedBody(self.limits.max_body_bytes) if framing.chunked else None
        self._body = _Body(self.limits.spool_bytes)
        self._body_started_at = now

    def _read_body(self) -> None:
        assert self._body is not None
        with memoryview(self._pending) as view:
            if self._chunked is not None:
                taken = self._chunked.consume(view)
            else:
                taken = min(self._length_left, len(view))
                self._length_left -= taken
            self._body.write(view[:taken])
        self._received_body += taken
        del self._pending[:taken]


class _Framing(NamedTuple):
    """What a request's head says about the body after it."""

    head: bytes  # as received, less an Expect: 100-continue that the worker answers itself
    length: int = 0
    chunked: bool = False
    expects_continue: bool = False

    @classmethod
    def of(cls, head: bytes, max_body_bytes: int) -> _Framing:
        lengths: set[bytes] = set()
        codings: list[bytes] = []
        expect_line: bytes | None = None
        for line in head.split(b"\r\n")[1:]:
            name, colon, value = line.partition(b":")
            if not colon:
                continue  # not a header: gunicorn's parser refuses it
            key = name.lower()
            if key == b"content-length":
                lengths.add(value.strip())
            elif key == b"transfer-encoding":
                codings += [coding.strip().lower() for coding in value.split(b",")]
            elif key == b"expect" and value.strip().lower() == b"100-continue":
                expect_line = line + b"\r\n"
        if codings and lengths:
            raise Refusal(400, "bad_request", "a request may not have both Content-Length and Transfer-Encoding")
        if codings:
            if codings != [b"chunked"]:
                raise Refusal(501, "not_implemented", "the only Transfer-Encoding accepted is chunked")
            return cls(head=_without(head, expect_line), chunked=True, expects_continue=expect_line is not None)
        if len(lengths) > 1 or any(not value.isdigit() for value in lengths):
            raise Refusal(400, "bad_request", "the request's Content-Length is not one whole number")
        length = int(lengths.pop()) if lengths else 0
        if length > max_body_bytes:
            raise _too_large(length, max_body_bytes)
        expects = expect_line is not None and length > 0
        return cls(head=_without(head, expect_line if expects else None), length=length, expects_continue=expects)


def _without(head: bytes, line: bytes | None) -> bytes:
    return head if line is None else head.replace(line, b"", 1)


def _too_large(size: int, limit: int) -> Refusal:
    return Refusal(413, "request_entity_too_large",
                   f"the request body has {size} bytes; the server takes at most {limit}")
