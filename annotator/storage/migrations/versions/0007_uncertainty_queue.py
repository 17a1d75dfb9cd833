"""A project's queue order, and how sure a model was of each article's stances.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("projects") as batch:
        batch.add_column(sa.Column("queue_order", sa.String(20), nullable=False, server_default="fill"))
    with op.batch_alter_table("predictions") as batch:
        batch.add_column(sa.Column("stance_margin", sa.Float()))


def downgrade() -> None:
    with op.batch_alter_table("predictions") as batch:
        batch.drop_column("stance_margin")
    with op.batch_alter_table("projects") as batch:
        batch.drop_column("queue_order")
