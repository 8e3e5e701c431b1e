"""Writing many rows in one transaction fast: primary keys assigned here, rows buffered
per table and written parents first.

On a database file every transaction is ``BEGIN IMMEDIATE``, so no other writer can take
an id meanwhile: ids continue from the table's ``max(id)``, and each table's rows go in
one ``executemany``, which binds one row at a time, so SQLite's limit on variables in one
statement is never approached.

On a team server other writers take ids at the same time, and the policies hide rows
(``max(id)`` as the importer sees it is not the table's): ids are reserved from the
table's own sequence, in blocks (``nextval`` over ``generate_series``), so they never
meet another writer's. Rows go in multi-row ``INSERT``s (at most
``db.batches.MAX_VARIABLES`` values each, as every statement), so the server's
statement-level counter trigger runs once per statement and the case counters end
exact; each inserted synced row gets its ``change_log`` row (written by the ORM's flush
for every other write), so other desktops and conflict checks see it.

The buffers are written whenever one holds ``batch`` rows, so memory stays flat however
large the import.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Table, func, select, text
from sqlalchemy.orm import Session

from db import clock
from db.batches import chunks, rows_per_statement
from db.changelog import ACTOR_ID, ACTOR_NAME
from db.dialects import on_server
from db.models.base import Base

CACHE_KIB = 64_000
CASE_INSERT_TRIGGER = "tr_cases_count_insert"
GROUP = ("case_type", "team_id", "panel_id", "status", "risk_level", "owner_id")
# Team server: ids reserved per round trip (the first block small, then doubling).
FIRST_BLOCK = 16


class BulkWriter:
    def __init__(self, session: Session, batch: int = 5000) -> None:
        self.session = session
        self.server = on_server(session)
        if not self.server:
            # a page cache large enough that SQLCipher does not spill and re-encrypt pages
            # of the growing tables and indexes mid-transaction (kilobytes; this
            # connection only)
            raw = session.connection().connection.dbapi_connection
            assert raw is not None
            raw.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        self.batch = batch
        self._next: dict[str, int] = {}
        self._reserved: dict[str, list[int]] = {}  # team server: ids taken, not yet used
        self._block: dict[str, int] = {}
        self._rows: dict[str, list[dict[str, Any]]] = {}
        self.written = 0
        self._trigger_sql: str | None = None
        self._first_case: int | None = None

    def next_id(self, model: Any) -> int:
        table: Table = model.__table__
        if self.server:
            return self._server_id(table)
        if table.name not in self._next:
            top = self.session.scalar(select(func.max(table.c.id)))
            self._next[table.name] = (top or 0) + 1
        value = self._next[table.name]
        self._next[table.name] = value + 1
        return value

    def _server_id(self, table: Table) -> int:
        """The next id of the block reserved from the table's sequence; a new block when
        it is used up (ids left over at the end are gaps, as after a rollback)."""
        free = self._reserved.get(table.name)
        if not free:
            size = self._block.get(table.name, FIRST_BLOCK)
            self._block[table.name] = min(size * 2, max(self.batch, FIRST_BLOCK))
            taken = self.session.scalars(text(
                "SELECT nextval(pg_get_serial_sequence(:t, 'id')) "
                "FROM generate_series(1, :n)"), {"t": table.name, "n": size})
            free = sorted((int(v) for v in taken), reverse=True)
            self._reserved[table.name] = free
        return free.pop()

    def add(self, model: Any, **row: Any) -> int:
        """Buffer one row (``id`` assigned when absent); returns its id."""
        if "id" not in row and "id" in model.__table__.c:
            row["id"] = self.next_id(model)
        rows = self._rows.setdefault(model.__table__.name, [])
        rows.append(row)
        if len(rows) >= self.batch:
            self.flush()
        return int(row.get("id", 0))

    def flush(self) -> None:
        """Write every buffered row, parents first, through the driver's ``executemany``
        (past SQLAlchemy's per-value processing, most of the time of a large import),
        with values stored as SQLAlchemy's SQLite dialect stores them."""
        raw = self.session.connection().connection.dbapi_connection
        assert raw is not None
        for table in Base.metadata.sorted_tables:
            rows = self._rows.pop(table.name, None)
            if not rows:
                continue
            if self.server:
                self._write_server(table, rows)
                continue
            keys = list(rows[0])
            extra: list[Any] = []
            for column in table.columns:
                default = column.default
                if column.name in keys or default is None or not hasattr(default, "arg"):
                    continue
                if column.unique and callable(default.arg):  # a row identity: one each
                    for row in rows:
                        row[column.name] = default.arg(None)
                    keys.insert(len(keys) - len(extra), column.name)
                    continue
                value = default.arg(None) if callable(default.arg) else default.arg
                keys.append(column.name)
                extra.append(stored(value))
            given, tail = keys[:len(keys) - len(extra)], tuple(extra)
            names = ", ".join(f'"{k}"' for k in keys)
            sql = (f'INSERT INTO "{table.name}" ({names}) '
                   f'VALUES ({", ".join("?" * len(keys))})')
            if table.name == "cases":
                self._suspend_case_trigger(raw)
            kinds = _converted(table)
            if any(k in kinds for k in given):
                values = [tuple(stored(row[k]) if k in kinds else row[k] for k in given) + tail
                          for row in rows]
            else:
                values = [tuple(row[k] for k in given) + tail for row in rows]
            raw.executemany(sql, values)
            self.written += len(rows)

    def _write_server(self, table: Table, rows: list[dict[str, Any]]) -> None:
        """Team server: the rows, with their Python defaults, in multi-row INSERTs
        (values as they are: the driver binds dates, datetimes and booleans as such), then
        one ``change_log`` row each when the table is synced. The counter trigger on
        ``cases`` stays: it runs once per statement, as owner."""
        for column in table.columns:
            default = column.default
            if column.name in rows[0] or default is None or not hasattr(default, "arg"):
                continue
            if column.unique and callable(default.arg):  # a row identity: one each
                for row in rows:
                    row[column.name] = default.arg(None)
                continue
            value = default.arg(None) if callable(default.arg) else default.arg
            for row in rows:
                row[column.name] = value
        conn = self.session.connection()
        _insert_rows(conn, table.name, list(rows[0]), rows)
        self.written += len(rows)
        if "uuid" not in table.c or "version" not in table.c:
            return
        info = self.session.info
        actor_id, actor = info.get(ACTOR_ID), str(info.get(ACTOR_NAME, ""))
        now = clock.utcnow()
        pk = [c.name for c in table.primary_key.columns]
        case_col = "id" if table.name == "cases" else \
            ("case_id" if "case_id" in table.c else None)
        log = [{"table_name": table.name, "row_uuid": row["uuid"],
                "row_id": ",".join(str(row[k]) for k in pk),
                "case_id": row[case_col] if case_col is not None else None,
                "version": row["version"], "op": "insert", "columns": "",
                "actor_id": actor_id, "actor": actor, "at": now} for row in rows]
        _insert_rows(conn, "change_log", list(log[0]), log)

    def _suspend_case_trigger(self, raw: Any) -> None:
        """The case list's counters are kept by a trigger on every insert into ``cases``
        (one counter update and one version bump per row, most of the cost of a large
        import). Inside this transaction the trigger is dropped; ``finish`` adds the new
        cases to the counters in one statement and puts the trigger back exactly as it
        was. A rollback undoes both (SQLite's schema changes are transactional)."""
        if self._trigger_sql is not None:
            return
        row = raw.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?",
                          (CASE_INSERT_TRIGGER,)).fetchone()
        if row is None:
            return
        self._trigger_sql = row[0]
        self._first_case = int(raw.execute("SELECT coalesce(max(id), 0) + 1 FROM cases")
                               .fetchone()[0])
        raw.execute(f'DROP TRIGGER "{CASE_INSERT_TRIGGER}"')

    def finish(self) -> None:
        """Write what is buffered and bring the case counters up to date (on a team
        server the trigger has kept them)."""
        self.flush()
        if self._trigger_sql is None:
            return
        raw = self.session.connection().connection.dbapi_connection
        assert raw is not None
        cols = ", ".join(GROUP)
        match = " AND ".join(f"k.{c} IS g.{c}" for c in GROUP)
        raw.execute(
            f"INSERT INTO case_counts ({cols}, n) SELECT {cols}, 0 FROM "
            f"(SELECT DISTINCT {cols} FROM cases WHERE id >= ?) AS g WHERE NOT EXISTS "
            f"(SELECT 1 FROM case_counts AS k WHERE {match})", (self._first_case,))
        inner = " AND ".join(f"c.{col} IS case_counts.{col}" for col in GROUP)
        raw.execute(f"UPDATE case_counts SET n = n + (SELECT count(*) FROM cases AS c "
                    f"WHERE c.id >= ? AND {inner})", (self._first_case,))
        raw.execute("UPDATE case_list_state SET version = version + 1")
        raw.execute(self._trigger_sql)
        self._trigger_sql = None


def _insert_rows(conn: Connection, table: str, keys: list[str],
                 rows: list[dict[str, Any]]) -> None:
    """Team server: ``rows`` in multi-row INSERTs of at most ``MAX_VARIABLES`` values each
    (``db.batches``: the bound every statement keeps), as driver SQL (past SQLAlchemy's
    per-value processing); no RETURNING: a returned row would have to pass the table's
    read policy too."""
    names = ", ".join(f'"{k}"' for k in keys)
    one = "(" + ", ".join(["%s"] * len(keys)) + ")"
    for part in chunks(rows, rows_per_statement(len(keys))):
        sql = f'INSERT INTO "{table}" ({names}) VALUES ' + ", ".join([one] * len(part))
        conn.exec_driver_sql(sql, tuple(row[k] for row in part for k in keys))


_CONVERTED: dict[str, frozenset[str]] = {}


def _converted(table: Table) -> frozenset[str]:
    """The columns whose values are dates, datetimes or booleans (stored as text / 0-1)."""
    if table.name not in _CONVERTED:
        names = set()
        for column in table.columns:
            try:
                kind = column.type.python_type
            except NotImplementedError:
                continue
            if issubclass(kind, (date, bool)):
                names.add(column.name)
        _CONVERTED[table.name] = frozenset(names)
    return _CONVERTED[table.name]


def stored(value: Any) -> Any:
    """A Python value as SQLAlchemy's SQLite dialect stores it (dates and datetimes as
    ISO text, booleans as 0/1); other values pass through unchanged."""
    if isinstance(value, datetime):
        return (f"{value.year:04d}-{value.month:02d}-{value.day:02d} {value.hour:02d}:"
                f"{value.minute:02d}:{value.second:02d}.{value.microsecond:06d}")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value
