"""Alembic environment: runs on the connection handed over by annotator.storage.migrate."""

from alembic import context

from annotator.storage.search import made_by_models
from annotator.storage.tables import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    # The search index is made by raw DDL, not by a model (annotator.storage.search).
    include_name=made_by_models,
)
with context.begin_transaction():
    context.run_migrations()
