"""What a project's schema upgrades mean for a page still holding edits made under an older version."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from annotator.storage.lean import Executor
from annotator.storage.tables import SchemaUpgrade

CARRIED = ("rename", "merge")


def upgrade_history(session: Executor, project_id: int) -> list[tuple[str, str, str | None, datetime]]:
    """(from version, to version, plan sha256, when) of each upgrade of the project, oldest first."""
    return [(report["old_version"], report["new_version"], sha, at) for report, sha, at in session.execute(
        select(SchemaUpgrade.report, SchemaUpgrade.plan_sha256, SchemaUpgrade.created_at)
        .where(SchemaUpgrade.project_id == project_id).order_by(SchemaUpgrade.id))]


def draft_migrations(session: Executor, project_id: int) -> dict[str, dict[str, Any]]:
    """For each version the project left: the version it went to, and where each id that changed went
    (`null` where people decide: a split or a retired id). A page carries an old draft over by these."""
    migrations: dict[str, dict[str, Any]] = {}
    for (report,) in session.execute(select(SchemaUpgrade.report).where(SchemaUpgrade.project_id == project_id).order_by(SchemaUpgrade.id)):
        fields: dict[str, dict[str, str | None]] = {}
        for step in report["steps"]:
            fields.setdefault(step["field"], {})[step["old"]] = step["new"][0] if step["kind"] in CARRIED else None
        migrations[report["old_version"]] = {"to": report["new_version"], "fields": fields}
    return migrations
