"""Constant-time "next article" and progress at any project size.

- ix_articles_next orders by assigned_count descending, so the first unfilled
  articles come straight off the index instead of from a sort of every unfilled one;
- projects.unfilled_articles counts articles with a free slot, so progress does
  not count them row by row on every request.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_articles_next", table_name="articles")
    op.create_index("ix_articles_next", "articles", ["project_id", sa.text("assigned_count DESC"), "id"])
    with op.batch_alter_table("projects") as batch:
        batch.add_column(sa.Column("unfilled_articles", sa.Integer(), nullable=False, server_default="0"))
    op.execute(
        "UPDATE projects SET unfilled_articles = (SELECT count(*) FROM articles"
        " WHERE articles.project_id = projects.id AND articles.assigned_count < projects.overlap)"
    )


def downgrade() -> None:
    with op.batch_alter_table("projects") as batch:
        batch.drop_column("unfilled_articles")
    op.drop_index("ix_articles_next", table_name="articles")
    op.create_index("ix_articles_next", "articles", ["project_id", "assigned_count", "id"])
