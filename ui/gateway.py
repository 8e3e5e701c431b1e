"""Read adapters for what every case view shows but no casework service returns yet.

WORKAROUND (to move into casework): the case view needs the case's header, its people
with their names, notes, tasks and its audit history. Each function below first uses a
casework service of that name if one exists; otherwise it reads inside one unit of work,
after ``cases.load_case`` has checked permission, and returns plain dataclasses. The
history holds only what audit entries hold (who, when, action; never sensitive values).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from ui.services import available, svc


@dataclass(frozen=True)
class PartyRow:
    person_id: int
    name: str
    role: str
    agency: str
    date_of_birth: date | None


@dataclass(frozen=True)
class TaskRow:
    id: int
    title: str
    kind: str
    due_on: date
    completed_on: date | None


@dataclass(frozen=True)
class NoteRow:
    id: int
    created_at: str
    author: str
    body: str
    shareable: bool


@dataclass(frozen=True)
class HistoryRow:
    when: str
    username: str
    action: str
    reason: str


def _service(module: str, name: str) -> Any:
    if available(module, name):
        return getattr(svc(module), name)
    return None


def case_header(ws: Any, case_id: int) -> Any:
    """The case's CaseHeader (permission checked)."""
    from casework.cases import CaseHeader, load_case

    with ws.uow() as session:
        return CaseHeader.of(load_case(ws, session, case_id))


def case_people(ws: Any, case_id: int) -> list[PartyRow]:
    """The people linked to a case, with the names the case manager works with."""
    from sqlalchemy import select

    from casework import audit
    from casework.cases import load_case
    from db.models import CaseParty, Person

    with ws.uow() as session:
        load_case(ws, session, case_id)
        rows = session.execute(
            select(CaseParty.person_id, Person.given_name, Person.family_name,
                   CaseParty.role, CaseParty.agency, Person.date_of_birth)
            .join(Person, Person.id == CaseParty.person_id)
            .where(CaseParty.case_id == case_id).order_by(CaseParty.id)).all()
        audit.record(ws, session, "view", "case", case_id, detail={"part": "people"})
        return [PartyRow(r[0], f"{r[1]} {r[2]}".strip(), r[3], r[4], r[5]) for r in rows]


def case_tasks(ws: Any, case_id: int) -> list[TaskRow]:
    fn = _service("tasks", "case_tasks")
    if fn is not None:
        return [TaskRow(t.id, t.title, t.kind, t.due_on, t.completed_on) for t in fn(ws, case_id)]
    from sqlalchemy import select

    from casework.cases import load_case
    from db.models import Task

    with ws.uow() as session:
        load_case(ws, session, case_id)
        return [TaskRow(t.id, t.title, t.kind, t.due_on, t.completed_on) for t in
                session.scalars(select(Task).where(Task.case_id == case_id)
                                .order_by(Task.completed_on.is_not(None), Task.due_on))]


def case_notes(ws: Any, case_id: int) -> list[NoteRow]:
    fn = _service("cases", "list_notes")
    if fn is not None:
        return [NoteRow(n.id, n.created_at, str(n.author_id or ""), n.body, n.shareable)
                for n in fn(ws, case_id)]
    from sqlalchemy import select

    from casework import audit
    from casework.cases import load_case
    from db.models import Note, User

    with ws.uow() as session:
        load_case(ws, session, case_id)
        rows = session.execute(
            select(Note.id, Note.created_at, User.username, Note.body, Note.shareable)
            .outerjoin(User, User.id == Note.author_id)
            .where(Note.case_id == case_id).order_by(Note.created_at.desc())).all()
        audit.record(ws, session, "view", "case", case_id, detail={"part": "notes"})
        return [NoteRow(r[0], r[1].strftime("%d %b %Y %H:%M"), r[2] or "", r[3], r[4])
                for r in rows]


def case_documents(ws: Any, case_id: int) -> list[Any]:
    fn = _service("letters", "case_documents")
    return list(fn(ws, case_id)) if fn is not None else []


def case_history(ws: Any, case_id: int) -> list[HistoryRow]:
    """The audit entries about this case (who, when, what), newest first."""
    fn = _service("audit", "case_history")
    if fn is not None:
        return list(fn(ws, case_id))
    from sqlalchemy import select

    from casework.cases import load_case
    from db.models import AuditEntry

    with ws.uow() as session:
        load_case(ws, session, case_id)
        rows = session.execute(
            select(AuditEntry.ts, AuditEntry.username, AuditEntry.action, AuditEntry.reason)
            .where(AuditEntry.record_type == "case", AuditEntry.record_id == str(case_id))
            .order_by(AuditEntry.seq.desc()).limit(500)).all()
        return [HistoryRow(r[0][:19].replace("T", " "), r[1], r[2], r[3]) for r in rows]


@dataclass(frozen=True)
class AdminInfo:
    """What the administration screen shows besides users."""

    slots: tuple[tuple[str, str, str], ...]  # (name, kind, state)
    protocol_version: int | None
    protocol_note: str
    settings: tuple[tuple[str, str, Any, str], ...]  # (key, type, value, description)


def admin_info(ws: Any) -> AdminInfo:
    """Key slots, the sharing protocol's current version and every setting (admins)."""
    from casework.permissions import require
    from casework.settings import SPECS
    from ui.services import all_settings

    require(ws.actor, "admin.users")
    values = all_settings(ws)
    version, note = None, ""
    if available("isp.protocol", "current"):
        from casework.isp import protocol

        with ws.uow() as session:
            current = protocol.current(session)
            version = getattr(current, "version", None)
            note = str(getattr(current, "note", "") or "")
    settings = tuple((k, s.type.__name__, values.get(k, s.default), s.description)
                     for k, s in SPECS.items())
    return AdminInfo(tuple(ws.store.slot_names()), version, note, settings)
