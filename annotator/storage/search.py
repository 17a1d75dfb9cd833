"""Finding articles by the words they hold: in any order, each word a prefix.

SQLite answers from an FTS5 index that triggers keep beside `articles`;
PostgreSQL from a GIN index over `to_tsvector('simple', ...)` (both made by
migration 0011),
which neither stems nor drops stop words, so both find the same articles. Both
index the title and the first SEARCHED_CHARS characters of the text: a
PostgreSQL tsvector is capped at 1 MB, and an article's opening is where the
words a lead looks for are.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import ColumnElement, column, text

from annotator.storage.tables import Article

SEARCHED_CHARS = 200_000
# Words past this many are ignored: each one narrows the search, and more only cost time.
MAX_WORDS = 16
# What the migration creates, and schema comparison leaves alone: the FTS5 table and its shadow
# tables on SQLite, the expression index on PostgreSQL. None of them is a model.
SEARCH_PREFIX = "article_search"

# Letters and digits only: no character of FTS5's or tsquery's syntax reaches either engine.
_WORD = re.compile(r"[^\W_]+")


def search_words(query: str) -> list[str]:
    """The words of a search box's text, as both engines split them."""
    return _WORD.findall(query.lower())[:MAX_WORDS]


def articles_with_words(dialect: str, words: list[str]) -> ColumnElement[bool]:
    """A condition on `articles`: the row holds every word, as a word or a word's beginning."""
    if dialect == "sqlite":
        matched = text("SELECT rowid FROM article_search WHERE article_search MATCH :words").bindparams(
            words=" ".join(f'"{word}"*' for word in words)
        )
        return Article.id.in_(matched.columns(column("rowid")))
    # The index's expression (migration 0011), so that PostgreSQL uses the index.
    tsvector = f"to_tsvector('simple', articles.title || ' ' || left(articles.text, {SEARCHED_CHARS}))"
    return text(f"{tsvector} @@ to_tsquery('simple', :words)").bindparams(  # type: ignore[return-value]
        words=" & ".join(f"{word}:*" for word in words)
    )


def made_by_models(name: str | None, type_: str, parent_names: Any) -> bool:
    """Alembic's include_name hook: whether a reflected object is one the models describe, which the
    search index's tables, triggers and expression index are not."""
    return not (name or "").startswith(SEARCH_PREFIX)
