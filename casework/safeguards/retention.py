"""Retention: list closed cases kept past their period, then anonymise or delete them.

Each case type has a retention period after closure (``settings.RETENTION_YEARS``, 6
years by default). ``review_list`` shows the cases past it (reference, type and dates
only: an administrator sees no case content). After a person confirms, ``anonymise`` or
``delete`` acts on them in one unit of work and writes one audit entry per case and per
person touched, holding counts and ids only, never what was removed.

- anonymise: free text is blanked (notes and documents are removed), identifying columns
  of the case's people are cleared, and non-identifying facts (type, dates, outcome,
  risk, category, area code, costs, flags) stay for statistics. A person who is still in
  another case keeps their record; this case's link to them is replaced by an anonymous
  stand-in.
- delete: the case and every row below it go, and so do people (with their aliases and
  addresses) that nothing else refers to any more.

Which rows belong to a case is read from the schema's foreign keys (``casework.records``),
so a table added later is covered; its text columns are blanked on anonymisation unless
listed in ``KEEP_TEXT`` as non-identifying codes.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    DateTime,
    LargeBinary,
    String,
    Table,
    delete,
    func,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session

from casework.core import audit, clock, settings
from casework.core.context import Workspace
from casework.core.errors import NotFound, ValidationError
from casework.core.permissions import require
from casework.safeguards import records
from db.dialects import on_server
from db.models import Base, Case, Person
from db.server.connect import translated
from db.server.policies import ACL

# Text columns that hold codes or categories, not identifying or free text.
KEEP_TEXT: dict[str, frozenset[str]] = {
    "cases": frozenset({"reference", "case_type", "status", "outcome", "risk_level"}),
    "case_parties": frozenset({"role", "agency"}),
    "tasks": frozenset({"kind"}),
    "asb_details": frozenset({"category", "subcategory"}),
    "incidents": frozenset({"source"}),
    "risk_assessments": frozenset({"level", "answers"}),
    "escalation_steps": frozenset({"action"}),
    "breaches": frozenset({"action_taken"}),
    "referrals": frozenset({"referrer_agency", "consent", "needs", "agencies_engaged"}),
    "mart_details": frozenset({"exploitation_type", "first_responder"}),
    "nrm_decisions": frozenset({"kind"}),
    "sanctuary_jobs": frozenset({"victim_of", "referral_source"}),
    "work_lines": frozenset({"kind"}),
    "trigger_applications": frozenset({"appeal_outcome"}),
    "trigger_complaints": frozenset({"agency"}),
    "trigger_reviews": frozenset({"bodies"}),
    "trigger_recommendations": frozenset({"body"}),
    "panel_actions": frozenset({"agency"}),
    "people": frozenset({"gender", "consent"}),
}
# Rows that are free text through and through: removed on anonymisation.
REMOVE_ON_ANONYMISE = frozenset({"notes", "documents", "ugly_mug_reports"})
# A person's own rows, removed with the person or when the person is anonymised.
PERSON_OWNED = frozenset({"person_aliases", "person_addresses"})


@dataclass(frozen=True)
class RetentionItem:
    """A closed case past its retention period (no case content)."""

    case_id: int
    reference: str
    case_type: str
    closed_on: date
    retain_until: date
    days_overdue: int
    anonymised: bool


@dataclass(frozen=True)
class RetentionResult:
    action: str  # "anonymise" or "delete"
    case_ids: tuple[int, ...]
    rows: dict[str, int] = field(default_factory=dict, hash=False)  # table -> rows removed
    people_removed: tuple[int, ...] = ()
    people_anonymised: tuple[int, ...] = ()


def retain_until(closed_on: date, years: int) -> date:
    """The last day a case closed on ``closed_on`` is kept (29 February -> 28th)."""
    year = closed_on.year + years
    day = min(closed_on.day, calendar.monthrange(year, closed_on.month)[1])
    return closed_on.replace(year=year, day=day)


def _years(session: Session) -> dict[str, int]:
    value = settings.get(session, settings.RETENTION_YEARS)
    default = settings.SPECS[settings.RETENTION_YEARS].default
    return {k: int(value.get(k, default.get(k, 6))) for k in set(value) | set(default)}


def _overdue(session: Session, today: date) -> list[RetentionItem]:
    years = _years(session)
    out = []
    rows = session.execute(
        select(Case.id, Case.reference, Case.case_type, Case.closed_on, Case.anonymised_at)
        .where(Case.status == "closed", Case.closed_on.is_not(None))
        .order_by(Case.closed_on, Case.id)
    )
    for cid, ref, ctype, closed, anonymised_at in rows:
        assert closed is not None
        until = retain_until(closed, years.get(ctype, 6))
        if today > until:
            out.append(RetentionItem(cid, ref, ctype, closed, until, (today - until).days,
                                     anonymised_at is not None))
    return out


def review_list(ws: Workspace, today: date | None = None) -> list[RetentionItem]:
    """Closed cases past their retention period, oldest first (audited)."""
    require(ws.actor, "admin.retention")
    with ws.uow() as session:
        items = _overdue(session, today or clock.today())
        audit.record(ws, session, "retention.review", detail={"overdue": len(items)})
    return items


# -- finding a case's rows ------------------------------------------------------------------

def _remove_rows(session: Session, table: Table, where: ColumnElement[bool],
                 counts: dict[str, int]) -> None:
    """Delete rows, first clearing nullable references to them from rows that stay."""
    for other in records.sorted_tables():
        for fk in other.foreign_keys:
            if fk.column.table is table and other is not table and fk.parent.nullable:
                session.execute(update(other).where(
                    fk.parent.in_(select(fk.column).where(where))).values({fk.parent.name: None}))
    n = _rowcount(session.execute(delete(table).where(where)))
    if n:
        counts[table.name] = counts.get(table.name, 0) + n


def _rowcount(result: Any) -> int:
    return int(result.rowcount or 0)


def _blank_text(session: Session, table: Table, where: ColumnElement[bool]) -> None:
    keep = KEEP_TEXT.get(table.name, frozenset())
    values: dict[str, Any] = {}
    for col in table.columns:
        if col.name in keep or col.primary_key or col.foreign_keys or col.name == "uuid":
            continue  # a row identity is not personal data: a later sync needs it
        if isinstance(col.type, String):  # Text is a String
            values[col.name] = None if col.nullable else ""
        elif isinstance(col.type, LargeBinary):
            values[col.name] = None if col.nullable else b""
    if values:
        session.execute(update(table).where(where).values(values))


def _person_identity(session: Session, person_id: int) -> None:
    """Clear a person's identifying columns in place and drop their aliases and addresses."""
    people = Base.metadata.tables[records.PEOPLE]
    where = people.c.id == person_id
    _blank_text(session, people, where)
    dates = {c.name: None for c in people.columns
             if isinstance(c.type, Date) and not isinstance(c.type, DateTime) and c.nullable}
    session.execute(update(people).where(where).values(
        {**dates, "anonymised": True, "merged_into_id": None}))
    for name in PERSON_OWNED:
        t = Base.metadata.tables[name]
        session.execute(delete(t).where(t.c.person_id == person_id))


def _address_refs() -> list[Any]:
    addresses = Base.metadata.tables["addresses"]
    return [fk.parent for t in records.sorted_tables() for fk in t.foreign_keys
            if fk.column.table is addresses]


def _addresses_of(session: Session, case_id: int, people: set[int]) -> set[int]:
    """Addresses the case or its people point at (candidates to drop afterwards)."""
    ids: set[int] = set()
    for col in _address_refs():
        table = col.table
        conds = []
        case_col = records.case_id_column(table)
        if case_col is not None:
            conds.append(case_col == case_id)
        if "person_id" in table.c and people:
            conds.append(table.c.person_id.in_(sorted(people)))
        if conds:
            ids.update(v for v in session.scalars(select(col).where(or_(*conds)))
                       if v is not None)
    return ids


def _drop_orphan_addresses(session: Session, candidates: set[int],
                           counts: dict[str, int]) -> None:
    addresses = Base.metadata.tables["addresses"]
    for address_id in sorted(candidates):
        if any(session.execute(select(c).where(c == address_id).limit(1)).first()
               for c in _address_refs()):
            continue
        _remove_rows(session, addresses, addresses.c.id == address_id, counts)


def _remove_person(session: Session, person_id: int, counts: dict[str, int]) -> None:
    people = Base.metadata.tables[records.PEOPLE]
    for name in PERSON_OWNED:
        t = Base.metadata.tables[name]
        _remove_rows(session, t, t.c.person_id == person_id, counts)
    _remove_rows(session, people, people.c.id == person_id, counts)


# -- acting on overdue cases ------------------------------------------------------------------

def _checked(session: Session, case_ids: list[int], today: date, action: str) -> list[Case]:
    due = {i.case_id: i for i in _overdue(session, today)}
    cases = []
    for cid in dict.fromkeys(case_ids):
        case = session.get(Case, cid)
        if case is None:
            raise NotFound("No such case.")
        if cid not in due:
            raise ValidationError(f"Case {case.reference} is not past its retention period.",
                                  field="case_ids")
        if action == "anonymise" and due[cid].anonymised:
            raise ValidationError(f"Case {case.reference} is already anonymised.",
                                  field="case_ids")
        cases.append(case)
    return cases


def _open_run(session: Session, action: str, case_ids: list[int], reason: str,
              today: date) -> None:
    """On a team server: the run, checked and recorded by the server itself
    (``casework.server.retention``), which alone lets this transaction change the cases'
    rows; its commit is refused unless every case is audited (as it is below)."""
    if not on_server(session):
        return
    with translated():
        session.execute(text(f"SELECT {ACL}.retention_open(:a, :ids, :r, :t)"),
                        {"a": action, "ids": list(dict.fromkeys(case_ids)), "r": reason,
                         "t": today})


def _start(ws: Workspace, case_ids: list[int], confirmed: bool) -> None:
    require(ws.actor, "admin.retention")
    if not confirmed:
        raise ValidationError("Retention changes cannot be undone: confirm them first.",
                              field="confirmed")
    if not case_ids:
        raise ValidationError("No cases chosen.", field="case_ids")


def delete_cases(ws: Workspace, case_ids: list[int], *, confirmed: bool, reason: str = "",
                 today: date | None = None) -> RetentionResult:
    """Delete overdue cases, everything below them, and people left unreferenced."""
    _start(ws, case_ids, confirmed)
    total: dict[str, int] = {}
    removed: list[int] = []
    day = today or clock.today()
    with ws.uow() as session:
        chosen = _checked(session, case_ids, day, "delete")
        _open_run(session, "delete", case_ids, reason, day)
        for case in chosen:
            cid, ref, ctype = case.id, case.reference, case.case_type
            people = records.people_of_case(session, cid)
            addresses = _addresses_of(session, cid, people)
            counts: dict[str, int] = {}
            session.expunge(case)
            for table in [*records.case_tables(), Base.metadata.tables[records.CASES]]:
                _remove_rows(session, table, records.belongs_to_cases(table, [cid]), counts)
            gone = sorted(p for p in people if not records.person_in_use(session, p, set()))
            for pid in gone:
                _remove_person(session, pid, counts)
                audit.record(ws, session, "retention.delete", "person", pid, reason=reason,
                             detail={"case_id": cid})
            _drop_orphan_addresses(session, addresses, counts)
            audit.record(ws, session, "retention.delete", "case", cid, reason=reason,
                         detail={"reference": ref, "type": ctype, "rows": counts,
                                 "people_removed": len(gone)})
            removed.extend(gone)
            for k, v in counts.items():
                total[k] = total.get(k, 0) + v
        session.expunge_all()
    return RetentionResult("delete", tuple(dict.fromkeys(case_ids)), total, tuple(removed))


def anonymise_cases(ws: Workspace, case_ids: list[int], *, confirmed: bool,
                    reason: str = "", today: date | None = None) -> RetentionResult:
    """Anonymise overdue cases: keep non-identifying facts, remove the rest."""
    _start(ws, case_ids, confirmed)
    total: dict[str, int] = {}
    anonymised: list[int] = []
    day = today or clock.today()
    with ws.uow() as session:
        chosen = _checked(session, case_ids, day, "anonymise")
        _open_run(session, "anonymise", case_ids, reason, day)
        for case in chosen:
            cid, ref, ctype = case.id, case.reference, case.case_type
            counts: dict[str, int] = {}
            people = records.people_of_case(session, cid)
            session.expunge(case)
            in_place = [p for p in sorted(people)
                        if not records.person_in_use(session, p, {cid})]
            addresses = _addresses_of(session, cid, set(in_place))
            for pid in sorted(people - set(in_place)):
                _detach_shared_person(session, cid, pid)
            for table in records.case_tables():
                if table.name in REMOVE_ON_ANONYMISE:
                    _remove_rows(session, table, records.belongs_to_cases(table, [cid]), counts)
            for table in [*records.case_tables(), Base.metadata.tables[records.CASES]]:
                if table.name not in REMOVE_ON_ANONYMISE:
                    _blank_text(session, table, records.belongs_to_cases(table, [cid]))
            cases = Base.metadata.tables[records.CASES]
            session.execute(update(cases).where(cases.c.id == cid).values(
                address_id=None, anonymised_at=clock.utcnow()))
            for pid in in_place:
                _person_identity(session, pid)
                audit.record(ws, session, "retention.anonymise", "person", pid, reason=reason,
                             detail={"case_id": cid})
            _drop_orphan_addresses(session, addresses, counts)
            audit.record(ws, session, "retention.anonymise", "case", cid, reason=reason,
                         detail={"reference": ref, "type": ctype, "rows": counts,
                                 "people_anonymised": len(in_place),
                                 "people_detached": len(people) - len(in_place)})
            anonymised.extend(in_place)
            for k, v in counts.items():
                total[k] = total.get(k, 0) + v
        session.expunge_all()
    return RetentionResult("anonymise", tuple(dict.fromkeys(case_ids)), total, (),
                           tuple(anonymised))


def _detach_shared_person(session: Session, case_id: int, person_id: int) -> None:
    """Point this case's links to a person who is still in other cases at an anonymous
    stand-in (keeping gender and flags for statistics) or clear them."""
    original = session.get(Person, person_id)
    stand_in: int | None = None
    for table, col, case_col in records.case_person_columns():
        where = (col == person_id) & (case_col == case_id)
        if col.nullable:
            session.execute(update(table).where(where).values({col.name: None}))
            continue
        if stand_in is None:
            p = Person(anonymised=True)
            if original is not None:
                p.gender = original.gender
                for name in ("flag_mental_health", "flag_disability", "flag_age",
                             "flag_repeat_victim", "flag_hate_motivated"):
                    setattr(p, name, getattr(original, name))
            session.add(p)
            session.flush()
            stand_in = p.id
        session.execute(update(table).where(where).values({col.name: stand_in}))
    if original is not None:
        session.expunge(original)


def count_rows(session: Session) -> dict[str, int]:
    """Rows per table (tests and the review screen's totals)."""
    return {t.name: int(session.scalar(select(func.count()).select_from(t)) or 0)
            for t in records.sorted_tables()}
