"""Saves while a large import runs: 16 annotators save without pause while 100,000 articles are
imported (target: the saves' p99 under 250 ms, no 5xx).

    python -m bench.import_during_saves [--articles 100000] [--annotators 16] [--api] [--postgres]

`annotator serve` (one worker per core, 2 threads each) runs on 127.0.0.1. Each annotator takes an
article and saves labels on it again and again, each save a new revision on the last. Meanwhile
`annotator import` brings in the articles (about 4.5 KB each) as its own process, the way a pipeline
would; with --api they go through the server instead, in uploads of at most 40 MB sent one after
another. The saves' latencies are counted while the import runs.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import orjson
import requests

from annotator.auth.membership import set_member
from annotator.auth.service import create_token
from annotator.ingest.models import ArticleRecord
from annotator.ingest.readers import ReadRecord
from annotator.ingest.store import import_records
from annotator.labelschema import load_schema
from annotator.projects.service import create_project
from annotator.serve import DEFAULT_WORKERS
from annotator.shipped import default_schema_path
from annotator.storage import Database
from annotator.storage.migrate import upgrade_to_head
from annotator.storage.tables import User
from bench.floor import bench_place, percentile, throwaway_database
from bench.http_client import Connection
from bench.workload import article_text
from tests.processes import AppProcess

UPLOAD_BYTES = 40 * 1024 * 1024


def build(db: Database, annotators: int) -> tuple[int, list[str], str]:
    """A project with an article for each annotator, their tokens, and a lead's token."""
    with db.session(write=True) as session:
        project = create_project(session, "busy", load_schema(default_schema_path()), overlap=1)
        users = [User(name=f"saver{i}", password_hash="!", role="annotator") for i in range(annotators)]
        lead = User(name="importer", password_hash="!", role="lead")
        session.add_all([*users, lead])
        session.flush()
        tokens = [create_token(session, user) for user in users]
        for user in users:
            set_member(session, project.id, user, "annotator")
        set_member(session, project.id, lead, "lead")
        lead_token = create_token(session, lead)
        session.commit()
        records = (ReadRecord(source="bench", line=i, record=ArticleRecord(text=f"Article {i} for saving, about talks."))
                   for i in range(annotators))
        import_records(session, project.id, records)
        return project.id, tokens, lead_token


def write_articles(path: Path, count: int) -> None:
    rng = random.Random(9)
    with path.open("wb") as stream:
        for i in range(count):
            record = {"id": f"a{i}", "title": f"Article {i}", "text": article_text(rng, 4_500) + f" #{i}", "outlet": "Reuters"}
            stream.write(orjson.dumps(record, option=orjson.OPT_APPEND_NEWLINE))


def uploads(path: Path) -> Iterator[bytes]:
    """The JSONL file in pieces of whole lines, each under the upload limit."""
    piece: list[bytes] = []
    size = 0
    with path.open("rb") as stream:
        for line in stream:
            if size + len(line) > UPLOAD_BYTES:
                yield b"".join(piece)
                piece, size = [], 0
            piece.append(line)
            size += len(line)
    if piece:
        yield b"".join(piece)


class Saver:
    """One annotator saving again and again, the latencies kept while the import runs."""

    def __init__(self, port: int, token: str, project_id: int, importing: threading.Event, stop: threading.Event) -> None:
        self.connection = Connection(port, token)
        self.project_id, self.importing, self.stop = project_id, importing, stop
        self.latency: list[float] = []
        self.errors: list[str] = []

    async def run(self) -> None:
        claimed = await self.connection.request("POST", f"/api/v1/projects/{self.project_id}/next")
        article_id = claimed.json()["article"]["id"]  # type: ignore[index]
        revision, number = None, 0
        while not self.stop.is_set():
            number += 1
            body = {"base_revision": revision, "statements": [], "article": {"relevant": True, "outlet": None, "note": f"save {number}"}}
            started = time.perf_counter()
            try:
                reply = await self.connection.request("PUT", f"/api/v1/articles/{article_id}/annotation", body)
            except (OSError, asyncio.IncompleteReadError) as error:
                self.errors.append(repr(error))
                continue
            if self.importing.is_set():
                self.latency.append(time.perf_counter() - started)
                if reply.status >= 400:
                    self.errors.append(f"{reply.status} {reply.body[:120]!r}")
            if reply.status == 200:
                revision = reply.json()["revision"]  # type: ignore[index]
        await self.connection.close()


def run_import(args: argparse.Namespace, source: Path, env: dict[str, str], server: AppProcess, project_id: int, lead_token: str) -> str:
    """The import, by command or through the API; its summary line."""
    if not args.api:
        result = subprocess.run([sys.executable, "-m", "annotator", "import", "busy", str(source)],
                                check=True, env=env, capture_output=True, text=True)
        return result.stdout.strip().splitlines()[0]
    imported = 0
    with requests.Session() as http:
        http.headers.update({"Authorization": f"Bearer {lead_token}", "Content-Type": "application/x-ndjson"})
        for body in uploads(source):
            reply = http.post(f"{server.url}/api/v1/projects/{project_id}/articles", data=body, timeout=600)
            reply.raise_for_status()
            imported += reply.json()["imported"]
    return f"imported {imported} through the API"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--annotators", type=int, default=16)
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS)
    parser.add_argument("--api", action="store_true", help="import through the API instead of `annotator import`")
    parser.add_argument("--postgres", action="store_true", help="a throwaway PostgreSQL on 127.0.0.1 (fsync on)")
    args = parser.parse_args()
    with bench_place(args.postgres) as (folder, postgres):
        url = throwaway_database(folder, postgres, "busy")
        db = Database(url)
        upgrade_to_head(db)
        project_id, tokens, lead_token = build(db, args.annotators)
        db.dispose()
        source = Path(folder) / "articles.jsonl"
        write_articles(source, args.articles)
        env = {**os.environ, "ANNOTATOR_DATABASE_URL": url}
        server = AppProcess(url, Path(folder), workers=args.workers, threads=2)
        server.start()
        importing, stop = threading.Event(), threading.Event()
        savers = [Saver(server.port, token, project_id, importing, stop) for token in tokens]
        clients = threading.Thread(target=lambda: asyncio.run(_all(savers)))
        try:
            clients.start()
            time.sleep(3)  # the savers are under way before the import starts
            importing.set()
            started = time.perf_counter()
            summary = run_import(args, source, env, server, project_id, lead_token)
            elapsed = time.perf_counter() - started
            importing.clear()
        finally:
            stop.set()
            clients.join(timeout=60)
            server.stop()
    latency = [value for saver in savers for value in saver.latency]
    errors = [error for saver in savers for error in saver.errors]
    server_errors = sum(1 for error in errors if error[:1] == "5")
    print(summary)
    print(f"{'PostgreSQL' if postgres else 'SQLite'}, import of {args.articles:,} articles "
          f"({'API' if args.api else 'annotator import'}): {elapsed:.1f} s")
    print(f"saves during the import, {args.annotators} annotators that never pause: {len(latency):,} saves "
          f"({len(latency) / elapsed:.0f}/s), p50 {percentile(latency, 0.5):.1f} ms, p99 {percentile(latency, 0.99):.1f} ms, "
          f"max {percentile(latency, 1.0):.1f} ms; errors {len(errors)} ({server_errors} 5xx) (target p99 < 250 ms, no 5xx)")
    if errors:
        print("first errors:", *errors[:3], sep="\n  ")


async def _all(savers: list[Saver]) -> None:
    await asyncio.gather(*(saver.run() for saver in savers))


if __name__ == "__main__":
    main()
