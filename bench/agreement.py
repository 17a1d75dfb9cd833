"""Time the full agreement report: 10,000 articles x 3 annotators x 4 statements (target < 2 s).

    python -m bench.agreement [--articles N] [--annotators M] [--statements K] [--postgres]

Builds the workload in a fresh SQLite file (or a throwaway PostgreSQL on 127.0.0.1) and waits until it
is on disk, then
times the report as the API computes it (each run in a process of its own, so
that the figures are the report's alone): loading every saved annotation and
computing every figure, including 1,000 bootstrap resamples per field, over as
many processes as the machine has cores. Prints the time and the peak resident
memory of the report's processes last.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import statistics
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from annotator.agreement.service import project_report
from annotator.labelschema import load_schema
from annotator.shipped import default_schema_path
from annotator.storage import Database
from annotator.storage.migrate import upgrade_to_head
from annotator.storage.tables import Project
from bench.floor import bench_place, throwaway_database
from bench.peak import peak_mb
from bench.workload import Workload, build


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--annotators", type=int, default=3)
    parser.add_argument("--statements", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--postgres", action="store_true", help="on a throwaway PostgreSQL on 127.0.0.1 (default SQLite)")
    args = parser.parse_args()
    workload = Workload(args.articles, args.annotators, args.statements)
    with bench_place(args.postgres) as (folder, postgres):
        url = throwaway_database(folder, postgres, "agreement")
        db = Database(url)
        upgrade_to_head(db)
        started = time.perf_counter()
        project_id = build(db, load_schema(default_schema_path()), workload)
        print(f"workload built in {time.perf_counter() - started:.1f} s")
        # The build leaves hundreds of megabytes for the system to write back: on disk first, so
        # that the reports are not timed while the kernel writes the fresh file out beside them.
        db.checkpoint()
        if postgres is not None:  # as autovacuum would have, by the time a lead asks for the report
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("VACUUM ANALYZE")
        db.dispose()
        os.sync()
        # Each report in a fresh interpreter, so that its peak memory is the report's alone.
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"), max_tasks_per_child=1) as reporter:
            runs = [reporter.submit(_timed_report, url, project_id).result() for _ in range(args.repeat)]
    totals = [run.seconds for run in runs]
    print(runs[-1].summary)
    print(f"agreement report, {'PostgreSQL' if args.postgres else 'SQLite'}, "
          f"{args.articles} articles x {args.annotators} annotators x {args.statements} statements, "
          f"median of {args.repeat}: {statistics.median(totals):.2f} s (min {min(totals):.2f}, max {max(totals):.2f})")
    print(f"peak resident memory: {max(run.own_mb for run in runs):.0f} MB in the report's process, "
          f"{max(run.workers_mb for run in runs):.0f} MB in the largest of its workers")


@dataclass(frozen=True)
class ReportRun:
    seconds: float
    own_mb: float
    workers_mb: float
    summary: str


def _timed_report(url: str, project_id: int) -> ReportRun:
    db = Database(url)
    with db.session() as session:
        started = time.perf_counter()
        report = project_report(session, session.get_one(Project, project_id))
        seconds = time.perf_counter() - started
    stance = next(f for f in report.fields if f.field == "stance")
    summary = (f"stance alpha {stance.alpha.value:.3f} [{stance.alpha_interval.low:.3f}, {stance.alpha_interval.high:.3f}] "
               f"over {stance.alpha.n_units} units; key F1 {report.statement_keys.pooled.value:.3f}")
    return ReportRun(seconds, peak_mb(resource.RUSAGE_SELF), peak_mb(resource.RUSAGE_CHILDREN), summary)


if __name__ == "__main__":
    main()
