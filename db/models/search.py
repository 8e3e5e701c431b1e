"""The substring index on addresses' first lines (SQLite only).

``address_lines`` is an FTS5 table with the trigram tokenizer over ``addresses.line1``
(external content: it stores the trigrams, the text stays in ``addresses``), so "contains
this text" is a few index lookups instead of a read of every first line. Triggers created
by migration ``0010_m1`` keep it in step with every insert, update and delete of an
address; ``REBUILD_ADDRESS_LINES`` rebuilds it from the addresses (after a bulk load with
the triggers dropped, or by the check command) and ``address_line_problems`` says whether
it agrees with them.

It is not a model: SQLAlchemy cannot describe a virtual table, and FTS5 keeps its own
shadow tables beside it (``address_lines_data`` ...). ``include_name`` leaves all of them
out of a comparison of the schema with the models. PostgreSQL has no such table (the
search uses ILIKE there).
"""

from __future__ import annotations

from typing import Any

ADDRESS_LINES = "address_lines"
TRIGRAM = 3  # the shortest text the trigram index can look up

REBUILD_ADDRESS_LINES = (f"INSERT INTO {ADDRESS_LINES}({ADDRESS_LINES}) VALUES ('rebuild')",)


def is_search_table(name: str) -> bool:
    """Whether ``name`` is the FTS5 table or one of its shadow tables."""
    return name == ADDRESS_LINES or name.startswith(f"{ADDRESS_LINES}_")


def include_name(name: str | None, type_: str, _parents: Any) -> bool:
    """Alembic's ``include_name`` hook: compare every table but the search index's."""
    return not (type_ == "table" and name is not None and is_search_table(name))


def address_line_problems(conn: Any) -> list[str]:
    """Where the first-line index disagrees with the addresses (empty when it agrees, or
    on a database without it). ``conn`` is a DB-API connection to SQLite."""
    present = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                           (ADDRESS_LINES,)).fetchone()
    if present is None:
        return []
    try:
        conn.execute(f"INSERT INTO {ADDRESS_LINES}({ADDRESS_LINES}, rank) "
                     "VALUES ('integrity-check', 1)")
    except Exception as exc:  # noqa: BLE001 - SQLITE_CORRUPT_VTAB: the index is out of step
        if "malformed" not in str(exc) and "corrupt" not in str(exc).lower():
            raise
        return ["The address search index does not match the addresses "
                "(casework check --rebuild-counts rebuilds it)."]
    return []
