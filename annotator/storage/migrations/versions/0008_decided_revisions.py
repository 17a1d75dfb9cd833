"""Revisions without suggestion decisions hold SQL NULL, and an index finds those with some.

Until now a save without decisions stored the JSON value null, so finding the
revisions that had decisions meant reading every revision of a project.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DECIDED = sa.text("suggestion_decisions IS NOT NULL")


def upgrade() -> None:
    stored_null = (
        "json_typeof(suggestion_decisions) = 'null'" if op.get_bind().dialect.name == "postgresql"
        else "suggestion_decisions = 'null'"
    )
    op.execute(f"UPDATE annotation_revisions SET suggestion_decisions = NULL WHERE {stored_null}")
    op.create_index("ix_annotation_revisions_decided", "annotation_revisions", ["assignment_id"],
                    sqlite_where=DECIDED, postgresql_where=DECIDED)


def downgrade() -> None:
    op.drop_index("ix_annotation_revisions_decided", table_name="annotation_revisions")
