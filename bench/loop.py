"""The annotator loop under load: M annotators repeat next -> read -> save against `annotator serve`.

    python -m bench.loop [--annotators 50] [--seconds 60] [--think 0.5] [--postgres [--hosts 2]]
                         [--workers N --threads N] [--compare-floor [--rounds 3]]

Each annotator is one kept-alive connection driven from one asyncio process,
so the clients cost little of the machine they share with the server.

--think is the mean pause before each request (uniform between half and one
and a half times it). With 0 the annotators never pause and the server is
saturated: that run gives its capacity, and its latencies are queueing (with
M requests always in flight, mean latency = M / throughput). A pause of 0.5 s
is an article every ~1.5 s per annotator, about a hundred times a person's pace.

Targets on the 2-core machine: p99 under 50 ms per request type and zero
errors. At the end every acknowledged save is looked up in the database and
compared with what was sent.

--compare-floor measures bench.floor with the same clients and settings. The
loop and the floor take turns (--rounds), each round a loop run on a fresh
workload then a floor run, so both halves of a round meet the machine at the
same speed; the ratio printed last is the median of the rounds' ratios.

--hosts 2 (PostgreSQL) serves the loop from two `annotator serve` hosts, each with a data folder of its
own, the annotators spread over them as a load balancer would; the --workers are shared out between
the hosts, so the machine runs as many server processes as with one host.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from annotator.ingest.readers import ReadRecord
from annotator.ingest.models import ArticleRecord
from annotator.labelschema import load_schema
from annotator.serve import DEFAULT_WORKERS
from annotator.shipped import default_schema_path
from annotator.storage import Database
from annotator.storage.migrate import upgrade_to_head
from annotator.storage.tables import AnnotationRevision
from bench.floor import (
    Measured,
    bench_place,
    cpu_probe_ms,
    describe,
    measure_floor,
    percentile,
    stored_count,
    throwaway_database,
)
from bench.http_client import Connection
from bench.workload import LabelChoices, Workload, article_text, labels_for
from tests.processes import AppProcess
from tests.support import annotators_with_tokens

REQUEST_KINDS = ("next", "read", "save")


def build(db: Database, articles: int, annotators: int) -> tuple[int, list[str]]:
    rng = random.Random(3)
    records = (ReadRecord(source="bench", line=i, record=ArticleRecord(text=article_text(rng, 4_500) + f" #{i}"))
               for i in range(articles))
    return annotators_with_tokens(db, load_schema(default_schema_path()), annotators, overlap=3, articles=records)


class Annotator:
    """One simulated annotator: next -> read -> save, pausing `think` seconds (on average) between steps."""

    def __init__(self, port: int, token: str, project_id: int, think: float, measured_from: float, until: float) -> None:
        self.connection = Connection(port, token)
        self.project_id, self.think = project_id, think
        self.measured_from, self.until = measured_from, until
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []
        self.acknowledged: list[tuple[int, dict[str, Any]]] = []
        self.measured_saves = 0
        self.rng = random.Random(token)
        self.choices = LabelChoices.of(load_schema(default_schema_path()))

    async def timed(self, kind: str, method: str, path: str, body: object | None = None) -> Any:
        if self.think:
            await asyncio.sleep(self.rng.uniform(0.5, 1.5) * self.think)
        started = time.perf_counter()
        try:
            reply = await self.connection.request(method, path, body)
        except (OSError, asyncio.IncompleteReadError) as error:
            self.errors.append(f"{kind}: {error!r}")
            return None
        if time.monotonic() >= self.measured_from:
            self.latency[kind].append(time.perf_counter() - started)
        if reply.status >= 400:
            self.errors.append(f"{kind}: {reply.status} {reply.body[:120]!r}")
            return None
        return reply.json()

    async def run(self) -> None:
        while time.monotonic() < self.until:
            answer = await self.timed("next", "POST", f"/api/v1/projects/{self.project_id}/next")
            if answer is None or answer["article"] is None:
                break
            article_id = answer["article"]["id"]
            article = await self.timed("read", "GET", f"/api/v1/articles/{article_id}")
            if article is None:
                break
            content = labels_for(self.rng, article["text"], self.choices, Workload(1, 1, 4))[0]
            saved = await self.timed("save", "PUT", f"/api/v1/articles/{article_id}/annotation",
                                     {"base_revision": None, "seconds_spent": 42.0, **content})
            if saved is not None:  # checked whether measured or not
                self.acknowledged.append((saved["revision"], content))
                self.measured_saves += time.monotonic() >= self.measured_from
        await self.connection.close()


async def run_annotators(annotators: list[Annotator]) -> None:
    await asyncio.gather(*(annotator.run() for annotator in annotators))


@dataclass(frozen=True)
class LoopMeasured:
    per_second: float
    latency: dict[str, list[float]]  # seconds, by request kind
    errors: int
    intact: int  # acknowledged saves stored as sent
    acknowledged: int


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--annotators", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--articles", type=int, default=30_000)
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS, help="as `annotator serve`: 1 per core")
    parser.add_argument("--threads", type=int, default=2, help="threads per worker, as `annotator serve`")
    parser.add_argument("--warmup", type=float, default=5,
                        help="seconds run before measuring (each worker's first requests compile its queries)")
    parser.add_argument("--think", type=float, default=0.0,
                        help="mean seconds an annotator pauses before each request (0: none, the server is saturated)")
    parser.add_argument("--postgres", action="store_true", help="run against a throwaway PostgreSQL on 127.0.0.1 (fsync on)")
    parser.add_argument("--hosts", type=int, default=1,
                        help="app hosts sharing the database (PostgreSQL), the workers shared out between them")
    parser.add_argument("--compare-floor", action="store_true",
                        help="then run bench.floor with the same clients and settings, and print the ratio")
    parser.add_argument("--rounds", type=int, default=3,
                        help="with --compare-floor: the loop and the floor take turns this many times, "
                             "and the ratio is the median of the rounds' (the machine's speed drifts between them)")
    args = parser.parse_args()
    if args.hosts > 1 and not args.postgres:
        parser.error("--hosts needs --postgres: hosts on SQLite would have to share one file")
    with bench_place(args.postgres) as (folder, postgres):
        if not args.compare_floor:
            run_loop(throwaway_database(folder, postgres, "loop"), Path(folder), postgres is not None, args)
            return
        rounds: list[tuple[LoopMeasured, Measured]] = []
        for taken in range(1, args.rounds + 1):
            print(f"round {taken} of {args.rounds}; the machine's speed: {cpu_probe_ms():.0f} ms for bench.floor's CPU probe")
            loop = run_loop(throwaway_database(folder, postgres, f"loop{taken}"), Path(folder), postgres is not None, args)
            floor_url = throwaway_database(folder, postgres, f"floor{taken}")
            print(f"the floor's turn; the machine's speed: {cpu_probe_ms():.0f} ms for the CPU probe")
            floor = measure_floor(floor_url, args.annotators, args.seconds, args.warmup, args.workers, args.threads)
            print(describe(floor, stored_count(floor_url, floor.acknowledged)))
            rounds.append((loop, floor))
        compare_with_floor(rounds)


def run_loop(url: str, folder: Path, postgres: bool, args: argparse.Namespace) -> LoopMeasured:
    """One measured run of the annotators against a server of its own, on a fresh workload, reported.

    Every round starts from the same state: a next costs more as annotators' finished articles pile
    up (their progress is counted), so a second run on the first's database would measure a later day.
    """
    db = Database(url)
    upgrade_to_head(db)
    started = time.perf_counter()
    project_id, tokens = build(db, args.articles, args.annotators)
    print(f"workload: {args.articles} articles, {args.annotators} annotators, built in {time.perf_counter() - started:.0f} s")
    # The build leaves a hundred megabytes or more for the system to write back: on disk first, so that
    # the saves' flushes do not queue behind it (the floor starts from an empty database).
    db.checkpoint()
    os.sync()
    hosts = [AppProcess(url, folder / f"host{index}", workers=_workers_per_host(args), threads=args.threads)
             for index in range(args.hosts)]
    try:
        for host in hosts:
            host.start()
        measured_from = time.monotonic() + args.warmup
        until = measured_from + args.seconds
        clients = [Annotator(hosts[index % len(hosts)].port, token, project_id, args.think, measured_from, until)
                   for index, token in enumerate(tokens)]
        asyncio.run(run_annotators(clients))
        elapsed = time.monotonic() - measured_from
    finally:
        for host in hosts:
            host.stop()
    try:
        return report(db, clients, elapsed, "PostgreSQL" if postgres else "SQLite", args)
    finally:
        db.dispose()


def _workers_per_host(args: argparse.Namespace) -> int:
    """The --workers shared out between the hosts: as many server processes as with one host."""
    return max(1, args.workers // args.hosts)


def report(db: Database, clients: list[Annotator], elapsed: float, backend: str, args: argparse.Namespace) -> LoopMeasured:
    latency: dict[str, list[float]] = defaultdict(list)
    for client in clients:
        for kind, values in client.latency.items():
            latency[kind].extend(values)
    errors = [e for c in clients for e in c.errors]
    acknowledged = [a for c in clients for a in c.acknowledged]
    with db.session() as session:
        stored: dict[int, dict[str, Any]] = dict(session.execute(
            select(AnnotationRevision.id, AnnotationRevision.content)
            .where(AnnotationRevision.id.in_([r for r, _ in acknowledged]))).all())
    intact = sum(1 for revision, content in acknowledged if stored.get(revision, {}).get("statements") == content["statements"])
    for kind in REQUEST_KINDS:
        values = latency[kind]
        print(f"{kind:5} {len(values):7d} requests  p50 {percentile(values, 0.5):6.1f} ms  p99 {percentile(values, 0.99):6.1f} ms"
              f"  mean {statistics.mean(values) * 1000:6.1f} ms")
    if errors:
        print("first errors:", *errors[:3], sep="\n  ")
    print(f"stored equals acknowledged: {intact} of {len(acknowledged)} saves")
    total = sum(len(v) for v in latency.values())
    worst_p99 = max(percentile(v, 0.99) for v in latency.values())
    on_hosts = f"{args.hosts} hosts x {_workers_per_host(args)}" if args.hosts > 1 else f"{args.workers}"
    print(f"{backend}, {args.annotators} annotators (think {args.think} s), {on_hosts} workers x {args.threads} threads, "
          f"{elapsed:.0f} s measured after {args.warmup:.0f} s: {sum(c.measured_saves for c in clients) / elapsed:.0f} saves/s, "
          f"{total / elapsed:.0f} requests/s, worst p99 {worst_p99:.1f} ms, errors {len(errors)}")
    return LoopMeasured(total / elapsed, latency, len(errors), intact, len(acknowledged))


def compare_with_floor(rounds: list[tuple[LoopMeasured, Measured]]) -> None:
    """The ratio of each round and their median, then the p99s of all rounds together, as the last lines."""
    ratios = [loop.per_second / floor.per_second for loop, floor in rounds]
    print("loop / floor by round: " + ", ".join(
        f"{loop.per_second:.0f} / {floor.per_second:.0f} = {ratio:.2f}" for (loop, floor), ratio in zip(rounds, ratios)))
    print(f"loop / floor: {statistics.median(ratios):.2f} of the floor, median of {len(ratios)} rounds (target 0.60)")
    p99 = {kind: percentile([v for loop, _ in rounds for v in loop.latency[kind]], 0.99) for kind in REQUEST_KINDS}
    errors = sum(loop.errors for loop, _ in rounds)
    intact, acknowledged = sum(loop.intact for loop, _ in rounds), sum(loop.acknowledged for loop, _ in rounds)
    print(f"loop p99: next {p99['next']:.1f} ms, read {p99['read']:.1f} ms, save {p99['save']:.1f} ms (target < 60 ms); "
          f"errors {errors}; stored {intact} of {acknowledged} acknowledged saves")


if __name__ == "__main__":
    main()
