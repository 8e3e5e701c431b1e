"""Every committed change of a synced row goes into ``change_log``, in its transaction.

``install()`` hooks the ORM's flush: before it, a change of a case's type detail (the ASB
detail, a trigger application, a panel referral, MART detail, a sanctuary job) also
touches the case row, so the case's ``version`` counts every change of the case-level
record and one loaded version guards both (a person's aliases and addresses likewise
touch the person); after it, one ``change_log`` row per row
inserted, updated or deleted (table, uuid, version, op, the changed column names, actor,
time) is inserted on the same connection, so it commits or rolls back with the change.

The actor comes from ``session.info`` (``ACTOR_ID``, ``ACTOR_NAME``), which the unit of
work sets. Writes that bypass the ORM (Core ``update()``/``delete()``, the demo loader's
bulk insert) are not logged; ``docs/SYNC.md`` lists them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session, UOWTransaction

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
    _installed = True


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
        session.connection().execute(insert(ChangeLog), rows)
