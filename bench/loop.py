"""The annotator loop under load: M annotators repeat next -> read -> save against `annotator serve`.

    python -m bench.loop [--annotators 50] [--seconds 60] [--articles 30000] [--postgres]

Targets on the 2-core machine: p99 under 50 ms per request type and zero
errors. Latencies are measured by the clients (on the same machine), so they
include the client's own overhead. At the end every acknowledged save is
looked up in the database and compared with what was sent.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import select

from annotator.auth.service import create_token
from annotator.ingest.readers import ReadRecord
from annotator.ingest.models import ArticleRecord
from annotator.ingest.store import import_records
from annotator.labelschema import load_schema
from annotator.projects.service import create_project
from annotator.shipped import default_schema_path
from annotator.storage import Database
from annotator.storage.migrate import upgrade_to_head
from annotator.storage.tables import AnnotationRevision, User
from bench.workload import Workload, article_text, labels_for
from tests.postgres import PostgresServer
from tests.processes import AppProcess


def build(db: Database, articles: int, annotators: int) -> tuple[int, list[str]]:
    rng = random.Random(3)
    schema = load_schema(default_schema_path())
    with db.session(write=True) as session:
        project = create_project(session, "load", schema, overlap=3)
        users = [User(name=f"annotator{i}", password_hash="!", role="annotator") for i in range(annotators)]
        session.add_all(users)
        session.flush()
        tokens = [create_token(session, user) for user in users]
        session.commit()
        records = (ReadRecord(source="bench", line=i, record=ArticleRecord(text=article_text(rng, 4_500) + f" #{i}"))
                   for i in range(articles))
        import_records(session, project.id, records)
        return project.id, tokens


class Client(threading.Thread):
    def __init__(self, base: str, token: str, project_id: int, until: float) -> None:
        super().__init__(daemon=True)
        self.base, self.project_id, self.until = base, project_id, until
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []
        self.acknowledged: list[tuple[int, dict[str, Any]]] = []
        self.rng = random.Random(token)
        self.schema = load_schema(default_schema_path())

    def timed(self, kind: str, method: str, path: str, **kwargs: Any) -> requests.Response | None:
        started = time.perf_counter()
        try:
            response = self.http.request(method, self.base + path, timeout=30, **kwargs)
        except requests.RequestException as error:
            self.errors.append(f"{kind}: {error}")
            return None
        self.latency[kind].append(time.perf_counter() - started)
        if response.status_code >= 400:
            self.errors.append(f"{kind}: {response.status_code} {response.text[:120]}")
            return None
        return response

    def run(self) -> None:
        while time.monotonic() < self.until:
            answer = self.timed("next", "POST", f"/api/v1/projects/{self.project_id}/next")
            if answer is None or answer.json()["article"] is None:
                return
            article_id = answer.json()["article"]["id"]
            article = self.timed("read", "GET", f"/api/v1/articles/{article_id}")
            if article is None:
                return
            content = labels_for(self.rng, article.json()["text"], self.schema, Workload(1, 1, 4))[0]
            saved = self.timed("save", "PUT", f"/api/v1/articles/{article_id}/annotation",
                               json={"base_revision": None, "seconds_spent": 42.0, **content})
            if saved is not None:
                self.acknowledged.append((saved.json()["revision"], content))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--annotators", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--articles", type=int, default=30_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--postgres", action="store_true", help="run against a throwaway PostgreSQL on 127.0.0.1")
    args = parser.parse_args()
    postgres = PostgresServer() if args.postgres else None
    with tempfile.TemporaryDirectory() as folder:
        if postgres:
            postgres.start()
            postgres.admin("CREATE DATABASE bench")
        url = postgres.url("bench") if postgres else f"sqlite:///{Path(folder) / 'bench.db'}"
        try:
            db = Database(url)
            upgrade_to_head(db)
            started = time.perf_counter()
            project_id, tokens = build(db, args.articles, args.annotators)
            print(f"workload: {args.articles} articles, {args.annotators} annotators, built in {time.perf_counter() - started:.0f} s")
            server = AppProcess(url, Path(folder), workers=args.workers)
            server.start()
            try:
                base = server.url
                until = time.monotonic() + args.seconds
                clients = [Client(base, token, project_id, until) for token in tokens]
                started = time.perf_counter()
                for client in clients:
                    client.start()
                for client in clients:
                    client.join()
                elapsed = time.perf_counter() - started
            finally:
                server.stop()
            report(db, clients, elapsed, "PostgreSQL" if postgres else "SQLite", args)
            db.dispose()
        finally:
            if postgres:
                postgres.stop()


def report(db: Database, clients: list[Client], elapsed: float, backend: str, args: argparse.Namespace) -> None:
    latency: dict[str, list[float]] = defaultdict(list)
    for client in clients:
        for kind, values in client.latency.items():
            latency[kind].extend(values)
    errors = [e for c in clients for e in c.errors]
    acknowledged = [a for c in clients for a in c.acknowledged]
    with db.session() as session:
        stored = dict(session.execute(
            select(AnnotationRevision.id, AnnotationRevision.content)
            .where(AnnotationRevision.id.in_([r for r, _ in acknowledged]))).all())
    intact = sum(1 for revision, content in acknowledged if stored.get(revision, {}).get("statements") == content["statements"])
    for kind in ("next", "read", "save"):
        values = latency[kind]
        print(f"{kind:5} {len(values):7d} requests  p50 {percentile(values, 0.5):6.1f} ms  p99 {percentile(values, 0.99):6.1f} ms"
              f"  mean {statistics.mean(values) * 1000:6.1f} ms")
    if errors:
        print("first errors:", *errors[:3], sep="\n  ")
    print(f"stored equals acknowledged: {intact} of {len(acknowledged)} saves")
    total = sum(len(v) for v in latency.values())
    worst_p99 = max(percentile(v, 0.99) for v in latency.values())
    print(f"{backend}, {args.annotators} annotators, {args.workers} workers, {elapsed:.0f} s: {len(acknowledged) / elapsed:.0f} saves/s, "
          f"{total / elapsed:.0f} requests/s, worst p99 {worst_p99:.1f} ms, errors {len(errors)}")


if __name__ == "__main__":
    main()
