"""Annotator quality: control and training items (gold articles with a known answer), the share of
"next" they take, a project's training round and threshold, and members set aside.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "control_items",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("project_id", sa.Integer(), sa.ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
        sa.Column("article_id", sa.Integer(), sa.ForeignKey("articles.id", ondelete="CASCADE"), nullable=False, unique=True),
        sa.Column("purpose", sa.String(10), nullable=False),
        sa.Column("added_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_control_items_project_purpose", "control_items", ["project_id", "purpose"])
    op.add_column("assignments", sa.Column("kind", sa.String(10), nullable=False, server_default="work"))
    op.add_column("projects", sa.Column("control_rate", sa.Float(), nullable=False, server_default="0"))
    op.add_column("projects", sa.Column("training_articles", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("projects", sa.Column("quality_threshold", sa.Float(), nullable=False, server_default="0.7"))
    op.add_column("project_members", sa.Column("set_aside_at", sa.DateTime(timezone=True)))
    op.add_column("project_members", sa.Column("trained_at", sa.DateTime(timezone=True)))
    op.add_column("project_members", sa.Column("trained_how", sa.String(20)))


def downgrade() -> None:
    op.drop_table("control_items")
    # In place on SQLite too: rebuilding these tables would cascade to everything in them.
    for table, column in (("assignments", "kind"), ("projects", "control_rate"), ("projects", "training_articles"),
                          ("projects", "quality_threshold"), ("project_members", "set_aside_at"),
                          ("project_members", "trained_at"), ("project_members", "trained_how")):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
