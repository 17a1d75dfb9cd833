"""Full-text search of articles: words in any order, each a prefix (annotator.storage.search).

SQLite: a contentless FTS5 table kept by triggers on `articles`. PostgreSQL: a
GIN index over the expression the search uses. Both hold the title and the
first 200,000 characters of the text.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

POSTGRESQL_INDEX = (
    "CREATE INDEX article_search_words ON articles USING gin "
    "(to_tsvector('simple', title || ' ' || left(text, 200000)))"
)


def _words(row: str) -> str:
    return f"{row}.id, {row}.title, substr({row}.text, 1, 200000)"


SQLITE_OBJECTS = (
    # Contentless: the words are indexed, the text stays in `articles` alone.
    "CREATE VIRTUAL TABLE article_search USING fts5(title, text, content='', detail=none, tokenize='unicode61')",
    f"INSERT INTO article_search(rowid, title, text) SELECT {_words('articles')} FROM articles",
    f"""CREATE TRIGGER article_search_added AFTER INSERT ON articles BEGIN
        INSERT INTO article_search(rowid, title, text) VALUES ({_words('new')});
    END""",
    # A contentless index forgets a row only when given the words it indexed for it.
    f"""CREATE TRIGGER article_search_removed AFTER DELETE ON articles BEGIN
        INSERT INTO article_search(article_search, rowid, title, text) VALUES ('delete', {_words('old')});
    END""",
    # Only on a change of the words: a claim updates its article on every "next".
    f"""CREATE TRIGGER article_search_changed AFTER UPDATE OF title, text ON articles BEGIN
        INSERT INTO article_search(article_search, rowid, title, text) VALUES ('delete', {_words('old')});
        INSERT INTO article_search(rowid, title, text) VALUES ({_words('new')});
    END""",
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.execute(POSTGRESQL_INDEX)
        return
    for statement in SQLITE_OBJECTS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.execute("DROP INDEX article_search_words")
        return
    for trigger in ("added", "removed", "changed"):
        op.execute(f"DROP TRIGGER article_search_{trigger}")
    op.execute("DROP TABLE article_search")
