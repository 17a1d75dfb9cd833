"""Time and measure a gold export: 100,000 articles of about 4.5 KB (targets < 15 s, peak < 200 MB).

    python -m bench.export [--articles N] [--format gold]

Builds the workload in a fresh SQLite file, then runs `annotator export` as a
separate process, the way a pipeline would, and reports its wall time and peak
resident memory (the export streams, so memory should not grow with N).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from annotator.export.service import DATA_FILES
from annotator.labelschema import load_schema
from annotator.shipped import default_schema_path
from annotator.storage import Database
from annotator.storage.migrate import upgrade_to_head
from bench.peak import peak_mb
from bench.workload import build_gold


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--format", default="gold")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        db = Database(url)
        upgrade_to_head(db)
        started = time.perf_counter()
        build_gold(db, load_schema(default_schema_path()), args.articles)
        db.dispose()
        print(f"workload built in {time.perf_counter() - started:.1f} s")
        out = Path(folder) / "exports"
        command = [sys.executable, "-m", "annotator", "export", f"export-{args.articles}", "--format", args.format, "--out", str(out)]
        started = time.perf_counter()
        subprocess.run(command, check=True, env={**os.environ, "ANNOTATOR_DATABASE_URL": url}, stderr=subprocess.DEVNULL)
        elapsed = time.perf_counter() - started
        peak = peak_mb(resource.RUSAGE_CHILDREN)
        data = out / f"export-{args.articles}" / "v1" / DATA_FILES[args.format][0]
        print(f"wrote {data.name}: {data.stat().st_size / 1e6:.0f} MB")
        print(f"export, {args.articles} articles, format {args.format}: {elapsed:.1f} s, peak memory {peak:.0f} MB")


if __name__ == "__main__":
    main()
