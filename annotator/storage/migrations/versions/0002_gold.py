"""Gold records and their revisions.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "gold_records",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("project_id", sa.Integer(), sa.ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
        sa.Column("article_id", sa.Integer(), sa.ForeignKey("articles.id", ondelete="CASCADE"), nullable=False, unique=True),
        sa.Column("head_revision_id", sa.Integer()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_gold_records_project_id", "gold_records", ["project_id"])
    op.create_table(
        "gold_revisions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "gold_record_id", sa.Integer(), sa.ForeignKey("gold_records.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("base_revision_id", sa.Integer(), sa.ForeignKey("gold_revisions.id")),
        sa.Column("adjudicator_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("method", sa.String(20), nullable=False),
        sa.Column("source_revision_ids", sa.JSON(), nullable=False),
        sa.Column("label_schema_id", sa.Integer(), sa.ForeignKey("label_schemas.id"), nullable=False),
        sa.Column("schema_version", sa.String(40), nullable=False),
        sa.Column("content", JSON_DOCUMENT, nullable=False),
        sa.Column("seconds_spent", sa.Float()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_gold_revisions_gold_record_id", "gold_revisions", ["gold_record_id"])
    with op.batch_alter_table("gold_records") as batch:
        batch.create_foreign_key("fk_gold_records_head_revision", "gold_revisions", ["head_revision_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("gold_records") as batch:
        batch.drop_constraint("fk_gold_records_head_revision", type_="foreignkey")
    op.drop_table("gold_revisions")
    op.drop_table("gold_records")
