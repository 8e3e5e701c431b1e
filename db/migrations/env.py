"""Alembic environment: always given a live connection by db.migrate (no URLs, no keys)."""

from alembic import context

from db.models import Base
from db.models.search import include_name

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("casework migrations run through db.migrate with a live connection")

# Batch mode (copy-and-move tables) is what SQLite needs to alter a table; PostgreSQL alters
# in place, so it runs the same revisions without it.
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    include_name=include_name,  # the FTS5 search index is not a model
)
with context.begin_transaction():
    context.run_migrations()
