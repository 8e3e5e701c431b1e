"""What others changed since a screen last looked: the cheap "last change" marker a
desktop polls (the newest ``change_log`` id, one index lookup) and, when it moved, which
cases and kinds of record the new changes touched (ids and kinds only, never values;
nothing identifiable is read, so nothing is audited)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from casework.core.context import Workspace
from db.models import ChangeLog

MAX_ROWS = 2000  # more than this since the last look: every screen refreshes
KIND_OF = {
    "tasks": "task", "people": "person", "person_aliases": "person",
    "addresses": "person", "person_addresses": "person", "meetings": "meeting",
    "meeting_attendance": "meeting", "meeting_items": "meeting",
}


@dataclass(frozen=True)
class Changes:
    """Changes after a marker, by users other than the one asking."""

    last: int
    case_ids: frozenset[int]
    kinds: frozenset[str]
    everything: bool = False  # too many to list: refresh every screen

    @property
    def any(self) -> bool:
        return self.everything or bool(self.case_ids or self.kinds)


def last_change(ws: Workspace) -> int:
    """The marker: the newest change's id (0 for none)."""
    with ws.uow() as session:
        return int(session.scalar(select(func.max(ChangeLog.id))) or 0)


def changes_after(ws: Workspace, marker: int) -> Changes:
    """What other users changed after ``marker`` (the caller's own changes are announced
    by the screens that made them)."""
    with ws.uow() as session:
        rows = session.execute(
            select(ChangeLog.id, ChangeLog.table_name, ChangeLog.case_id, ChangeLog.actor_id)
            .where(ChangeLog.id > marker).order_by(ChangeLog.id).limit(MAX_ROWS + 1)).all()
        if len(rows) > MAX_ROWS:
            last = int(session.scalar(select(func.max(ChangeLog.id))) or marker)
            return Changes(last, frozenset(), frozenset({"case"}), everything=True)
    last = rows[-1].id if rows else marker
    mine = ws.actor.user_id
    others = [r for r in rows if r.actor_id is None or r.actor_id != mine]
    case_ids = frozenset(r.case_id for r in others if r.case_id is not None)
    kinds = {KIND_OF.get(r.table_name, "case") for r in others}
    return Changes(last, case_ids, frozenset(kinds))
