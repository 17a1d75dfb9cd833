"""A hostile import: 100 MB of records that are all refused, sent in one request (target: peak < 200 MB).

    python -m bench.hostile_import [--megabytes 100]

Serves the app as its own process on 127.0.0.1 with a 150 MB upload limit, sends
one JSONL body of empty records and of records carrying a kilobyte of unknown
fields (every one refused), and reports the server's peak resident memory, the
time and the report's size: the body is read as a stream and only the first
rejections are named, so memory does not grow with the upload.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import requests
from werkzeug.security import generate_password_hash

from annotator.auth.membership import set_member
from annotator.auth.service import create_token
from annotator.labelschema import load_schema
from annotator.projects.service import create_project
from annotator.shipped import default_schema_path
from annotator.storage import Database
from annotator.storage.migrate import upgrade_to_head
from annotator.storage.tables import User
from tests.processes import AppProcess

CHUNK = 1 << 20


def hostile_body(megabytes: int) -> Iterator[bytes]:
    """Records that are each refused: half empty, half a kilobyte of fields the format does not have."""
    junk = b'{"title": "x", "unknown": "' + b"z" * 1000 + b'"}\n'
    block = (b"{}\n" * 100 + junk * 3) * (CHUNK // (300 + 3 * len(junk)))
    for _ in range(megabytes * CHUNK // len(block)):
        yield block


def peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        db = Database(url)
        upgrade_to_head(db)
        with db.session(write=True) as session:
            project = create_project(session, "hostile", load_schema(default_schema_path()))
            lead = User(name="lead", password_hash=generate_password_hash("unused-password"), role="lead")
            session.add(lead)
            session.flush()
            token = create_token(session, lead)
            set_member(session, project.id, lead, "lead")
            project_id = project.id
            session.commit()
        db.dispose()
        server = AppProcess(url, Path(folder))
        server.env["ANNOTATOR_MAX_UPLOAD_BYTES"] = str(150 * CHUNK)
        server.start()
        try:
            headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/x-ndjson"}
            requests.get(f"{server.url}/api/v1/projects", headers=headers, timeout=30).raise_for_status()
            assert server.process is not None
            before = peak_mb(server.process.pid)
            body = b"".join(hostile_body(args.megabytes))
            started = time.perf_counter()
            response = requests.post(f"{server.url}/api/v1/projects/{project_id}/articles", data=body, headers=headers, timeout=3600)
            elapsed = time.perf_counter() - started
            response.raise_for_status()
            report = response.json()
            after = peak_mb(server.process.pid)
        finally:
            server.kill()
        print(f"sent {len(body) / CHUNK:.0f} MB: {report['rejected_count']:,} records, all refused, "
              f"{len(report['rejected'])} named; the report is {len(response.content) / 1024:.0f} KB")
        print(f"hostile import of {len(body) / CHUNK:.0f} MB in one request: {elapsed:.1f} s, "
              f"server peak memory {after:.0f} MB (it was {before:.0f} MB before the request)")


if __name__ == "__main__":
    main()
