"""Server memory with 100,000 articles: it stays flat because articles are paged, never held.

    python -m bench.memory [--articles N]

Serves the project with `annotator serve --workers 1`, then pages through every
article over the API and opens the lead's pages, reading the worker's resident
memory (VmRSS) before and after.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import requests

from annotator.auth.service import create_token
from annotator.labelschema import load_schema
from annotator.shipped import default_schema_path
from annotator.storage import Database
from annotator.storage.migrate import upgrade_to_head
from annotator.storage.tables import User
from bench.workload import build_gold
from tests.processes import AppProcess


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def worker_pid(master: int) -> int:
    for _ in range(100):
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.1)
    raise RuntimeError("gunicorn started no worker")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        db = Database(url)
        upgrade_to_head(db)
        project_id = build_gold(db, load_schema(default_schema_path()), args.articles)
        with db.session(write=True) as session:
            lead = session.query(User).filter(User.role == "lead").one()
            token = create_token(session, lead)
            session.commit()
        db.dispose()
        server = AppProcess(url, Path(folder), workers=1)
        server.start()
        try:
            base, http = server.url, requests.Session()
            http.headers["Authorization"] = f"Bearer {token}"
            worker = worker_pid(server.process.pid)  # type: ignore[union-attr]
            before = rss_mb(worker)
            pages, after_id, started = 0, 0, time.perf_counter()
            while after_id is not None:
                page = http.get(f"{base}/api/v1/projects/{project_id}/articles", params={"after": after_id, "limit": 1000}, timeout=30).json()
                after_id, pages = page["next_after"], pages + 1
            for path in ("/api/v1/projects", f"/api/v1/projects/{project_id}", f"/api/v1/projects/{project_id}/agreement",
                         "/api/v1/articles/1", "/api/v1/articles/1/gold"):
                http.get(base + path, timeout=60).raise_for_status()
            after = rss_mb(worker)
        finally:
            server.stop()
        print(f"paged through {args.articles} articles in {pages} pages in {time.perf_counter() - started:.1f} s")
        print(f"server worker memory with {args.articles} articles: {before:.0f} MB at start, {after:.0f} MB after "
              f"reading them all ({after - before:+.0f} MB)")


if __name__ == "__main__":
    main()
