"""Schema upgrades of a running project: each upgrade with its plan, where a carried revision came
from, and the review queue.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for table in ("annotation_revisions", "gold_revisions"):
        op.add_column(table, sa.Column("migrated_from", sa.String(200)))
    op.create_table(
        "schema_upgrades",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("project_id", sa.Integer(), sa.ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
        sa.Column("from_schema_id", sa.Integer(), sa.ForeignKey("label_schemas.id"), nullable=False),
        sa.Column("to_schema_id", sa.Integer(), sa.ForeignKey("label_schemas.id"), nullable=False),
        sa.Column("plan", sa.Text()),
        sa.Column("plan_sha256", sa.String(64)),
        sa.Column("made_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("report", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_schema_upgrades_project_id", "schema_upgrades", ["project_id"])
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("project_id", sa.Integer(), sa.ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
        sa.Column("article_id", sa.Integer(), sa.ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
        sa.Column("revision_kind", sa.String(10), nullable=False),
        sa.Column("revision_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("label_schema_id", sa.Integer(), sa.ForeignKey("label_schemas.id"), nullable=False),
        sa.Column("plan_sha256", sa.String(64), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("revision_kind", "revision_id", "plan_sha256"),
    )
    op.create_index("ix_reviews_project_id", "reviews", ["project_id"])
    op.create_index("ix_reviews_article_id", "reviews", ["article_id"])


def downgrade() -> None:
    op.drop_table("reviews")
    op.drop_table("schema_upgrades")
    for table in ("annotation_revisions", "gold_revisions"):
        # In place on SQLite too: rebuilding a revisions table would fail on the rows that reference it.
        op.execute(f"ALTER TABLE {table} DROP COLUMN migrated_from")
