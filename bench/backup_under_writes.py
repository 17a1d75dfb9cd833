"""`annotator backup` of a live database while saves go on: a 50 MB SQLite database under 100
writes a second (target: the backup under 30 s).

    python -m bench.backup_under_writes [--megabytes 50] [--writes 100]

Builds a database of about the size asked for (articles of ~4.5 KB), then writes to it from
another process at the rate asked for (a login failure each time, a small committed row), and
runs `annotator backup` as its own process meanwhile. Reports the backup's time, the copy's
size and how many writes went on during it.
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from annotator.ingest.models import ArticleRecord
from annotator.ingest.readers import ReadRecord
from annotator.ingest.store import import_records
from annotator.labelschema import load_schema
from annotator.projects.service import create_project
from annotator.shipped import default_schema_path
from annotator.storage import Database
from annotator.storage.migrate import upgrade_to_head
from bench.workload import article_text

ARTICLE_BYTES = 4_500


def build(url: str, megabytes: int) -> None:
    db = Database(url)
    upgrade_to_head(db)
    rng = random.Random(5)
    count = megabytes * 1024 * 1024 // (ARTICLE_BYTES + 500)  # the text, its digests and its index entries
    with db.session(write=True) as session:
        project = create_project(session, "backup", load_schema(default_schema_path()))
        records = (ReadRecord(source="bench", line=i, record=ArticleRecord(text=article_text(rng, ARTICLE_BYTES) + f" #{i}"))
                   for i in range(count))
        import_records(session, project.id, records)
    db.checkpoint()
    db.dispose()


def write_steadily(path: Path, per_second: float, stop: threading.Event, written: list[float]) -> None:
    """Small committed writes at the rate asked for, each flushed as a save is, from a connection of its own."""
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    connection.execute("PRAGMA busy_timeout=10000")
    connection.execute("PRAGMA synchronous=FULL")
    next_at = time.monotonic()
    while not stop.is_set():
        connection.execute("INSERT INTO login_failures (name, remote_addr, at) VALUES ('bench', '127.0.0.1', CURRENT_TIMESTAMP)")
        written.append(time.monotonic())
        next_at += 1 / per_second
        time.sleep(max(0.0, next_at - time.monotonic()))
    connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=50)
    parser.add_argument("--writes", type=float, default=100, help="writes a second while the backup runs")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "annotator.db"
        url = f"sqlite:///{path}"
        build(url, args.megabytes)
        size = path.stat().st_size / 1e6
        stop, written = threading.Event(), []
        writer = threading.Thread(target=write_steadily, args=(path, args.writes, stop, written))
        writer.start()
        time.sleep(2)  # the writes are under way
        try:
            started = time.monotonic()
            result = subprocess.run([sys.executable, "-m", "annotator", "backup", str(Path(folder) / "copy.db")],
                                    env={**os.environ, "ANNOTATOR_DATABASE_URL": url}, capture_output=True, text=True, timeout=600)
            finished = time.monotonic()
        finally:
            stop.set()
            writer.join()
        if result.returncode:
            raise SystemExit(result.stderr)
        during = sum(1 for at in written if started <= at <= finished)
        print(result.stdout.strip())
        print(f"backup of a {size:.0f} MB database under {args.writes:.0f} writes/s: {finished - started:.1f} s "
              f"(target < 30 s), {during} writes went on meanwhile ({during / (finished - started):.0f}/s); "
              f"copy {(Path(folder) / 'copy.db').stat().st_size / 1e6:.0f} MB")


if __name__ == "__main__":
    main()
