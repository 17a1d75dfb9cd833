"""Storage: SQLAlchemy 2 over SQLite (default) or PostgreSQL, migrated by Alembic."""

from annotator.storage.database import Database

__all__ = ["Database"]
