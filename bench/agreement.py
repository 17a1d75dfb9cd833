"""Time the full agreement report: 10,000 articles x 3 annotators x 4 statements (target < 2 s).

    python -m bench.agreement [--articles N] [--annotators M] [--statements K]

Builds the workload in a fresh SQLite file, then times the report as the API
computes it: loading every saved annotation and computing every figure,
including 1,000 bootstrap resamples per field. Prints the figures last.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from annotator.agreement.service import project_report
from annotator.labelschema import load_schema
from annotator.shipped import default_schema_path
from annotator.storage import Database
from annotator.storage.migrate import upgrade_to_head
from annotator.storage.tables import Project
from bench.workload import Workload, build


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--annotators", type=int, default=3)
    parser.add_argument("--statements", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    workload = Workload(args.articles, args.annotators, args.statements)
    with tempfile.TemporaryDirectory() as folder:
        db = Database(f"sqlite:///{Path(folder) / 'bench.db'}")
        upgrade_to_head(db)
        started = time.perf_counter()
        project_id = build(db, load_schema(default_schema_path()), workload)
        print(f"workload built in {time.perf_counter() - started:.1f} s")
        totals = []
        for _ in range(args.repeat):
            with db.session() as session:
                project = session.get(Project, project_id)
                started = time.perf_counter()
                report = project_report(session, project)  # type: ignore[arg-type]
                totals.append(time.perf_counter() - started)
        stance = next(f for f in report.fields if f.field == "stance")
        print(f"stance alpha {stance.alpha.value:.3f} [{stance.alpha_interval.low:.3f}, {stance.alpha_interval.high:.3f}] "
              f"over {stance.alpha.n_units} units; key F1 {report.statement_keys.pooled.value:.3f}")
        print(f"agreement report, {args.articles} articles x {args.annotators} annotators x {args.statements} statements, "
              f"median of {args.repeat}: {statistics.median(totals):.2f} s (min {min(totals):.2f}, max {max(totals):.2f})")


if __name__ == "__main__":
    main()
