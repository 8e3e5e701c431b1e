"""address search: a trigram index on addresses' first lines (SQLite)

Revision ID: 0010_m1
Revises: 0009_gaps

An FTS5 table with the trigram tokenizer over ``addresses.line1`` (external content) and
the triggers that keep it in step, so a first line containing the typed text is found by
index lookups rather than by reading every first line. Built from the addresses already
there. PostgreSQL is unchanged.
"""

from alembic import op

revision = "0010_m1"
down_revision = "0009_gaps"
branch_labels = None
depends_on = None

DDL = [
    "CREATE VIRTUAL TABLE address_lines USING fts5(line1, content='addresses', "
    "content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER tr_addresses_lines_insert AFTER INSERT ON addresses BEGIN "
    "INSERT INTO address_lines(rowid, line1) VALUES (NEW.id, NEW.line1); END",
    "CREATE TRIGGER tr_addresses_lines_delete AFTER DELETE ON addresses BEGIN "
    "INSERT INTO address_lines(address_lines, rowid, line1) VALUES ('delete', OLD.id, "
    "OLD.line1); END",
    "CREATE TRIGGER tr_addresses_lines_update AFTER UPDATE OF line1 ON addresses BEGIN "
    "INSERT INTO address_lines(address_lines, rowid, line1) VALUES ('delete', OLD.id, "
    "OLD.line1); INSERT INTO address_lines(rowid, line1) VALUES (NEW.id, NEW.line1); END",
    "INSERT INTO address_lines(address_lines) VALUES ('rebuild')",
]


def upgrade() -> None:
    if op.get_context().dialect.name != "sqlite":
        return
    for ddl in DDL:
        op.execute(ddl)


def downgrade() -> None:
    if op.get_context().dialect.name != "sqlite":
        return
    for name in ("tr_addresses_lines_update", "tr_addresses_lines_delete",
                 "tr_addresses_lines_insert"):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS address_lines")
