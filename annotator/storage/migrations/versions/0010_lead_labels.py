"""Assignments a lead took herself.

A lead's own labels take no annotator's slot and stay out of the agreement
figures; adjudication shows them marked as a lead's.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("assignments", sa.Column("as_lead", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    # In place on SQLite too: rebuilding `assignments` would fail on the revisions that reference it.
    op.execute("ALTER TABLE assignments DROP COLUMN as_lead")
