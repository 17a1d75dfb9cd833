"""The floor: the least a Python server on this machine can do for a durable save.

A bare WSGI app that parses the save body as JSON, inserts one row and commits,
with the annotator's durability (SQLite: WAL, synchronous=FULL; PostgreSQL: fsync on),
under gunicorn with the same settings as `annotator serve`. Run by bench/floor.py:

    python -m bench.floor_app PORT DATABASE_URL WORKERS THREADS
"""

from __future__ import annotations

import sqlite3
import sys
import threading
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

import orjson

from annotator.serving import GunicornServer, gunicorn_options
from annotator.serving.framing import ReadLimits
from annotator.settings import Settings

CREATE = "CREATE TABLE IF NOT EXISTS saves (id INTEGER PRIMARY KEY, content TEXT NOT NULL)"
PG_CREATE = "CREATE TABLE IF NOT EXISTS saves (id SERIAL PRIMARY KEY, content TEXT NOT NULL)"


def sqlite_connection(path: str) -> Any:
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute("PRAGMA busy_timeout=10000")
    return connection


def floor_app(url: str) -> Callable[..., Iterable[bytes]]:
    local = threading.local()
    postgres = url.startswith("postgresql")

    def connection() -> Any:
        if not hasattr(local, "connection"):
            if postgres:
                import psycopg  # noqa: PLC0415

                local.connection = psycopg.connect(url.replace("postgresql+psycopg", "postgresql"))
            else:
                local.connection = sqlite_connection(url.removeprefix("sqlite:///"))
        return local.connection

    def save(body: bytes) -> int:
        content = orjson.dumps(orjson.loads(body)).decode()  # parsed and written back, as a save is
        db = connection()
        if postgres:
            with db.transaction():
                return int(db.execute("INSERT INTO saves (content) VALUES (%s) RETURNING id", (content,)).fetchone()[0])
        db.execute("BEGIN IMMEDIATE")
        try:
            row = db.execute("INSERT INTO saves (content) VALUES (?) RETURNING id", (content,)).fetchone()
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return int(row[0])

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        reply = orjson.dumps({"revision": save(body)})
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(reply)))])
        return [reply]

    return app


def prepare(url: str) -> None:
    if url.startswith("postgresql"):
        import psycopg  # noqa: PLC0415

        with psycopg.connect(url.replace("postgresql+psycopg", "postgresql"), autocommit=True) as db:
            db.execute(PG_CREATE)
    else:
        sqlite_connection(url.removeprefix("sqlite:///")).execute(CREATE)


if __name__ == "__main__":
    port, url, workers, threads = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    prepare(url)
    options = gunicorn_options(bind=f"127.0.0.1:{port}", workers=workers, threads=threads)
    GunicornServer(partial(floor_app, url), options, ReadLimits(max_body_bytes=Settings().max_upload_bytes)).run()
