"""Who saw what: every access to and change of a person's or a case's record.

Councils must be able to answer "who looked at this person's record?". The answer comes
from the audit chain: entries whose ``record_type``/``record_id`` name the record, or
whose ``detail`` carries ``case_id``/``person_id``, and (for a person) entries about every
case that refers to them. The desktop view and ``casework-cli audit who-saw`` both call
``for_person`` / ``for_case``; they return frozen read models.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from casework.core import audit
from casework.core.context import Workspace
from casework.core.errors import NotFound
from casework.core.permissions import require
from casework.safeguards import records
from db.models import AuditEntry, Case, Person

ACCESS_ACTIONS = ("view", "search", "export", "sar.export", "report", "audit.who_saw")


@dataclass(frozen=True)
class AccessEntry:
    """One audit entry about the record: who, when (UTC), what."""

    seq: int
    when: datetime  # naive UTC
    user_id: int | None
    username: str
    action: str
    record_type: str
    record_id: str
    reason: str
    via: str = ""  # "" about the subject itself; "case ASB-2026-000001" through a case
    detail: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    @property
    def kind(self) -> str:
        """"access" for reads, searches and exports; "change" otherwise."""
        return "access" if self.action.startswith(ACCESS_ACTIONS) else "change"


@dataclass(frozen=True)
class AccessReport:
    subject_type: str  # "person" or "case"
    subject_id: int
    reference: str  # the case reference ("" for a person)
    entries: tuple[AccessEntry, ...]

    @property
    def users(self) -> tuple[str, ...]:
        """Everyone who touched the record, in order of first appearance."""
        return tuple(dict.fromkeys(e.username for e in self.entries))


def _when(ts: str) -> datetime:
    try:
        return datetime.strptime(ts, "%Y-%m-%dT%H:%M:%S.%fZ")
    except ValueError:
        return datetime.fromisoformat(ts.rstrip("Z"))


def _detail_mentions(key: str, ident: int) -> ColumnElement[bool]:
    # ``detail`` is compact JSON with sorted keys (audit.record), so a number is followed
    # by "," or "}".
    return or_(AuditEntry.detail.like(f'%"{key}":{ident},%'),
               AuditEntry.detail.like(f'%"{key}":{ident}}}%'))


def _about(record_type: str, ident: int) -> ColumnElement[bool]:
    return or_(and_(AuditEntry.record_type == record_type,
                    AuditEntry.record_id == str(ident)),
               _detail_mentions(f"{record_type}_id", ident))


def _collect(session: Session,
             subjects: list[tuple[ColumnElement[bool], str]]) -> list[AccessEntry]:
    out: dict[int, AccessEntry] = {}
    for clause, via in subjects:
        for e in session.scalars(select(AuditEntry).where(clause).order_by(AuditEntry.seq)):
            if e.seq in out:
                continue
            try:
                detail = json.loads(e.detail) if e.detail else {}
            except ValueError:
                detail = {}
            out[e.seq] = AccessEntry(e.seq, _when(e.ts), e.user_id, e.username, e.action,
                                     e.record_type, e.record_id, e.reason, via,
                                     detail if isinstance(detail, dict) else {})
    return [out[k] for k in sorted(out)]


def for_person(ws: Workspace, person_id: int, *, include_cases: bool = True) -> AccessReport:
    """Every access and change of a person's record and (by default) of every case that
    refers to them. Needs ``audit.who_saw``; the query is itself audited."""
    require(ws.actor, "audit.who_saw")
    with ws.uow() as session:
        known = session.get(Person, person_id) is not None
        subjects = [(_about("person", person_id), "")]
        if include_cases:
            for case_id in sorted(records.cases_of_person(session, person_id)):
                ref = session.scalar(select(Case.reference).where(Case.id == case_id)) or ""
                subjects.append((_about("case", case_id), f"case {ref or case_id}"))
        entries = _collect(session, subjects)
        if not known and not entries:
            raise NotFound("No person with that id, and nothing recorded about one.")
        audit.record(ws, session, "audit.who_saw", "person", person_id,
                     detail={"entries": len(entries)})
    return AccessReport("person", person_id, "", tuple(entries))


def for_case(ws: Workspace, case: str | int) -> AccessReport:
    """Every access and change of a case (by reference or id). Needs ``audit.who_saw``."""
    require(ws.actor, "audit.who_saw")
    with ws.uow() as session:
        if isinstance(case, int) or str(case).isdigit():
            case_id = int(case)
            reference = session.scalar(select(Case.reference).where(Case.id == case_id)) or ""
        else:
            found = session.execute(
                select(Case.id, Case.reference).where(Case.reference == str(case).strip())
            ).first()
            if found is None:
                raise NotFound("No case with that reference.")
            case_id, reference = int(found[0]), str(found[1])
        entries = _collect(session, [(_about("case", case_id), "")])
        if not reference and not entries:
            raise NotFound("No case with that id, and nothing recorded about one.")
        audit.record(ws, session, "audit.who_saw", "case", case_id,
                     detail={"entries": len(entries)})
    return AccessReport("case", case_id, reference, tuple(entries))
