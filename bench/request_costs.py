"""Server time of next, read and save, in process: the app called as WSGI, no HTTP and no other load.

    python -m bench.request_costs [--cycles 600] [--articles 30000] [--annotators 4] [--postgres [--statement-costs]]

Builds bench.loop's workload in a fresh SQLite file (or a throwaway PostgreSQL on 127.0.0.1), warms up with 200 cycles of
next -> read -> save (each worker compiles its queries on first use), then times
--cycles more and prints the mean milliseconds per request of each kind. This is
what one request costs the server before gunicorn and the network add theirs. The
processor time of the app alone (the database server's is not counted) comes last:
on PostgreSQL the difference is the time spent waiting for the database.
--statement-costs adds what the measured cycles' statements cost PostgreSQL itself
(pg_stat_statements), the costliest first.
"""

from __future__ import annotations

import argparse
import io
import random
import time
from pathlib import Path
from typing import Any

import orjson
import psycopg

from annotator.app import create_app
from annotator.labelschema import load_schema
from annotator.settings import Settings
from annotator.shipped import default_schema_path
from annotator.storage import Database
from annotator.storage.migrate import upgrade_to_head
from bench.floor import bench_place, throwaway_database
from bench.loop import build
from bench.workload import LabelChoices, Workload, labels_for
from tests.postgres import PostgresServer

WARMUP_CYCLES = 200


class InProcessClient:
    """Calls the WSGI app directly with a bearer token, as the loop's HTTP client would."""

    def __init__(self, app: Any, token: str) -> None:
        self.app, self.token = app, token

    def call(self, method: str, path: str, body: object | None = None) -> Any:
        payload = b"" if body is None else orjson.dumps(body)
        environ = {
            "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http", "REMOTE_ADDR": "127.0.0.1",
            "wsgi.input": io.BytesIO(payload), "CONTENT_LENGTH": str(len(payload)), "HTTP_HOST": "127.0.0.1",
            "HTTP_AUTHORIZATION": f"Bearer {self.token}", "CONTENT_TYPE": "application/json",
        }
        status: list[str] = []
        reply = b"".join(self.app(environ, lambda line, headers, exc_info=None: status.append(line)))
        if not status[0].startswith("200"):
            raise RuntimeError(f"{method} {path}: {status[0]} {reply[:200]!r}")
        return orjson.loads(reply)


def cycle(client: InProcessClient, project_id: int, choices: LabelChoices, rng: random.Random, spent: dict[str, float]) -> None:
    started = time.perf_counter()
    article = client.call("POST", f"/api/v1/projects/{project_id}/next")["article"]
    spent["next"] += time.perf_counter() - started
    started = time.perf_counter()
    text = client.call("GET", f"/api/v1/articles/{article['id']}")["text"]
    spent["read"] += time.perf_counter() - started
    content = labels_for(rng, text, choices, Workload(1, 1, 4))[0]
    started = time.perf_counter()
    client.call("PUT", f"/api/v1/articles/{article['id']}/annotation", {"base_revision": None, "seconds_spent": 42.0, **content})
    spent["save"] += time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=600)
    parser.add_argument("--articles", type=int, default=30_000)
    parser.add_argument("--annotators", type=int, default=4)
    parser.add_argument("--postgres", action="store_true", help="on a throwaway PostgreSQL on 127.0.0.1 (default SQLite)")
    parser.add_argument("--statement-costs", action="store_true", help="with --postgres: each statement's cost to PostgreSQL")
    args = parser.parse_args()
    if args.statement_costs and not args.postgres:
        parser.error("--statement-costs needs --postgres")
    with bench_place(args.postgres) as (folder, postgres):
        if postgres is not None and args.statement_costs:
            _count_statements(postgres)
        url = throwaway_database(folder, postgres, "costs")
        db = Database(url)
        upgrade_to_head(db)
        project_id, tokens = build(db, args.articles, args.annotators)
        app = create_app(Settings(data_dir=Path(folder), database_url=url, secret_key="bench"), db)
        clients = [InProcessClient(app, token) for token in tokens]
        rng, choices = random.Random(1), LabelChoices.of(load_schema(default_schema_path()))
        spent = {"next": 0.0, "read": 0.0, "save": 0.0}
        for i in range(WARMUP_CYCLES):
            cycle(clients[i % len(clients)], project_id, choices, rng, spent)
        spent = dict.fromkeys(spent, 0.0)
        if postgres is not None and args.statement_costs:
            postgres.admin("SELECT pg_stat_statements_reset()")
        processor = time.process_time()
        for i in range(args.cycles):
            cycle(clients[i % len(clients)], project_id, choices, rng, spent)
        processor = time.process_time() - processor
        db.dispose()
        if postgres is not None and args.statement_costs:
            _print_statement_costs(postgres, args.cycles)
    print(f"server time in process, {'PostgreSQL' if postgres else 'SQLite'}, mean of {args.cycles} cycles: "
          + ", ".join(f"{kind} {seconds / args.cycles * 1000:.2f} ms" for kind, seconds in spent.items())
          + f"; the app's processor time {processor / args.cycles * 1000:.2f} ms per cycle of the three")


def _count_statements(postgres: PostgresServer) -> None:
    """Load pg_stat_statements (a restart: it is loaded at start only)."""
    postgres.admin("ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'")
    postgres.crash()
    postgres.restart()
    postgres.admin("CREATE EXTENSION pg_stat_statements")


def _print_statement_costs(postgres: PostgresServer, cycles: int, shown: int = 8) -> None:
    with psycopg.connect(postgres.dsn(), autocommit=True) as connection:
        rows = connection.execute(
            "SELECT calls, total_exec_time, left(regexp_replace(query, '\\s+', ' ', 'g'), 90) FROM pg_stat_statements"
            " WHERE query NOT LIKE '%%pg_stat_statements%%' ORDER BY total_exec_time DESC LIMIT %s", (shown,)).fetchall()
    print(f"PostgreSQL's own time per statement over the {cycles} cycles, the costliest first:")
    for calls, total_ms, query in rows:
        print(f"  {total_ms / calls:6.3f} ms x {calls / cycles:.1f} a cycle  {query}")


if __name__ == "__main__":
    main()
