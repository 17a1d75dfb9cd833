"""Time `annotator quality`: each annotator's competence on 100,000 articles x 3 annotators (300,000
label documents), as its own process (target: under 30 s and 500 MB).

    python -m bench.quality [--articles 100000] [--postgres]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time

from annotator.labelschema import load_schema
from annotator.projects.service import find_project
from annotator.shipped import default_schema_path
from annotator.storage import Database
from annotator.storage.migrate import upgrade_to_head
from bench.floor import bench_place, throwaway_database
from bench.peak import peak_mb
from bench.workload import Workload, build


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--postgres", action="store_true", help="on a throwaway PostgreSQL on 127.0.0.1 (default SQLite)")
    args = parser.parse_args()
    with bench_place(args.postgres) as (folder, postgres):
        url = throwaway_database(folder, postgres, "quality")
        db = Database(url)
        upgrade_to_head(db)
        project_id = build(db, load_schema(default_schema_path()), Workload(articles=args.articles, annotators=3, statements=2))
        with db.session() as session:
            name = find_project(session, project_id).name
        db.dispose()
        env = {**os.environ, "ANNOTATOR_DATABASE_URL": url, "ANNOTATOR_DATA_DIR": folder}
        started = time.perf_counter()
        result = subprocess.run([sys.executable, "-m", "annotator", "quality", name], env=env, capture_output=True, text=True, check=True)
        seconds = time.perf_counter() - started
        print(result.stdout.rstrip())
        print(f"annotator quality, {args.articles} articles x 3 annotators: {seconds:.1f} s, "
              f"peak memory {peak_mb(resource.RUSAGE_CHILDREN):.0f} MB", flush=True)


if __name__ == "__main__":
    main()
