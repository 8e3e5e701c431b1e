"""Subject access: everything held about one person, gathered for disclosure.

It is the information-governance officer's work (``sar.export``), never the
administrator's: the administrator reads no case content. ``find_subject`` finds the
person by name or date of birth (audited as a search); ``open_request`` records the
request as a task assigned to the officer, due one calendar month after receipt
(``sar.deadline_months``), moved to the next working day when that is a weekend or bank
holiday; ``export`` completes that task.

``export`` collects the person's own record (with aliases and addresses, and any record
merged into it) and every row of every case that refers to them in any role, across all
case types, read from the schema's foreign keys so nothing held is missed. It is written
for a reader: a section per case, plain labels, codes in words, no internal ids, no empty
or unset flags. Other people in those cases are marked for redaction: a reference to
another person is flagged ``third_party``, and inside free text their names, and any
phone number, e-mail address, postcode or other identifier the scrubber
(``casework.sharing.scrub``) finds, are given as spans. Three files are written
atomically: the redacted copy for disclosure (marked values blacked out), the
unredacted review copy (marked values highlighted) and a machine-readable JSON file,
through the sharing pipeline as the output ``subject_access``. The request and the
export are audited (counts, file names and digests only); ``record_disclosure`` logs what
went to whom and when.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Boolean, String, Table, Text, func, or_, select
from sqlalchemy.orm import Session

from casework.core import audit, clock, settings
from casework.core.context import Workspace
from casework.core.errors import NotFound, ValidationError
from casework.core.permissions import require
from casework.core.workdays import add_months, is_working_day
from casework.safeguards import records, sar_pdf
from casework.safeguards.sar_pdf import MARKER
from casework.sharing import pipeline, scrub
from casework.sharing.protocol import OutputSpec, Protocol, current, output_spec
from casework.sharing.rules import identifier_terms
from db.models import (
    Address,
    Base,
    Case,
    Disclosure,
    Person,
    PersonAddress,
    PersonAlias,
    Task,
    User,
)

TASK_KIND = "sar"
OUTPUT = "subject_access"  # the sharing protocol's output
FORMAT = "casework-subject-access"
SKIP_COLUMNS = frozenset({"content"})  # document bodies: listed, attached separately
# Bookkeeping a reader has no use for (internal ids are left out by their foreign keys).
INTERNAL_COLUMNS = frozenset({"id", "anonymised", "updated_at", "search_key", "sha256",
                              "size_bytes", "order"})
SUBJECT_VALUE = "You (the person this request is about)"
TABLE_TITLES = {
    "people": "Your personal details", "person_aliases": "Other name",
    "person_addresses": "Address held", "addresses": "Address",
    "cases": "The case", "case_parties": "Person in the case", "notes": "Note",
    "tasks": "Task", "documents": "Document", "incidents": "Incident",
    "asb_details": "ASB details", "risk_assessments": "Risk assessment",
    "escalation_steps": "Action taken", "breaches": "Breach",
    "referrals": "Referral", "mart_details": "Modern slavery details",
    "nrm_decisions": "National Referral Mechanism decision", "mart_outcomes": "Outcome",
    "panel_actions": "Panel action", "meeting_items": "Panel discussion",
    "ugly_mug_reports": "Dangerous individual report",
    "sanctuary_jobs": "Sanctuary job", "work_lines": "Work done",
    "sanctuary_feedback": "Feedback", "trigger_applications": "Community Trigger application",
    "trigger_complaints": "Complaint", "trigger_reviews": "Case review",
    "trigger_recommendations": "Recommendation", "evidence_items": "Evidence",
}
CASE_TYPE_NAMES = {"asb": "Anti-social behaviour case", "trigger": "Community Trigger",
                   "swip": "Sex Workers Intervention Panel referral",
                   "mart": "Modern slavery (MART) referral", "sanctuary": "Sanctuary job"}
LABELS = {
    "given_name": "First name", "family_name": "Last name", "date_of_birth": "Date of birth",
    "phone": "Phone", "email": "E-mail", "line1": "Address", "line2": "Address (2)",
    "flag_mental_health": "Mental health", "flag_disability": "Disability",
    "flag_age": "Age-related vulnerability", "flag_repeat_victim": "Repeat victim",
    "flag_hate_motivated": "Hate-motivated", "lsoa_code": "Area code",
    "created_at": "Recorded", "opened_on": "Opened", "closed_on": "Closed",
    "body": "Text", "due_on": "Due", "completed_on": "Completed",
    "risk_level": "Risk", "case_type": "Kind of case", "is_child": "Child",
    "nrm_referred_on": "Referred to the NRM on", "duty_to_notify_on": "Duty to Notify on",
}


@dataclass(frozen=True)
class Field:
    """One value held. ``third_party``: the whole value is another person (redact);
    ``spans``: (start, end) of other people's details inside free text."""

    name: str
    value: Any
    third_party: bool = False
    spans: tuple[tuple[int, int], ...] = ()
    label: str = ""


@dataclass(frozen=True)
class Record:
    table: str
    fields: tuple[Field, ...]
    title: str = ""


@dataclass(frozen=True)
class CaseRecords:
    reference: str
    case_type: str
    records: tuple[Record, ...]

    @property
    def title(self) -> str:
        return f"{CASE_TYPE_NAMES.get(self.case_type, self.case_type)} {self.reference}"


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
    redacted: Path
    review: Path
    json: Path
    cases: int
    marks: int

    @property
    def files(self) -> tuple[Path, ...]:
        return (self.redacted, self.review, self.json)


@dataclass(frozen=True)
class SubjectMatch:
    """A person a request may be about: enough to tell two people apart, no more."""

    person_id: int
    name: str
    date_of_birth: date | None
    postcode: str
    cases: int


@dataclass(frozen=True)
class DisclosureView:
    id: int
    person_id: int
    disclosed_on: date
    recipient: str
    method: str
    what: str
    files: tuple[str, ...]
    recorded_by: str


def one_month_after(received: date) -> date:
    """The same day next month; the month's last day when there is no such day."""
    return add_months(received, 1)


def deadline(received: date, months: int = 1) -> date:
    """``months`` calendar months after receipt, moved to the next working day when that
    day is a weekend or an England and Wales bank holiday (ICO guidance)."""
    due = add_months(received, max(1, months))
    while not is_working_day(due):
        due += timedelta(days=1)
    return due


# -- finding the subject --------------------------------------------------------------------

def find_subject(ws: Workspace, text: str, limit: int = 20) -> list[SubjectMatch]:
    """People whose name starts with the words given (first and/or last name, any order),
    or whose date of birth is the date given (YYYY-MM-DD or DD/MM/YYYY). Audited as a
    search (the count, never the words)."""
    require(ws.actor, "sar.export")
    words = text.split()
    if not words:
        raise ValidationError("Type a name or a date of birth.", field="text")
    born = _as_date(text.strip())
    with ws.uow() as session:
        query = select(Person).where(Person.merged_into_id.is_(None),
                                     Person.anonymised.is_(False))
        if born is not None:
            query = query.where(Person.date_of_birth == born)
        else:
            for word in words:
                w = word.lower().replace("%", "").replace("_", "")
                query = query.where(or_(func.lower(Person.given_name).like(f"{w}%"),
                                        func.lower(Person.family_name).like(f"{w}%")))
        people = list(session.scalars(query.order_by(Person.family_name, Person.given_name,
                                                     Person.id).limit(limit)))
        out = []
        for p in people:
            postcode = session.scalar(
                select(Address.postcode).join(PersonAddress,
                                              PersonAddress.address_id == Address.id)
                .where(PersonAddress.person_id == p.id)
                .order_by(PersonAddress.current.desc(), PersonAddress.id.desc())) or ""
            out.append(SubjectMatch(p.id, f"{p.given_name} {p.family_name}".strip(),
                                    p.date_of_birth, postcode,
                                    len(records.cases_of_person(session, p.id))))
        audit.record(ws, session, "search", "person", "",
                     detail={"purpose": "subject access", "results": len(out)})
        return out


def _as_date(text: str) -> date | None:
    for pattern in (r"(\d{4})-(\d{1,2})-(\d{1,2})", r"(\d{1,2})/(\d{1,2})/(\d{4})"):
        m = re.fullmatch(pattern, text)
        if m:
            a, b, c = (int(g) for g in m.groups())
            try:
                return date(a, b, c) if a > 31 else date(c, b, a)
            except ValueError:
                return None
    return None


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
    """Record a subject access request: a task assigned to the officer recording it, due
    one calendar month after receipt (``sar.deadline_months``), on a working day.

    If the person already has an open request, that one is returned unchanged."""
    require(ws.actor, "sar.export")
    received = received_on or clock.today()
    if received > clock.today():
        raise ValidationError("The request cannot be received in the future.",
                              field="received_on")
    with ws.uow() as session:
        if session.get(Person, person_id) is None:
            raise NotFound("No person with that id.")
        found = _open_task(session, person_id)
        if found is not None:
            return SarRequest(person_id, found[0].id, found[1], found[0].due_on)
        months = int(settings.get(session, settings.SAR_MONTHS))
        task = Task(case_id=None, kind=TASK_KIND, title=_task_title(person_id, received),
                    due_on=deadline(received, months), assigned_user_id=ws.actor.user_id,
                    team_id=ws.actor.team_id)
        session.add(task)
        session.flush()
        audit.record(ws, session, "sar.request", "person", person_id,
                     detail={"task_id": task.id, "due_on": task.due_on.isoformat()})
        return SarRequest(person_id, task.id, received, task.due_on)


# -- gathering ------------------------------------------------------------------------------

_CODE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+")
CODE_COLUMNS = frozenset({"status", "kind", "role", "risk_level", "consent", "outcome",
                          "gender", "victim_of", "referral_source", "exploitation_type",
                          "evidence_type", "agency", "referrer_agency", "reason",
                          "category", "source", "method", "channel"})


def label_of(name: str) -> str:
    """A column's name as a reader would say it."""
    if name in LABELS:
        return LABELS[name]
    text = name.removesuffix("_id").replace("_", " ")
    return text[:1].upper() + text[1:]


def _words(code: str) -> str:
    text = code.replace("_", " ")
    return text[:1].upper() + text[1:]


def _value(name: str, v: Any) -> Any:
    """A value as a reader sees it: dates in words, codes in words, lists joined."""
    if isinstance(v, datetime):
        return f"{v:%d %B %Y %H:%M}"
    if isinstance(v, date):
        return f"{v:%d %B %Y}"
    if isinstance(v, bytes):
        return f"{len(v)} bytes"
    if isinstance(v, bool):
        return "Yes" if v else "No"
    if isinstance(v, str):
        if name == "case_type" and v in CASE_TYPE_NAMES:
            return CASE_TYPE_NAMES[v]
        if v.startswith("[") and v.endswith("]"):
            try:
                items = json.loads(v)
            except ValueError:
                items = None
            if isinstance(items, list):
                return ", ".join(_words(str(i)) for i in items)
        if _CODE.fullmatch(v) or (name in CODE_COLUMNS and re.fullmatch(r"[a-z]+", v)):
            return _words(v)
    return v


def _name(session: Session, person_id: int) -> str:
    p = session.get(Person, person_id)
    if p is None:
        return ""
    return f"{p.given_name} {p.family_name}".strip() or "another person"


def _terms(session: Session, third: set[int], subject: Person) -> tuple[list[str], set[str]]:
    """Other people's identifiers for the scrubber, and the subject's own name words (a
    neighbour who shares the subject's first name must not blank out the subject)."""
    own = {w.lower() for w in (subject.given_name, subject.family_name,
                               f"{subject.given_name} {subject.family_name}") if w}
    terms: list[str] = []
    for pid in sorted(third):
        p = session.get(Person, pid)
        if p is None:
            continue
        aliases = list(session.scalars(select(PersonAlias.alias)
                                       .where(PersonAlias.person_id == pid)))
        lines = [a.line1 for a in session.scalars(
            select(Address).join(PersonAddress, PersonAddress.address_id == Address.id)
            .where(PersonAddress.person_id == pid)) if a.line1]
        terms += identifier_terms(p.given_name, p.family_name, aliases, p.phone, p.email,
                                  lines, p.date_of_birth)
    return [t for t in terms if t.strip().lower() not in own], own


def _record(table: Table, row: Any, subjects: set[int], session: Session,
            terms: list[str] | None) -> Record:
    """One row for a reader: internal ids, bookkeeping and unset values left out."""
    person_cols = {c.name for t, c in records.person_columns() if t is table}
    fields = []
    for col in table.columns:
        v = row._mapping[col.name]
        if col.name in SKIP_COLUMNS or col.name in INTERNAL_COLUMNS or v is None:
            continue
        label = label_of(col.name)
        if col.name in person_cols:
            if v in subjects:
                fields.append(Field(col.name, SUBJECT_VALUE, label=label))
            else:
                fields.append(Field(col.name, _name(session, v), third_party=True,
                                    label=label))
            continue
        if col.foreign_keys or col.primary_key and not isinstance(col.type, String):
            continue  # an internal number pointing at another row
        if isinstance(col.type, Boolean) and not v and (
                col.name.startswith(("flag_", "is_", "has_")) or col.name == "shareable"):
            continue  # an unset flag says nothing
        if v == "" or v == "[]":
            continue
        spans: tuple[tuple[int, int], ...] = ()
        if terms is not None and isinstance(v, str) and isinstance(col.type, Text):
            spans = tuple(scrub.spans(v, terms))
        shown = v if spans else _value(col.name, v)
        fields.append(Field(col.name, shown, spans=spans, label=label))
    return Record(table.name, tuple(fields), TABLE_TITLES.get(table.name,
                                                              label_of(table.name)))


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
                if name == "person_addresses":
                    a = Base.metadata.tables["addresses"]
                    held = _record(t, r, subjects, session, None)
                    for x in _rows(session, a, a.c.id == r.address_id):
                        addr = _record(a, x, subjects, session, None)
                        own.append(Record(t.name, addr.fields + held.fields, held.title))
                else:
                    own.append(_record(t, r, subjects, session, None))
    case_ids: set[int] = set()
    for pid in subjects:
        case_ids |= records.cases_of_person(session, pid)
    cases = []
    for case in session.scalars(select(Case).where(Case.id.in_(sorted(case_ids)))
                                .order_by(Case.opened_on, Case.id)):
        third = records.people_of_case(session, case.id) - subjects
        terms, _own = _terms(session, third, subject)
        recs: list[Record] = []
        for table in [Base.metadata.tables[records.CASES], *reversed(records.case_tables())]:
            for r in _rows(session, table, records.belongs_to_cases(table, [case.id])):
                rec = _record(table, r, subjects, session, terms)
                if rec.fields:
                    recs.append(rec)
        cases.append(CaseRecords(case.reference, case.case_type, tuple(recs)))
    return SubjectAccessPack(person_id, received, due, clock.utcnow(), tuple(own), tuple(cases))


# -- writing --------------------------------------------------------------------------------

def to_json(pack: SubjectAccessPack) -> bytes:
    """The machine-readable export: every value shown, third parties flagged."""
    def rec(r: Record) -> dict[str, Any]:
        return {"table": r.table, "title": r.title, "fields": [
            {"field": f.name, "label": f.label, "value": f.value,
             "third_party": f.third_party,
             "redact_spans": [list(s) for s in f.spans]} for f in r.fields]}

    doc = {
        "format": FORMAT, "version": 2, "protective_marking": "OFFICIAL-SENSITIVE",
        "received_on": pack.received_on.isoformat(),
        "due_on": pack.due_on.isoformat(),
        "generated_at": pack.generated_at.isoformat(timespec="seconds") + "Z",
        "redaction": {"marker": MARKER, "marks": pack.marks,
                      "note": "Values with third_party=true and text in redact_spans are "
                              "other people's details: review and redact before disclosure."},
        "subject": [rec(r) for r in pack.subject],
        "cases": [{"reference": c.reference, "case_type": c.case_type, "title": c.title,
                   "records": [rec(r) for r in c.records]} for c in pack.cases],
    }
    return json.dumps(doc, indent=1, ensure_ascii=False).encode("utf-8")


def export(ws: Workspace, person_id: int, out_dir: Path,
           received_on: date | None = None) -> SarExport:
    """Gather, write the redacted copy, the review copy and the JSON through the sharing
    pipeline (output ``subject_access``: authorised by the protocol, staged and moved into
    place together, audited "export.started" then "export" with the files' digests), track
    the request as a task and complete it, audit."""
    require(ws.actor, "sar.export")
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        raise ValidationError("The output folder does not exist.", field="out_dir")
    with ws.uow() as session:  # refuse before recording the request if the protocol does
        pipeline.authorise(ws.actor, output_spec(current(session), OUTPUT)[0])
    request = open_request(ws, person_id, received_on)
    received = request.received_on
    stem = f"sar-person-{person_id}-{received:%Y%m%d}"
    redacted = out_dir / f"{stem}-redacted.pdf"
    review = out_dir / f"{stem}-review.pdf"
    json_path = out_dir / f"{stem}.json"

    def build(session: Session, spec: OutputSpec, protocol: Protocol) -> pipeline.Built:
        pack = gather(session, person_id, request.received_on, request.due_on)
        return pipeline.Built(pack, recipient=pipeline.named_recipient(spec, None),
                              record_id=str(person_id),
                              facts={"cases": len(pack.cases), "marks": pack.marks,
                                     "task_id": request.task_id})

    def render(release: pipeline.Release, paths: Sequence[Path]) -> None:
        pack: SubjectAccessPack = release.data
        paths[0].write_bytes(sar_pdf.render_pdf(pack, redacted=True))
        paths[1].write_bytes(sar_pdf.render_pdf(pack, redacted=False))
        paths[2].write_bytes(to_json(pack))

    result = pipeline.produce(ws, OUTPUT, [redacted, review, json_path], build, render)
    cases, marks = int(result.facts["cases"]), int(result.facts["marks"])
    with ws.uow() as session:
        task = session.get(Task, request.task_id)
        if task is not None and task.completed_on is None:
            task.completed_on = clock.today()
            task.closed_reason = "exported"
        audit.record(ws, session, "sar.export", "person", person_id, detail={
            "cases": cases, "marks": marks, "task_id": request.task_id,
            "files": [redacted.name, review.name, json_path.name]})
    return SarExport(request, redacted, review, json_path, cases, marks)


# -- the disclosure log ---------------------------------------------------------------------

METHODS = ("secure_email", "post", "in_person", "portal")


def record_disclosure(ws: Workspace, person_id: int, recipient: str, disclosed_on: date,
                      method: str, what: str, files: Sequence[Path] = ()) -> DisclosureView:
    """Log a disclosure: what went to whom, how and when (with the files' digests)."""
    require(ws.actor, "sar.disclosures")
    if not recipient.strip():
        raise ValidationError("Name who received the disclosure.", field="recipient")
    if method not in METHODS:
        raise ValidationError(f"The method is one of: {', '.join(METHODS)}.", field="method")
    if not what.strip():
        raise ValidationError("Say what was disclosed.", field="what")
    if disclosed_on > clock.today():
        raise ValidationError("A disclosure cannot be dated in the future.",
                              field="disclosed_on")
    digests = {}
    for f in files:
        path = Path(f)
        if not path.is_file():
            raise ValidationError(f"No such file: {path.name}.", field="files")
        digests[path.name] = hashlib.sha256(path.read_bytes()).hexdigest()
    with ws.uow() as session:
        if session.get(Person, person_id) is None:
            raise NotFound("No person with that id.")
        found = session.scalar(select(Task.id).where(
            Task.kind == TASK_KIND, Task.title.like(f"Subject access request due (person "
                                                    f"{person_id}, received %"))
            .order_by(Task.id.desc()))
        row = Disclosure(person_id=person_id, task_id=found, disclosed_on=disclosed_on,
                         recipient=recipient.strip()[:120], method=method,
                         what=what.strip(), files=json.dumps(sorted(digests)),
                         sha256=json.dumps(digests), recorded_by=ws.actor.user_id)
        session.add(row)
        session.flush()
        audit.record(ws, session, "sar.disclosure", "person", person_id,
                     detail={"disclosure": row.id, "method": method, "sha256": digests})
        return _disclosure_view(session, row)


def list_disclosures(ws: Workspace, person_id: int | None = None) -> list[DisclosureView]:
    """The disclosure log, newest first (audited as a view)."""
    require(ws.actor, "sar.disclosures")
    with ws.uow() as session:
        query = select(Disclosure).order_by(Disclosure.disclosed_on.desc(),
                                            Disclosure.id.desc())
        if person_id is not None:
            query = query.where(Disclosure.person_id == person_id)
        out = [_disclosure_view(session, d) for d in session.scalars(query)]
        audit.record(ws, session, "view", "disclosures",
                     str(person_id) if person_id is not None else "",
                     detail={"entries": len(out)})
        return out


def _disclosure_view(session: Session, row: Disclosure) -> DisclosureView:
    user = session.get(User, row.recorded_by) if row.recorded_by else None
    return DisclosureView(row.id, row.person_id, row.disclosed_on, row.recipient, row.method,
                          row.what, tuple(json.loads(row.files)),
                          user.display_name if user else "")
