"""When a project was archived: it hands out no more articles and leaves annotators' lists.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("projects", sa.Column("archived_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    # In place on SQLite too: rebuilding `projects` would cascade to everything in them.
    op.execute("ALTER TABLE projects DROP COLUMN archived_at")
