"""Who disabled an account, and API token ids never reused on SQLite.

A lead may enable only what a lead disabled: the disabler is kept. SQLite gave a
new token the id of the newest revoked one, so an audit naming a token id could
point at the wrong token; AUTOINCREMENT makes every id new.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.add_column("users", sa.Column("disabled_by_id", sa.Integer()))
        op.create_foreign_key("users_disabled_by_id_fkey", "users", "users", ["disabled_by_id"], ["id"])
        return
    # Never rebuild `users` on SQLite: with foreign keys on, dropping the old table would cascade
    # to every token, session and membership. SQLite adds a referencing column in place.
    op.execute("ALTER TABLE users ADD COLUMN disabled_by_id INTEGER REFERENCES users (id)")
    # Table options change only with the table rebuilt (nothing references api_tokens). A revoked
    # token's id may already have been given again; from now on none is.
    with op.batch_alter_table("api_tokens", recreate="always", table_kwargs={"sqlite_autoincrement": True}):
        pass


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint("users_disabled_by_id_fkey", "users", type_="foreignkey")
        op.drop_column("users", "disabled_by_id")
        return
    with op.batch_alter_table("api_tokens", recreate="always", table_kwargs={"sqlite_autoincrement": False}):
        pass
    op.execute("ALTER TABLE users DROP COLUMN disabled_by_id")
