"""Round trips to the database per request of the labeling loop: statements and transactions of next,
read and save, in process, on SQLite or PostgreSQL (a round trip costs far more on a server than in a file).

    python -m bench.round_trips [--postgres] [--cycles 200] [--articles 3000]

Builds bench.loop's workload, warms up with 50 cycles of next -> read -> save, then counts each kind's
statements (every one the driver runs, BEGIN and COMMIT among them) and transactions over --cycles more,
and prints the mean per request.
"""

from __future__ import annotations

import argparse
import random
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import event

from annotator.app import create_app
from annotator.labelschema import load_schema
from annotator.settings import Settings
from annotator.shipped import default_schema_path
from annotator.storage import Database
from annotator.storage.migrate import upgrade_to_head
from bench.floor import bench_place, throwaway_database
from bench.loop import build
from bench.request_costs import InProcessClient
from bench.workload import LabelChoices, Workload, labels_for

WARMUP_CYCLES = 50
KINDS = ("next", "read", "save")


class RoundTrips:
    """Counts, per request kind, the statements sent to the driver and the transactions begun."""

    def __init__(self, db: Database) -> None:
        self.statements: Counter[str] = Counter()
        self.transactions: Counter[str] = Counter()
        self.kind = ""
        engines = {db.engine, db.engine.execution_options(begin_immediate=True)}
        for engine in engines:
            event.listen(engine, "before_cursor_execute", self._statement)
            event.listen(engine, "begin", self._begin)
            event.listen(engine, "commit", self._commit)

    def _statement(self, *args: Any) -> None:
        self.statements[self.kind] += 1

    def _begin(self, *args: Any) -> None:
        self.transactions[self.kind] += 1
        self.statements[self.kind] += 1  # BEGIN is a round trip too

    def _commit(self, *args: Any) -> None:
        self.statements[self.kind] += 1

    def measured(self, kind: str, call: Callable[[], Any]) -> Any:
        self.kind = kind
        try:
            return call()
        finally:
            self.kind = ""


def cycle(client: InProcessClient, project_id: int, choices: LabelChoices, rng: random.Random, trips: RoundTrips) -> None:
    article = trips.measured("next", lambda: client.call("POST", f"/api/v1/projects/{project_id}/next"))["article"]
    text = trips.measured("read", lambda: client.call("GET", f"/api/v1/articles/{article['id']}"))["text"]
    content = labels_for(rng, text, choices, Workload(1, 1, 4))[0]
    trips.measured("save", lambda: client.call(
        "PUT", f"/api/v1/articles/{article['id']}/annotation", {"base_revision": None, "seconds_spent": 42.0, **content}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", action="store_true", help="on a throwaway PostgreSQL on 127.0.0.1 (default SQLite)")
    parser.add_argument("--cycles", type=int, default=200)
    parser.add_argument("--articles", type=int, default=3_000)
    args = parser.parse_args()
    with bench_place(args.postgres) as (folder, postgres):
        url = throwaway_database(folder, postgres, "round_trips")
        db = Database(url)
        upgrade_to_head(db)
        project_id, tokens = build(db, args.articles, 4)
        app = create_app(Settings(data_dir=Path(folder), database_url=url, secret_key="bench"), db)
        clients = [InProcessClient(app, token) for token in tokens]
        rng, choices = random.Random(1), LabelChoices.of(load_schema(default_schema_path()))
        trips = RoundTrips(db)
        for i in range(WARMUP_CYCLES):
            cycle(clients[i % len(clients)], project_id, choices, rng, trips)
        trips.statements.clear()
        trips.transactions.clear()
        for i in range(args.cycles):
            cycle(clients[i % len(clients)], project_id, choices, rng, trips)
        db.dispose()
    database = "PostgreSQL" if args.postgres else "SQLite"
    print(f"round trips per request, {database}, mean of {args.cycles} cycles: " + "; ".join(
        f"{kind} {trips.statements[kind] / args.cycles:.1f} statements in {trips.transactions[kind] / args.cycles:.1f} transactions"
        for kind in KINDS))


if __name__ == "__main__":
    main()
