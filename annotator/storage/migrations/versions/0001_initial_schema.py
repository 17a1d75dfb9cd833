"""Initial schema: users, tokens, label schemas, projects, articles, assignments, revisions.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _timestamp(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "label_schemas",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("version", sa.String(40), nullable=False),
        sa.Column("document", JSON_DOCUMENT, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        _timestamp("created_at"),
        sa.UniqueConstraint("name", "version"),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(80), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        _timestamp("created_at"),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        _timestamp("created_at"),
        _timestamp("last_used_at", nullable=True),
    )
    op.create_index("ix_api_tokens_user_id", "api_tokens", ["user_id"])
    op.create_table(
        "projects",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(120), nullable=False, unique=True),
        sa.Column("label_schema_id", sa.Integer(), sa.ForeignKey("label_schemas.id"), nullable=False),
        sa.Column("overlap", sa.Integer(), nullable=False),
        _timestamp("created_at"),
    )
    op.create_table(
        "articles",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("project_id", sa.Integer(), sa.ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
        sa.Column("external_id", sa.String(200)),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("text_sha256", sa.String(64), nullable=False),
        sa.Column("outlet", sa.String(200)),
        sa.Column("url", sa.Text()),
        sa.Column("published", sa.String(40)),
        sa.Column("meta", JSON_DOCUMENT, nullable=False),
        sa.Column("assigned_count", sa.Integer(), nullable=False),
        _timestamp("created_at"),
        sa.UniqueConstraint("project_id", "text_sha256"),
    )
    op.create_index("ix_articles_next", "articles", ["project_id", "assigned_count", "id"])
    op.create_table(
        "assignments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("project_id", sa.Integer(), sa.ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
        sa.Column("article_id", sa.Integer(), sa.ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("head_revision_id", sa.Integer()),
        _timestamp("assigned_at"),
        _timestamp("updated_at"),
        sa.UniqueConstraint("article_id", "user_id"),
    )
    op.create_index("ix_assignments_user_project", "assignments", ["user_id", "project_id", "status"])
    op.create_table(
        "annotation_revisions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "assignment_id", sa.Integer(), sa.ForeignKey("assignments.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("base_revision_id", sa.Integer(), sa.ForeignKey("annotation_revisions.id")),
        sa.Column("author_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("label_schema_id", sa.Integer(), sa.ForeignKey("label_schemas.id"), nullable=False),
        sa.Column("schema_version", sa.String(40), nullable=False),
        sa.Column("content", JSON_DOCUMENT, nullable=False),
        sa.Column("seconds_spent", sa.Float()),
        _timestamp("created_at"),
    )
    op.create_index("ix_annotation_revisions_assignment_id", "annotation_revisions", ["assignment_id"])
    # Assignments and revisions point at each other, so this key comes last.
    with op.batch_alter_table("assignments") as batch:
        batch.create_foreign_key(
            "fk_assignments_head_revision", "annotation_revisions", ["head_revision_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("assignments") as batch:
        batch.drop_constraint("fk_assignments_head_revision", type_="foreignkey")
    for table in ("annotation_revisions", "assignments", "articles", "projects", "api_tokens", "users", "label_schemas"):
        op.drop_table(table)
