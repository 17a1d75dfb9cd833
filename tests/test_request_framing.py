"""Where a request ends (annotator.serving.framing): fed bytes as a network delivers them."""

from __future__ import annotations

import pytest

from annotator.serving.framing import ReadLimits, Refusal, RequestArrival

LIMITS = ReadLimits(max_body_bytes=10_000, max_head_bytes=2_000, spool_bytes=100)


def arrival_of(*pieces: bytes, limits: ReadLimits = LIMITS) -> RequestArrival:
    arrival = RequestArrival(limits)
    for piece in pieces:
        arrival.feed(piece, now=0.0)
    return arrival


def request_bytes(arrival: RequestArrival) -> bytes:
    taken = arrival.take()
    try:
        return b"".join(taken.chunks())
    finally:
        taken.close()


def test_a_request_without_a_body_is_complete_at_its_blank_line() -> None:
    arrival = arrival_of(b"GET / HTTP/1.1\r\nHost: x\r\n", b"\r\n")
    assert arrival.complete
    assert request_bytes(arrival) == b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"


def test_a_body_is_awaited_to_its_last_byte_however_it_is_cut() -> None:
    arrival = arrival_of(b"POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\nhello")
    assert not arrival.complete
    arrival.feed(b" world", now=1.0)
    assert request_bytes(arrival).endswith(b"\r\n\r\nhello world")


def test_pipelined_requests_are_taken_one_at_a_time() -> None:
    arrival = arrival_of(b"GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\nGET /c")
    assert request_bytes(arrival).startswith(b"GET /a")
    arrival.feed(b"", now=0.0)
    assert request_bytes(arrival).startswith(b"GET /b")
    arrival.feed(b"", now=0.0)
    assert not arrival.complete and arrival.holds_bytes


def test_a_chunked_body_ends_after_its_last_chunk_and_trailers() -> None:
    arrival = arrival_of(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n", b"0\r\nX-Check: 1\r\n")
    assert not arrival.complete
    arrival.feed(b"\r\nGET /next HTTP/1.1\r\n\r\n", now=0.0)
    assert request_bytes(arrival).endswith(b"5\r\nhello\r\n0\r\nX-Check: 1\r\n\r\n")


def test_a_body_past_the_spool_size_is_kept_in_a_file_and_given_back_whole() -> None:
    body = bytes(range(256)) * 4
    arrival = arrival_of(f"PUT / HTTP/1.1\r\nContent-Length: {len(body)}\r\n\r\n".encode(), body[:300], body[300:])
    assert request_bytes(arrival).endswith(body)


def test_an_expected_continue_is_answered_by_the_worker_and_not_passed_on() -> None:
    arrival = arrival_of(b"PUT / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n")
    assert arrival.expects_continue
    arrival.feed(b"ok", now=0.0)
    assert request_bytes(arrival) == b"PUT / HTTP/1.1\r\nContent-Length: 2\r\n\r\nok"


@pytest.mark.parametrize(("head", "status"), [
    (b"POST / HTTP/1.1\r\nContent-Length: 10001\r\n\r\n", 413),
    (b"POST / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
    (b"POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", 400),
    (b"POST / HTTP/1.1\r\nContent-Length: -5\r\n\r\n", 400),
    (b"POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501),
    (b"GET / HTTP/1.1\r\nX-Big: " + b"a" * 3000, 431),
])
def test_a_request_that_cannot_be_framed_safely_is_refused(head: bytes, status: int) -> None:
    with pytest.raises(Refusal) as refused:
        arrival_of(head)
    assert refused.value.status == status


def test_a_malformed_chunk_size_is_refused() -> None:
    with pytest.raises(Refusal) as refused:
        arrival_of(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")
    assert refused.value.status == 400


def test_deadlines_run_from_the_first_byte_and_grow_with_the_body_received() -> None:
    limits = ReadLimits(max_body_bytes=100_000, head_seconds=20, body_seconds=20, body_bytes_per_second=500)
    arrival = RequestArrival(limits)
    assert arrival.deadline() is None  # idle: the keep-alive timeout applies instead
    arrival.feed(b"POST / HTTP/1.1\r\n", now=100.0)
    assert arrival.deadline() == 120.0
    arrival.feed(b"Content-Length: 5000\r\n\r\n", now=105.0)
    assert arrival.deadline() == 125.0
    arrival.feed(b"x" * 1000, now=110.0)
    assert arrival.deadline() == 127.0


def test_blank_lines_before_a_request_are_ignored() -> None:
    arrival = arrival_of(b"\r\n\r\nGET / HTTP/1.1\r\n\r\n")
    assert request_bytes(arrival) == b"GET / HTTP/1.1\r\n\r\n"
