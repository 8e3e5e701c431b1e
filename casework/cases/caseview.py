"""What every case view shows besides its type's own detail: the header, the people with
their names, tasks, notes, documents (and a document's content) and the case's history.

Each read checks permission with ``cases.load_case`` first and returns frozen
dataclasses. Reading identifiable parts (people with names, notes, a document's content)
writes an audit entry ``view``; titles of tasks and documents and the history (who, when,
what; never a sensitive value) are not personal data. ``case_parts`` reads all of them in
one unit of work with one audit entry, for the desktop's case view.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.cases.lifecycle import CaseHeader, DocumentView, load_case
from casework.core import audit
from casework.core.context import Workspace
from casework.core.errors import NotFound
from casework.core.permissions import require, require_case
from db.models import AsbDetail, AuditEntry, Case, CaseParty, Document, Note, Person, Task, User

HISTORY_LIMIT = 500


@dataclass(frozen=True)
class PartyRow:
    """A person in a case, in one role (identifiable: reading it is audited)."""

    person_id: int
    name: str
    role: str
    agency: str
    date_of_birth: date | None
    party_id: int = 0
    ended_on: date | None = None
    is_subject: bool = False

    def __repr__(self) -> str:  # never print a name or a date of birth
        return f"PartyRow(person_id={self.person_id}, role={self.role!r})"


@dataclass(frozen=True)
class TaskRow:
    """A dated task on the case (titles never carry personal data)."""

    id: int
    title: str
    kind: str
    due_on: date
    completed_on: date | None


@dataclass(frozen=True)
class NoteRow:
    """A case note with its author's user name (free text: reading it is audited)."""

    id: int
    created_at: str  # "dd Mon yyyy HH:MM" UTC
    author: str
    body: str
    shareable: bool

    def __repr__(self) -> str:  # never print free text
        return f"NoteRow(id={self.id})"


@dataclass(frozen=True)
class HistoryRow:
    """One audit entry about the case: who, when (UTC), what, and the reason given."""

    seq: int
    when: str  # "YYYY-MM-DD HH:MM:SS" UTC
    username: str
    action: str
    reason: str


@dataclass(frozen=True)
class DocumentContent:
    """A stored document's bytes (identifiable: reading it is audited)."""

    id: int
    case_id: int
    title: str
    mime: str
    content: bytes

    def __repr__(self) -> str:
        return f"DocumentContent(id={self.id}, case_id={self.case_id})"

    def __iter__(self) -> Iterator[str | bytes]:
        """``title, mime, content = document_content(ws, id)``."""
        return iter((self.title, self.mime, self.content))


@dataclass(frozen=True)
class CaseParts:
    """Everything ``case_parts`` reads, in one unit of work."""

    header: CaseHeader
    people: tuple[PartyRow, ...]
    tasks: tuple[TaskRow, ...]
    notes: tuple[NoteRow, ...]
    documents: tuple[DocumentView, ...]
    history: tuple[HistoryRow, ...]


# -- reads inside a unit of work ------------------------------------------------------------

def _people(session: Session, case_id: int) -> tuple[PartyRow, ...]:
    rows = session.execute(
        select(CaseParty.person_id, Person.given_name, Person.family_name, CaseParty.role,
               CaseParty.agency, Person.date_of_birth, CaseParty.id, CaseParty.ended_on)
        .join(Person, Person.id == CaseParty.person_id)
        .where(CaseParty.case_id == case_id).order_by(CaseParty.id)).all()
    detail = session.get(AsbDetail, case_id)
    subject = detail.subject_person_id if detail is not None else None
    return tuple(PartyRow(r[0], f"{r[1]} {r[2]}".strip(), r[3], r[4], r[5], r[6], r[7],
                          r[0] == subject and r[3] == "perpetrator" and r[7] is None)
                 for r in rows)


def _tasks(session: Session, case_id: int) -> tuple[TaskRow, ...]:
    rows = session.scalars(select(Task).where(Task.case_id == case_id)
                           .order_by(Task.completed_on.is_not(None), Task.due_on, Task.id))
    return tuple(TaskRow(t.id, t.title, t.kind, t.due_on, t.completed_on) for t in rows)


def _notes(session: Session, case_id: int) -> tuple[NoteRow, ...]:
    rows = session.execute(
        select(Note.id, Note.created_at, User.username, Note.body, Note.shareable)
        .outerjoin(User, User.id == Note.author_id)
        .where(Note.case_id == case_id).order_by(Note.created_at.desc(), Note.id.desc())).all()
    return tuple(NoteRow(r[0], r[1].strftime("%d %b %Y %H:%M"), r[2] or "", r[3], r[4])
                 for r in rows)


def _documents(session: Session, case_id: int) -> tuple[DocumentView, ...]:
    rows = session.execute(
        select(Document.id, Document.kind, Document.title, Document.created_at,
               Document.size, Document.sha256, Document.template_key,
               Document.template_version)
        .where(Document.case_id == case_id)
        .order_by(Document.created_at.desc(), Document.id.desc())).all()
    return tuple(DocumentView(r[0], r[1], r[2], r[3].isoformat(timespec="seconds"), r[4], r[5],
                              r[6], r[7]) for r in rows)


def _history(session: Session, case_id: int) -> tuple[HistoryRow, ...]:
    rows = session.execute(
        select(AuditEntry.seq, AuditEntry.ts, AuditEntry.username, AuditEntry.action,
               AuditEntry.reason)
        .where(AuditEntry.record_type == "case", AuditEntry.record_id == str(case_id))
        .order_by(AuditEntry.seq.desc()).limit(HISTORY_LIMIT)).all()
    return tuple(HistoryRow(r[0], r[1][:19].replace("T", " "), r[2], r[3], r[4])
                 for r in rows)


# -- services -------------------------------------------------------------------------------

def case_header(ws: Workspace, case_id: int) -> CaseHeader:
    """The fields every case has (permission checked; no personal data, not audited)."""
    with ws.uow() as session:
        return CaseHeader.of(load_case(ws, session, case_id))


def case_people(ws: Workspace, case_id: int) -> list[PartyRow]:
    """The people linked to a case with their names, in the order they were linked
    (audited ``view``)."""
    with ws.uow() as session:
        load_case(ws, session, case_id)
        rows = _people(session, case_id)
        audit.record(ws, session, "view", "case", case_id, detail={"part": "people"})
        return list(rows)


def case_tasks(ws: Workspace, case_id: int) -> list[TaskRow]:
    """The case's tasks: open ones first by due date, then those done."""
    with ws.uow() as session:
        load_case(ws, session, case_id)
        return list(_tasks(session, case_id))


def case_notes(ws: Workspace, case_id: int) -> list[NoteRow]:
    """The case's notes, newest first, with their authors (audited ``view``)."""
    with ws.uow() as session:
        load_case(ws, session, case_id)
        rows = _notes(session, case_id)
        audit.record(ws, session, "view", "case", case_id, detail={"part": "notes"})
        return list(rows)


def case_documents(ws: Workspace, case_id: int) -> list[DocumentView]:
    """The documents kept with a case, newest first (titles and sizes, no content)."""
    with ws.uow() as session:
        load_case(ws, session, case_id)
        return list(_documents(session, case_id))


def document_content(ws: Workspace, document_id: int) -> DocumentContent:
    """A stored document's title, type and bytes, for a case the actor may see (audited
    ``view`` of the document). Unpacks as ``title, mime, content = ...`` too."""
    require(ws.actor, "case.read")
    with ws.uow() as session:
        doc = session.get(Document, document_id)
        case = session.get(Case, doc.case_id) if doc is not None else None
        if doc is None or case is None:
            raise NotFound("No such document.")
        require_case(ws.actor, case)
        audit.record(ws, session, "view", "document", doc.id, detail={"case_id": case.id})
        return DocumentContent(doc.id, case.id, doc.title, doc.mime or "application/pdf",
                               bytes(doc.content))


def case_history(ws: Workspace, case_id: int) -> list[HistoryRow]:
    """The audit entries about this case (who, when, action, reason), newest first, at
    most ``HISTORY_LIMIT``. Visible to whoever may see the case."""
    with ws.uow() as session:
        load_case(ws, session, case_id)
        return list(_history(session, case_id))


def read_parts(session: Session, case: Case) -> CaseParts:
    """Every part of a case the caller has already loaded (permission checked) in this
    unit of work; the caller audits the read (an output's pipeline does)."""
    return CaseParts(CaseHeader.of(case), _people(session, case.id), _tasks(session, case.id),
                     _notes(session, case.id), _documents(session, case.id), ())


def case_parts(ws: Workspace, case_id: int) -> CaseParts:
    """Header, people, tasks, notes, documents and history in one unit of work, with one
    audited ``view`` of the identifiable parts."""
    with ws.uow() as session:
        case = load_case(ws, session, case_id)
        parts = CaseParts(CaseHeader.of(case), _people(session, case_id),
                          _tasks(session, case_id), _notes(session, case_id),
                          _documents(session, case_id), _history(session, case_id))
        audit.record(ws, session, "view", "case", case_id, detail={"part": "people,notes"})
        return parts
