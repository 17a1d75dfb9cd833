"""Predictions of models, stored apart from annotators' labels, and the evaluations of them;
which model a project offers as suggestions, its blind control share, and the decisions
annotators made about suggestions. Articles get the digest of their normalised text
(near-duplicates; splits of articles without an external id).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""

import hashlib
import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def normalised_digest(text: str) -> str:
    # As annotator.ingest.store.normalised_digest; a migration keeps its own copy of the rule it applied.
    return hashlib.sha256(" ".join(unicodedata.normalize("NFC", text).split()).encode("utf-8")).hexdigest()


def upgrade() -> None:
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("text_norm_sha256", sa.String(64)))
    articles = sa.table("articles", sa.column("id", sa.Integer), sa.column("text", sa.Text), sa.column("text_norm_sha256", sa.String))
    connection, after = op.get_bind(), 0
    while rows := connection.execute(
        sa.select(articles.c.id, articles.c.text).where(articles.c.id > after).order_by(articles.c.id).limit(1000)
    ).all():
        for article_id, text in rows:
            connection.execute(articles.update().where(articles.c.id == article_id).values(text_norm_sha256=normalised_digest(text)))
        after = rows[-1][0]
    op.create_index("ix_articles_norm_text", "articles", ["project_id", "text_norm_sha256"])
    op.create_table(
        "predictions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("project_id", sa.Integer(), sa.ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
        sa.Column("article_id", sa.Integer(), sa.ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
        sa.Column("model", sa.String(80), nullable=False),
        sa.Column("model_version", sa.String(80), nullable=False),
        sa.Column("content", JSON_DOCUMENT, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("article_id", "model", "model_version"),
    )
    op.create_index("ix_predictions_project_model", "predictions", ["project_id", "model", "model_version"])
    op.create_table(
        "evaluations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("project_id", sa.Integer(), sa.ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
        sa.Column("model", sa.String(80), nullable=False),
        sa.Column("model_version", sa.String(80), nullable=False),
        sa.Column("gold_version", sa.String(400), nullable=False),
        sa.Column("split", sa.String(10)),
        sa.Column("statement_keys_f1", sa.Float()),
        sa.Column("report", JSON_DOCUMENT, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_evaluations_project_id", "evaluations", ["project_id"])
    with op.batch_alter_table("projects") as batch:
        batch.add_column(sa.Column("suggestion_model", sa.String(170)))
        batch.add_column(sa.Column("control_share", sa.Float(), nullable=False, server_default="0.1"))
    with op.batch_alter_table("annotation_revisions") as batch:
        batch.add_column(sa.Column("suggestion_decisions", sa.JSON()))


def downgrade() -> None:
    op.drop_index("ix_articles_norm_text", table_name="articles")
    with op.batch_alter_table("articles") as batch:
        batch.drop_column("text_norm_sha256")
    with op.batch_alter_table("annotation_revisions") as batch:
        batch.drop_column("suggestion_decisions")
    with op.batch_alter_table("projects") as batch:
        batch.drop_column("control_share")
        batch.drop_column("suggestion_model")
    op.drop_table("evaluations")
    op.drop_table("predictions")
