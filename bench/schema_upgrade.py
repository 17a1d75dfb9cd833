"""Time a codebook upgrade: 100,000 articles labeled by 3 annotators (300,000 label documents) move to a
version that renames a target most of them use (targets: dry run and apply each under 60 s and 500 MB;
saves answer meanwhile).

    python -m bench.schema_upgrade [--articles 100000] [--saves-per-second 20] [--postgres]

The project is written straight into the database. `annotator project upgrade-schema` then runs as its
own process, the way a lead runs it (its peak memory is that process's): first with --dry-run, then for
real, while a thread saves labels again and again on an article of another project in the same
database, 20 times a second (a busy team; 0: without pause). Reports each run's wall time and peak
memory, and the saves' latencies during the apply.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import yaml

from annotator.annotate.models import AnnotationSave
from annotator.annotate.service import save_annotation
from annotator.auth.membership import set_member
from annotator.labelschema import LabelSchema, load_schema
from annotator.projects.service import create_project, find_project, project_schema
from annotator.shipped import default_schema_path
from annotator.storage import Database
from annotator.storage.migrate import upgrade_to_head
from annotator.storage.tables import Article, User
from bench.floor import bench_place, percentile, throwaway_database
from bench.peak import peak_mb
from bench.workload import Workload, build

PLAN = {"target": {"leaders_meeting": "summit"}}


def renamed_target(schema: LabelSchema) -> str:
    document = schema.model_dump(mode="json")
    document["version"] = "2.0.0"
    for choice in document["statement"]["target"]["choices"]:
        if choice["id"] == "leaders_meeting":
            choice.update(id="summit", label="Summit")
    return yaml.safe_dump(document, sort_keys=False)


def lead_and_saver(db: Database, project_id: int, schema: LabelSchema) -> None:
    """A lead of the benchmark project, and a saver with an article of her own in another project."""
    with db.session(write=True) as session:
        lead, saver = User(name="lead", password_hash="!", role="lead"), User(name="saver", password_hash="!", role="annotator")
        session.add_all([lead, saver])
        session.flush()
        set_member(session, project_id, lead, "lead")
        other = create_project(session, "elsewhere", schema, overlap=1)
        set_member(session, other.id, saver, "annotator")
        session.add(Article(project_id=other.id, title="Elsewhere", text="The Kremlin ruled out a meeting.", text_sha256="e" * 64, meta={}))
        session.commit()


def keep_saving(url: str, per_second: float, until: threading.Event, latencies: list[float], errors: list[str]) -> None:
    db = Database(url)
    base: int | None = None
    while not until.wait(1 / per_second if per_second else 0):
        started = time.perf_counter()
        try:
            with db.session(write=True) as session:
                project = find_project(session, "elsewhere")
                saver = session.query(User).filter_by(name="saver").one()
                article = session.query(Article).filter_by(project_id=project.id).one()
                saved = save_annotation(session, project, project_schema(project), article, saver,
                                        AnnotationSave(base_revision=base, statements=[], seconds_spent=1.0))
                session.commit()
                base = saved.revision
        except Exception as error:  # noqa: BLE001 - counted, and the loop goes on, as a page would retry
            errors.append(type(error).__name__)
        latencies.append(time.perf_counter() - started)
    db.dispose()


def run_upgrade(url: str, data_dir: str, schema_file: Path, plan_file: Path, dry_run: bool) -> tuple[float, float, str]:
    env = {**os.environ, "ANNOTATOR_DATABASE_URL": url, "ANNOTATOR_DATA_DIR": data_dir}
    command = [sys.executable, "-m", "annotator", "project", "upgrade-schema", "bench-project", str(schema_file),
               "--plan", str(plan_file), "--by", "lead", *(["--dry-run"] if dry_run else [])]
    started = time.perf_counter()
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    return time.perf_counter() - started, peak_mb(resource.RUSAGE_CHILDREN), result.stdout.splitlines()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--saves-per-second", type=float, default=20.0, help="the saver's pace (0: without pause)")
    parser.add_argument("--postgres", action="store_true", help="on a throwaway PostgreSQL on 127.0.0.1 (default SQLite)")
    args = parser.parse_args()
    schema = load_schema(default_schema_path())
    with bench_place(args.postgres) as (folder, postgres):
        url = throwaway_database(folder, postgres, "upgrade")
        db = Database(url)
        upgrade_to_head(db)
        started = time.perf_counter()
        project_id = build(db, schema, Workload(articles=args.articles, annotators=3, statements=1))
        with db.session(write=True) as session:
            find_project(session, project_id).name = "bench-project"
            session.commit()
        lead_and_saver(db, project_id, schema)
        db.dispose()
        print(f"built {args.articles} articles, {3 * args.articles} label documents in {time.perf_counter() - started:.0f} s", flush=True)
        with tempfile.TemporaryDirectory() as scratch:
            schema_file, plan_file = Path(scratch) / "v2.yaml", Path(scratch) / "plan.yaml"
            schema_file.write_text(renamed_target(schema))
            plan_file.write_text(yaml.safe_dump(PLAN))
            seconds, peak, said = run_upgrade(url, folder, schema_file, plan_file, dry_run=True)
            print(f"dry run: {seconds:.1f} s, peak memory {peak:.0f} MB ({said})", flush=True)
            until, latencies, errors = threading.Event(), [], []
            saver = threading.Thread(target=keep_saving, args=(url, args.saves_per_second, until, latencies, errors))
            saver.start()
            try:
                seconds, peak, said = run_upgrade(url, folder, schema_file, plan_file, dry_run=False)
            finally:
                until.set()
                saver.join()
            print(f"apply: {seconds:.1f} s, peak memory {peak:.0f} MB ({said})", flush=True)
            print(f"saves meanwhile: {len(latencies)}, p50 {percentile(latencies, 0.5):.0f} ms, "
                  f"p99 {percentile(latencies, 0.99):.0f} ms, max {max(latencies) * 1000:.0f} ms, errors {len(errors)} "
                  f"{sorted(set(errors))}", flush=True)


if __name__ == "__main__":
    main()
