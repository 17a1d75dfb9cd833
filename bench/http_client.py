"""A lean HTTP/1.1 keep-alive client on asyncio streams, so a load test measures the server, not the client.

Fifty `requests` sessions in threads cost about as much CPU per request as the
server does; on a 2-core machine that would halve what the server can show.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import orjson


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes

    def json(self) -> object:
        return orjson.loads(self.body)


class Connection:
    """One kept-alive connection to 127.0.0.1, reopened when the server has closed it."""

    def __init__(self, port: int, token: str) -> None:
        self.port = port
        self.headers = f"Host: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\n"
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, body: object | None = None) -> Reply:
        payload = b"" if body is None else orjson.dumps(body)
        head = f"{method} {path} HTTP/1.1\r\n{self.headers}Content-Length: {len(payload)}\r\n"
        if body is not None:
            head += "Content-Type: application/json\r\n"
        message = head.encode() + b"\r\n" + payload
        reused = self.writer is not None
        try:
            return await self._exchange(message)
        except (ConnectionError, asyncio.IncompleteReadError) as error:
            await self.close()
            # A kept-alive connection the server closed while idle never saw the request: send it again once.
            if reused and isinstance(error, asyncio.IncompleteReadError) and not error.partial:
                return await self._exchange(message)
            raise

    async def _exchange(self, message: bytes) -> Reply:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        self.writer.write(message)
        await self.writer.drain()
        head = await self.reader.readuntil(b"\r\n\r\n")  # one read for the whole head, not one per line
        status_line, *header_lines = head[:-4].split(b"\r\n")
        length, close = 0, False
        for line in header_lines:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"connection" and value.strip().lower() == b"close":
                close = True
        body = await self.reader.readexactly(length)
        if close:
            await self.close()
        return Reply(int(status_line.split()[1]), body)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except ConnectionError:
                pass
        self.reader = self.writer = None
