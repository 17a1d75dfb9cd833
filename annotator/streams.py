"""Reading uploads as they come: lines with their numbers, and a stream whose first bytes were read ahead."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import IO

BOM = b"\xef\xbb\xbf"
BLANKS = b" \t\r\n"


class ReadAhead:
    """Bytes already read from a stream, put back before the rest of it."""

    def __init__(self, stream: IO[bytes], ahead: bytes) -> None:
        self._stream = stream
        self._ahead = ahead

    def __iter__(self) -> Iterator[bytes]:
        """Line by line, as a file is read (the bytes read ahead are whole lines)."""
        if self._ahead:
            ahead, self._ahead = self._ahead, b""
            yield from ahead.splitlines(keepends=True)
        yield from self._stream

    def read(self, size: int = -1) -> bytes:
        if not self._ahead:
            return self._stream.read(size)
        if size < 0:
            data, self._ahead = self._ahead + self._stream.read(), b""
            return data
        data, self._ahead = self._ahead[:size], self._ahead[size:]
        return data


def first_byte(stream: IO[bytes]) -> tuple[bytes, ReadAhead]:
    """The first byte that is not a byte-order mark or white space (b"" for none), and the stream
    to read from the start, the mark left out."""
    ahead = stream.read(4096)
    while ahead.removeprefix(BOM).lstrip(BLANKS) == b"" and (more := stream.read(4096)):
        ahead += more
    ahead = ahead.removeprefix(BOM)
    return ahead.lstrip(BLANKS)[:1], ReadAhead(stream, ahead)


def numbered_lines(stream: Iterable[bytes]) -> Iterator[tuple[int, bytes]]:
    """The lines of a stream that hold anything, with their numbers; a byte-order mark before the
    first line is dropped (Excel and Notepad write one, and it made the first record unreadable)."""
    for number, line in enumerate(stream, start=1):
        if number == 1:
            line = line.removeprefix(BOM)
        if line.strip():
            yield number, line
