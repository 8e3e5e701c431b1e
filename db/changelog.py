"""Every committed change of a synced row goes into ``change_log``, in its transaction.

``install()`` hooks the ORM's flush: before it, a change of a case's type detail (the ASB
detail, a trigger application, a panel referral, MART detail, a sanctuary job) also
touches the case row, so the case's ``version`` counts every change of the case-level
record and one loaded version guards both (a person's aliases and addresses likewise
touch the person); after it, one ``change_log`` row per row
inserted, updated or deleted (table, uuid, version, op, the changed column names, actor,
time) is inserted on the same connection, so it commits or rolls back with the change.

A Core ``update()`` or ``delete()`` run through a session on a synced table (retention,
merging people) is logged too: the rows it will touch are read first with its WHERE
clause, an update raises their ``version`` and ``updated_at``, and one change-log row per
row follows. The actor comes from ``session.info`` (``ACTOR_ID``, ``ACTOR_NAME``), which
the unit of work sets. Only writes that bypass the session (the demo loader's bulk
insert on the raw connection, SQL typed into a database tool) are not logged.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, event, insert, inspect, select
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from db import clock
from db.models import (
    AsbDetail,
    Case,
    ChangeLog,
    MartDetail,
    Person,
    PersonAddress,
    PersonAlias,
    Referral,
    SanctuaryJob,
    TriggerApplication,
)
from db.models.base import Synced

ACTOR_ID = "casework.actor_id"
ACTOR_NAME = "casework.actor_name"
# a change of one of these is a change of its case (one version guards both)
CASE_LEVEL: tuple[type[Any], ...] = (AsbDetail, TriggerApplication, Referral, MartDetail,
                                     SanctuaryJob)
# a change of one of these is a change of its person (named by the table in the log)
PERSON_PARTS: tuple[type[Any], ...] = (PersonAlias, PersonAddress)
_SKIP_COLUMNS = frozenset({"version", "updated_at"})
_TOUCHED = "casework.touched"  # session.info: (table, id) -> the part tables that touched it
_installed = False


def install() -> None:
    """Hook the flush of every Session (once per process)."""
    global _installed
    if _installed:
        return
    event.listen(Session, "before_flush", _before_flush)
    event.listen(Session, "after_flush", _after_flush)
    event.listen(Session, "do_orm_execute", _bulk)
    _installed = True


_LOGGED = "casework_changelog"  # execution option: this statement is logged already
# Inline: no RETURNING of the new ids (nothing reads them). On a team server a returned
# row must also pass the change log's read policy, which compares its case with every case
# the writer sees: a cost that grew with the partnership's case count on every save.
_APPEND = insert(ChangeLog).inline()


def _bulk(state: ORMExecuteState) -> Any:
    """Log (and version) a bulk UPDATE or DELETE of a synced table."""
    if not (state.is_update or state.is_delete) or state.execution_options.get(_LOGGED):
        return None
    stmt: Any = state.statement
    table = getattr(stmt.table, "__table__", stmt.table)
    if not isinstance(table, Table) or "uuid" not in table.c or "version" not in table.c:
        return None
    case_col = table.c.id if table.name == "cases" else table.c.get("case_id")
    pk = list(table.primary_key.columns)
    wanted = [table.c.uuid, table.c.version, *pk] + ([case_col] if case_col is not None
                                                     else [])
    query = select(*wanted)
    if stmt.whereclause is not None:
        query = query.where(stmt.whereclause)
    session = state.session
    found = session.execute(query.execution_options(**{_LOGGED: True})).all()
    columns: list[str] = []
    if state.is_update:
        given = getattr(stmt, "_values", None) or {}
        columns = [n for n in (getattr(k, "key", None) or str(k) for k in given)
                   if n not in _SKIP_COLUMNS]
        extra: dict[Any, Any] = {table.c.version: table.c.version + 1}
        if "updated_at" in table.c and "updated_at" not in columns:
            extra[table.c.updated_at] = clock.utcnow()
        stmt = stmt.values(extra)
    result = state.invoke_statement(statement=stmt.execution_options(**{_LOGGED: True}))
    if found:
        who = (session.info.get(ACTOR_ID), str(session.info.get(ACTOR_NAME, "")))
        op = "update" if state.is_update else "delete"
        now = clock.utcnow()
        session.connection().execute(_APPEND, [
            {"table_name": table.name, "row_uuid": r[0],
             "version": r[1] + (1 if op == "update" else 0),
             "row_id": ",".join(str(v) for v in r[2:2 + len(pk)]),
             "case_id": r[-1] if case_col is not None else None, "op": op,
             "columns": ",".join(columns), "actor_id": who[0], "actor": who[1], "at": now}
            for r in found])
    return result


def log_update(session: Session, obj: Any, columns: list[str], version: int) -> None:
    """Log an update of ``obj``'s row made outside the unit of work (a team server's
    function for it), at the row's new ``version``."""
    who = (session.info.get(ACTOR_ID), str(session.info.get(ACTOR_NAME, "")))
    row = _row(obj, "update", columns, who)
    row["version"] = version
    session.connection().execute(_APPEND, [row])


def _changed_columns(obj: Any) -> list[str]:
    state = inspect(obj)
    names = []
    for column in state.mapper.column_attrs:
        if column.key in _SKIP_COLUMNS:
            continue
        if state.attrs[column.key].history.has_changes():
            names.append(column.columns[0].name)
    return names


def _parent(obj: Any) -> tuple[type[Any], int, str] | None:
    if isinstance(obj, CASE_LEVEL) and obj.case_id is not None:
        return Case, obj.case_id, ""
    if isinstance(obj, PERSON_PARTS):
        person = inspect(obj).attrs.person.loaded_value  # never loads
        ident = obj.person_id if obj.person_id is not None else getattr(person, "id", None)
        if ident is not None:
            return Person, ident, obj.__tablename__
    return None


def _before_flush(session: Session, _ctx: UOWTransaction, _instances: Any) -> None:
    touched: dict[tuple[type[Any], int], set[str]] = {}
    changed = [o for o in session.dirty if _changed_columns(o)]
    for obj in [*changed, *session.new, *session.deleted]:
        parent = _parent(obj)
        if parent is not None:
            touched.setdefault(parent[:2], set()).update([parent[2]] if parent[2] else [])
    if not touched:
        return
    now = clock.utcnow()
    labels = session.info.setdefault(_TOUCHED, {})
    with session.no_autoflush:
        for (model, ident), parts in touched.items():
            row = session.get(model, ident)
            if row is not None and row not in session.new and row not in session.deleted:
                row.updated_at = now
                labels.setdefault((model.__tablename__, ident), set()).update(parts)


def _row(obj: Any, op: str, columns: list[str], who: tuple[Any, str]) -> dict[str, Any]:
    state = inspect(obj)
    ident = state.identity or state.mapper.primary_key_from_instance(obj)
    case_id = obj.id if isinstance(obj, Case) else getattr(obj, "case_id", None)
    return {"table_name": obj.__tablename__, "row_uuid": obj.uuid,
            "row_id": ",".join(str(v) for v in ident or ()), "case_id": case_id,
            "version": obj.version, "op": op, "columns": ",".join(columns),
            "actor_id": who[0], "actor": who[1], "at": clock.utcnow()}


def _after_flush(session: Session, _ctx: UOWTransaction) -> None:
    who = (session.info.get(ACTOR_ID), str(session.info.get(ACTOR_NAME, "")))
    labels = session.info.get(_TOUCHED, {})
    rows = []
    for obj in session.new:
        if isinstance(obj, Synced):
            rows.append(_row(obj, "insert", [], who))
    for obj in session.dirty:
        if isinstance(obj, Synced) and session.is_modified(obj, include_collections=False):
            # an update with no named column touched the case for its type detail
            key = (inspect(obj).mapper.local_table.name, inspect(obj).identity[0])
            parts = labels.pop(key, set())
            rows.append(_row(obj, "update", _changed_columns(obj) + sorted(parts), who))
    for obj in session.deleted:
        if isinstance(obj, Synced):
            rows.append(_row(obj, "delete", [], who))
    if rows:
        # a case or person first: a conflict's story reads from its row's change onwards
        rows.sort(key=lambda r: r["table_name"] not in ("cases", "people"))
        session.connection().execute(_APPEND, rows)
