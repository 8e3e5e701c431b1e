"""Saving an edit based on the version the user loaded (optimistic concurrency).

A screen shows a record at a ``version``; the service that saves an edit of it takes that
version back (``loaded_version``) and, inside its unit of work, calls ``check``. If the
record has moved on, nothing is written and ``EditConflict`` says who changed it, when,
and which fields (names from ``change_log``, never values). The ORM also checks the
version in every UPDATE's WHERE clause, so two transactions racing past ``check`` cannot
both win either (``Workspace.uow`` turns that into ``EditConflict`` too).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.core.errors import EditConflict
from db.changelog import CASE_LEVEL
from db.models import Case, ChangeLog, User

MAX_NAMED_FIELDS = 6
# how a column is named to a user; a column not listed is shown with its words
FIELD_LABELS = {
    "status": "status", "closed_on": "closed date", "outcome": "outcome",
    "owner_id": "officer", "team_id": "team", "panel_id": "panel",
    "risk_level": "risk level", "next_review_on": "next review", "summary": "summary",
    "given_name": "given name", "family_name": "family name", "date_of_birth": "date of birth",
}
_CASE_TABLES = frozenset({"cases", *(m.__tablename__ for m in CASE_LEVEL)})


@dataclass(frozen=True)
class ChangeBy:
    """One other user's change since the loaded version (no values)."""

    username: str
    display_name: str
    at: datetime
    fields: tuple[str, ...]


def _label(column: str) -> str:
    return FIELD_LABELS.get(column, column.removesuffix("_id").replace("_", " "))


def changes_since(session: Session, record: Any, loaded_version: int) -> list[ChangeBy]:
    """Who changed ``record`` (a case with its type detail, or one synced row) after
    ``loaded_version``, oldest first."""
    table = record.__tablename__
    first = session.scalar(
        select(ChangeLog.id).where(ChangeLog.table_name == table,
                                   ChangeLog.row_uuid == record.uuid,
                                   ChangeLog.version > loaded_version)
        .order_by(ChangeLog.id).limit(1))
    if first is None:
        return []
    if isinstance(record, Case):
        where = [ChangeLog.case_id == record.id, ChangeLog.table_name.in_(_CASE_TABLES)]
    else:
        where = [ChangeLog.table_name == table, ChangeLog.row_uuid == record.uuid]
    rows = session.execute(
        select(ChangeLog.actor, ChangeLog.actor_id, ChangeLog.at, ChangeLog.columns)
        .where(ChangeLog.id >= first, *where).order_by(ChangeLog.id)).all()
    names = {uid: name for uid, name in session.execute(
        select(User.id, User.display_name).where(
            User.id.in_({r.actor_id for r in rows if r.actor_id is not None})))}
    out: list[ChangeBy] = []
    for r in rows:
        fields = tuple(_label(c) for c in r.columns.split(",") if c)
        if out and out[-1].username == r.actor and (out[-1].at - r.at).total_seconds() <= 1:
            merged = out[-1].fields + tuple(f for f in fields if f not in out[-1].fields)
            out[-1] = ChangeBy(r.actor, out[-1].display_name, r.at, merged)
        else:
            out.append(ChangeBy(r.actor, names.get(r.actor_id, ""), r.at, fields))
    return out


def describe(what: str, changes: list[ChangeBy]) -> str:
    """The conflict message: what, by whom, when (UTC) and which fields."""
    if not changes:
        who = "another user"
        detail = ""
    else:
        people: list[str] = []
        for c in changes:
            name = f"{c.display_name} ({c.username})" if c.display_name else c.username
            if name not in people:
                people.append(name or "the system")
        last = changes[-1].at
        who = " and ".join(people[:3]) + (" and others" if len(people) > 3 else "")
        who += f" at {last:%H:%M} UTC on {last:%d %b %Y}"
        fields: list[str] = []
        for c in changes:
            fields.extend(f for f in c.fields if f not in fields)
        detail = ""
        if fields:
            shown = fields[:MAX_NAMED_FIELDS]
            more = len(fields) - len(shown)
            detail = f" (changed: {', '.join(shown)}{f' and {more} more' if more else ''})"
    return (f"{what} was changed by {who} after you opened it{detail}. Your edit was not "
            "saved and what you typed is kept: reload to see their changes, then save again.")


def check(session: Session, record: Any, loaded_version: int | None, what: str,
          record_type: str = "", record_id: object = "") -> None:
    """Refuse the save (``EditConflict``) if ``record`` is no longer at
    ``loaded_version``. ``None`` means the caller did not load it (no check)."""
    if loaded_version is None or record.version == loaded_version:
        return
    raise EditConflict(describe(what, changes_since(session, record, loaded_version)),
                       record_type=record_type, record_id=record_id,
                       current_version=record.version)
