"""Subject access: everything held about one person, gathered for disclosure.

``export`` collects the person's own record (with aliases and addresses, and any record
merged into it) and every row of every case that refers to them in any role, across all
case types, read from the schema's foreign keys so nothing held is missed. Other people
in those cases are marked for redaction: a reference to another person shows their name
flagged ``third_party`` (``[REDACT: third party]`` in the PDF), and their names inside
free text are given as spans to redact. The result is written as a PDF for the reviewer
and a machine-readable JSON file, atomically. The request and its one-calendar-month
deadline are tracked as a task; the request and the export are audited (counts only).
"""

from __future__ import annotations

import calendar
import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from casework.core import audit, clock
from casework.core.context import Workspace
from casework.core.errors import NotFound, ValidationError
from casework.core.permissions import require
from casework.safeguards import records, sar_pdf
from casework.safeguards.sar_pdf import MARKER
from db.keyslots import atomic_write_bytes
from db.models import Base, Case, Person, PersonAlias, Task

TASK_KIND = "sar"
FORMAT = "casework-subject-access"
SKIP_COLUMNS = frozenset({"content"})  # document bodies: listed, attached separately


@dataclass(frozen=True)
class Field:
    """One value held. ``third_party``: the whole value is another person (redact);
    ``spans``: (start, end) of other people's names inside free text."""

    name: str
    value: Any
    third_party: bool = False
    spans: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class Record:
    table: str
    fields: tuple[Field, ...]


@dataclass(frozen=True)
class CaseRecords:
    reference: str
    case_type: str
    records: tuple[Record, ...]


@dataclass(frozen=True)
class SubjectAccessPack:
    person_id: int
    received_on: date
    due_on: date
    generated_at: datetime
    subject: tuple[Record, ...]
    cases: tuple[CaseRecords, ...]

    @property
    def marks(self) -> int:
        """How many values or spans are marked for redaction."""
        recs = [*self.subject, *(r for c in self.cases for r in c.records)]
        return sum(f.third_party + len(f.spans) for r in recs for f in r.fields)


@dataclass(frozen=True)
class SarRequest:
    person_id: int
    task_id: int
    received_on: date
    due_on: date


@dataclass(frozen=True)
class SarExport:
    request: SarRequest
    pdf: Path
    json: Path
    cases: int
    marks: int


def one_month_after(received: date) -> date:
    """The same day next month; the month's last day when there is no such day."""
    year, month = (received.year + 1, 1) if received.month == 12 else (received.year,
                                                                       received.month + 1)
    return date(year, month, min(received.day, calendar.monthrange(year, month)[1]))


# -- the request as a task ------------------------------------------------------------------

def _task_title(person_id: int, received: date) -> str:
    return f"Subject access request due (person {person_id}, received {received:%Y-%m-%d})"


def _open_task(session: Session, person_id: int) -> tuple[Task, date] | None:
    """The person's open request task and the date the request was received."""
    task = session.scalar(select(Task).where(
        Task.kind == TASK_KIND, Task.title.like(f"Subject access request due (person "
                                                f"{person_id}, received %"),
        Task.completed_on.is_(None)).order_by(Task.id))
    if task is None:
        return None
    return task, date.fromisoformat(task.title.rsplit(" ", 1)[1].rstrip(")"))


def open_request(ws: Workspace, person_id: int, received_on: date | None = None) -> SarRequest:
    """Record a subject access request: a task due one calendar month after receipt.

    If the person already has an open request, that one is returned unchanged."""
    require(ws.actor, "sar.export")
    received = received_on or clock.today()
    with ws.uow() as session:
        if session.get(Person, person_id) is None:
            raise NotFound("No person with that id.")
        found = _open_task(session, person_id)
        if found is not None:
            return SarRequest(person_id, found[0].id, found[1], found[0].due_on)
        task = Task(case_id=None, kind=TASK_KIND, title=_task_title(person_id, received),
                    due_on=one_month_after(received), assigned_user_id=ws.actor.user_id,
                    team_id=ws.actor.team_id)
        session.add(task)
        session.flush()
        audit.record(ws, session, "sar.request", "person", person_id,
                     detail={"task_id": task.id, "due_on": task.due_on.isoformat()})
        return SarRequest(person_id, task.id, received, task.due_on)


# -- gathering ------------------------------------------------------------------------------

def _value(v: Any) -> Any:
    if isinstance(v, datetime | date):
        return v.isoformat()
    if isinstance(v, bytes):
        return f"<{len(v)} bytes>"
    return v


def _name(session: Session, person_id: int) -> str:
    p = session.get(Person, person_id)
    if p is None:
        return ""
    return f"{p.given_name} {p.family_name}".strip() or f"person {person_id}"


def _patterns(session: Session, third: set[int], subject: Person) -> re.Pattern[str] | None:
    """Other people's names as they may appear in free text (longest first)."""
    own = {subject.given_name.lower(), subject.family_name.lower()}
    names: set[str] = set()
    for pid in third:
        p = session.get(Person, pid)
        if p is None:
            continue
        full = f"{p.given_name} {p.family_name}".strip()
        names.update(n for n in (full, p.given_name, p.family_name)
                     if len(n) > 1 and n.lower() not in own)
        names.update(a for a in session.scalars(select(PersonAlias.alias)
                                                .where(PersonAlias.person_id == pid))
                     if len(a) > 1)
    if not names:
        return None
    alts = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alts})(?!\w)", re.IGNORECASE)


def _record(table: Table, row: Any, subjects: set[int], session: Session,
            pattern: re.Pattern[str] | None) -> Record:
    person_cols = {c.name for t, c in records.person_columns() if t is table}
    fields = []
    for col in table.columns:
        if col.name in SKIP_COLUMNS:
            continue
        v = row._mapping[col.name]
        if col.name in person_cols and v is not None:
            if v in subjects:
                fields.append(Field(col.name, "the data subject"))
            else:
                fields.append(Field(col.name, _name(session, v), third_party=True))
            continue
        spans: tuple[tuple[int, int], ...] = ()
        if isinstance(v, str) and pattern is not None:
            spans = tuple(m.span() for m in pattern.finditer(v))
        fields.append(Field(col.name, _value(v), spans=spans))
    return Record(table.name, tuple(fields))


def _rows(session: Session, table: Table, where: Any) -> list[Any]:
    pk = list(table.primary_key.columns)
    return list(session.execute(select(table).where(where).order_by(*pk)))


def gather(session: Session, person_id: int, received: date, due: date) -> SubjectAccessPack:
    """Everything held about a person (call inside a unit of work, after permission)."""
    subject = session.get(Person, person_id)
    if subject is None:
        raise NotFound("No person with that id.")
    people = Base.metadata.tables[records.PEOPLE]
    subjects = {person_id, *session.scalars(select(Person.id).where(
        Person.merged_into_id == person_id))}
    own: list[Record] = []
    for pid in sorted(subjects):
        own.extend(_record(people, r, subjects, session, None)
                   for r in _rows(session, people, people.c.id == pid))
        for name in ("person_aliases", "person_addresses"):
            t = Base.metadata.tables[name]
            for r in _rows(session, t, t.c.person_id == pid):
                own.append(_record(t, r, subjects, session, None))
                if name == "person_addresses":
                    a = Base.metadata.tables["addresses"]
                    own.extend(_record(a, x, subjects, session, None)
                               for x in _rows(session, a, a.c.id == r.address_id))
    case_ids: set[int] = set()
    for pid in subjects:
        case_ids |= records.cases_of_person(session, pid)
    cases = []
    for case in session.scalars(select(Case).where(Case.id.in_(sorted(case_ids)))
                                .order_by(Case.opened_on, Case.id)):
        third = records.people_of_case(session, case.id) - subjects
        pattern = _patterns(session, third, subject)
        recs: list[Record] = []
        for table in [Base.metadata.tables[records.CASES], *reversed(records.case_tables())]:
            recs.extend(_record(table, r, subjects, session, pattern)
                        for r in _rows(session, table, records.belongs_to_cases(table, [case.id])))
        cases.append(CaseRecords(case.reference, case.case_type, tuple(recs)))
    return SubjectAccessPack(person_id, received, due, clock.utcnow(), tuple(own), tuple(cases))


# -- writing --------------------------------------------------------------------------------

def to_json(pack: SubjectAccessPack) -> bytes:
    """The machine-readable export: every value, third parties flagged."""
    def rec(r: Record) -> dict[str, Any]:
        return {"table": r.table, "fields": [
            {"field": f.name, "value": f.value, "third_party": f.third_party,
             "redact_spans": [list(s) for s in f.spans]} for f in r.fields]}

    doc = {
        "format": FORMAT, "version": 1, "protective_marking": "OFFICIAL-SENSITIVE",
        "person_id": pack.person_id, "received_on": pack.received_on.isoformat(),
        "due_on": pack.due_on.isoformat(),
        "generated_at": pack.generated_at.isoformat(timespec="seconds") + "Z",
        "redaction": {"marker": MARKER, "marks": pack.marks,
                      "note": "Values with third_party=true and text in redact_spans are "
                              "other people's details: review and redact before disclosure."},
        "subject": [rec(r) for r in pack.subject],
        "cases": [{"reference": c.reference, "case_type": c.case_type,
                   "records": [rec(r) for r in c.records]} for c in pack.cases],
    }
    return json.dumps(doc, indent=1, ensure_ascii=False).encode("utf-8")


def export(ws: Workspace, person_id: int, out_dir: Path,
           received_on: date | None = None) -> SarExport:
    """Gather, write the PDF and JSON (atomically), track the request as a task, audit."""
    require(ws.actor, "sar.export")
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        raise ValidationError("The output folder does not exist.", field="out_dir")
    request = open_request(ws, person_id, received_on)
    with ws.uow() as session:
        pack = gather(session, person_id, request.received_on, request.due_on)
    received = request.received_on
    stem = f"sar-person-{person_id}-{received:%Y%m%d}"
    pdf_path, json_path = out_dir / f"{stem}.pdf", out_dir / f"{stem}.json"
    pdf = sar_pdf.render_pdf(pack)
    atomic_write_bytes(json_path, to_json(pack))
    atomic_write_bytes(pdf_path, pdf)
    with ws.uow() as session:
        audit.record(ws, session, "sar.export", "person", person_id, detail={
            "cases": len(pack.cases), "marks": pack.marks, "task_id": request.task_id,
            "files": [pdf_path.name, json_path.name]})
    return SarExport(request, pdf_path, json_path, len(pack.cases), pack.marks)
