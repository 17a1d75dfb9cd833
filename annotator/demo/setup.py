"""Build the demo database (no server; the CLI serves it)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from annotator.auth.service import add_user
from annotator.ingest.readers import read_paths
from annotator.ingest.store import import_records
from annotator.labelschema import load_schema
from annotator.projects.service import create_project
from annotator.shipped import SAMPLE_CORPUS, default_schema_path
from annotator.storage import Database
from annotator.storage.migrate import upgrade_to_head

PROJECT_NAME = "diplomacy-demo"


@dataclass(frozen=True)
class DemoUser:
    name: str
    password: str
    role: str


# Printed on start; the demo serves on 127.0.0.1 only.
DEMO_USERS = (
    DemoUser("ana", "ana-labels-2026", "annotator"),
    DemoUser("ben", "ben-labels-2026", "annotator"),
    DemoUser("lena", "lena-leads-2026", "lead"),
)


def reset_sqlite_file(data_dir: Path) -> Path:
    """Delete the demo database (and its WAL files) so the demo starts fresh."""
    data_dir.mkdir(parents=True, exist_ok=True)
    database = data_dir / "annotator.db"
    for leftover in (database, data_dir / "annotator.db-wal", data_dir / "annotator.db-shm"):
        leftover.unlink(missing_ok=True)
    return database


def build_demo(db: Database) -> int:
    """Migrate, then add the project, the sample corpus and the users; returns the project id."""
    upgrade_to_head(db)
    with db.session(write=True) as session:
        project = create_project(session, PROJECT_NAME, load_schema(default_schema_path()), overlap=2)
        for user in DEMO_USERS:
            add_user(session, user.name, user.password, user.role)
        session.commit()
        project_id = project.id
        import_records(session, project_id, read_paths([SAMPLE_CORPUS]))
    return project_id
