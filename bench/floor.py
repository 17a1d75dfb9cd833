"""The floor beside the product: a bare durable-save server (bench/floor_app.py) under the same
gunicorn settings, driven by the same asyncio clients and concurrency as bench/loop.py.

    python -m bench.floor [--annotators 16] [--seconds 60] [--postgres]

Each client sends the loop's save body again and again, as fast as answers come. Prints
requests/s, p50 and p99, errors, and whether every acknowledged save is stored.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import orjson

from annotator.labelschema import load_schema
from annotator.serve import DEFAULT_WORKERS
from annotator.shipped import default_schema_path
from bench.http_client import Connection
from bench.workload import LabelChoices, Workload, article_text, labels_for
from tests.postgres import PostgresServer, free_port
from tests.processes import wait_until_listening


@dataclass(frozen=True)
class Measured:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int
    acknowledged: list[int]

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds


def cpu_probe_ms() -> float:
    """CPU milliseconds of a fixed piece of Python work (JSON and small objects, as a request does):
    this machine's speed moves by up to half from one minute to the next, and this shows where it stood."""
    document = {"statements": [{"actor": {"id": "putin", "span": {"start": i, "end": i + 5}}} for i in range(50)]}
    started = time.process_time()
    for _ in range(2_000):
        orjson.loads(orjson.dumps(document))
        sorted(str(i) for i in range(60))
    return (time.process_time() - started) * 1000


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000 if ordered else float("nan")


async def _client(port: int, body: dict[str, object], measured_from: float, until: float,
                  latency: list[float], acknowledged: list[int], errors: list[str]) -> None:
    connection = Connection(port, "floor")
    while time.monotonic() < until:
        started = time.perf_counter()
        try:
            reply = await connection.request("POST", "/save", body)
        except (OSError, asyncio.IncompleteReadError) as error:
            errors.append(repr(error))
            continue
        if reply.status != 200:
            errors.append(f"{reply.status}")
            continue
        acknowledged.append(reply.json()["revision"])  # type: ignore[index]
        if time.monotonic() >= measured_from:
            latency.append(time.perf_counter() - started)
    await connection.close()


def save_body() -> dict[str, object]:
    """The body a loop annotator saves: four statements on an article of ~4.5 KB."""
    rng = random.Random(3)
    text = article_text(rng, 4_500)
    return {"base_revision": None, "seconds_spent": 42.0, **labels_for(rng, text, LabelChoices.of(load_schema(default_schema_path())), Workload(1, 1, 4))[0]}


def measure_floor(url: str, annotators: int, seconds: float, warmup: float, workers: int, threads: int) -> Measured:
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "bench.floor_app", str(port), url, str(workers), str(threads)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_listening(port)
        measured_from = time.monotonic() + warmup
        until = measured_from + seconds
        latency: list[float] = []
        acknowledged: list[int] = []
        errors: list[str] = []
        body = save_body()

        async def run() -> None:
            await asyncio.gather(*(_client(port, body, measured_from, until, latency, acknowledged, errors) for _ in range(annotators)))

        asyncio.run(run())
        elapsed = time.monotonic() - measured_from
    finally:
        server.terminate()
        server.wait(timeout=30)
    return Measured(len(latency), elapsed, percentile(latency, 0.5), percentile(latency, 0.99), len(errors), acknowledged)


def stored_count(url: str, acknowledged: list[int]) -> int:
    """How many acknowledged saves are in the table."""
    if url.startswith("postgresql"):
        import psycopg  # noqa: PLC0415

        with psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as db:
            found = {row[0] for row in db.execute("SELECT id FROM saves")}
    else:
        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
            found = {row[0] for row in db.execute("SELECT id FROM saves")}
    return sum(1 for revision in acknowledged if revision in found)


@contextmanager
def bench_place(postgres: bool) -> Iterator[tuple[str, PostgresServer | None]]:
    """A temporary folder, and a throwaway PostgreSQL on 127.0.0.1 with fsync on if asked for: both gone afterwards."""
    server = PostgresServer(durable=True) if postgres else None
    with tempfile.TemporaryDirectory() as folder:
        if server:
            server.start()
        try:
            yield folder, server
        finally:
            if server:
                server.stop()


def throwaway_database(folder: str, postgres: PostgresServer | None, name: str) -> str:
    """The URL of a new, empty database: on the running PostgreSQL if there is one, else a SQLite file in FOLDER."""
    if postgres is None:
        return f"sqlite:///{Path(folder) / f'{name}.db'}"
    postgres.admin(f"CREATE DATABASE {name}")
    return postgres.url(name)


def describe(found: Measured, stored: int) -> str:
    return (f"floor: {found.per_second:.0f} requests/s, p50 {found.p50_ms:.1f} ms, p99 {found.p99_ms:.1f} ms, "
            f"errors {found.errors}, stored {stored} of {len(found.acknowledged)} acknowledged")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--annotators", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    with bench_place(args.postgres) as (folder, postgres):
        url = throwaway_database(folder, postgres, "floor")
        found = measure_floor(url, args.annotators, args.seconds, args.warmup, args.workers, args.threads)
        print(describe(found, stored_count(url, found.acknowledged)))


if __name__ == "__main__":
    main()
