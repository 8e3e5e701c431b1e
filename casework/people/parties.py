"""The people in a case after intake: add, change or end a party on any case type.

The ASB subject is a party role: the current perpetrator chosen as subject (by default the
first one). Letters go to the subject and the ladder's age rules use the subject's date of
birth, so a perpetrator identified after intake becomes the subject when added.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from casework.cases.lifecycle import load_case
from casework.cases.workflow import require_open, sync_asb_subject
from casework.core import audit, clock
from casework.core.context import Workspace
from casework.core.errors import NotFound, ValidationError
from casework.core.permissions import require
from casework.people.persons import add_party_in
from db.models import AsbDetail, Case, CaseParty
from db.models.cases import PARTY_ROLES


@dataclass(frozen=True)
class PartyChange:
    """A party row after a change (identifiers and codes only)."""

    party_id: int
    case_id: int
    person_id: int
    role: str
    agency: str
    ended_on: date | None
    is_subject: bool


def _subject(session: Session, case: Case) -> int | None:
    detail = session.get(AsbDetail, case.id) if case.case_type == "asb" else None
    return detail.subject_person_id if detail is not None else None


def _view(session: Session, case: Case, party: CaseParty) -> PartyChange:
    return PartyChange(party.id, case.id, party.person_id, party.role, party.agency,
                       party.ended_on, _subject(session, case) == party.person_id
                       and party.role == "perpetrator" and party.ended_on is None)


def _party(ws: Workspace, session: Session, party_id: int) -> tuple[Case, CaseParty]:
    party = session.get(CaseParty, party_id)
    if party is None:
        raise NotFound("No such party.")
    case = load_case(ws, session, party.case_id)
    require_open(case)
    return case, party


def add_case_party(ws: Workspace, case_id: int, person_id: int, role: str, agency: str = "",
                   make_subject: bool = False) -> PartyChange:
    """Link a person to an open case in a role (audited ``party.add``). On an ASB case a
    perpetrator becomes the subject when there is none, or when ``make_subject``."""
    require(ws.actor, "case.write")
    require(ws.actor, "people.write")
    if make_subject and role != "perpetrator":
        raise ValidationError("Only a perpetrator can be the subject.", field="role")
    with ws.uow() as session:
        case = load_case(ws, session, case_id)
        require_open(case)
        party = add_party_in(ws, session, case, person_id, role, agency)
        if make_subject:
            sync_asb_subject(ws, session, case, prefer=person_id)
        return _view(session, case, party)


def change_party(ws: Workspace, party_id: int, role: str | None = None,
                 agency: str | None = None) -> PartyChange:
    """Change a party's role or agency (audited ``party.change``); the ASB subject follows."""
    require(ws.actor, "case.write")
    with ws.uow() as session:
        case, party = _party(ws, session, party_id)
        if party.ended_on is not None:
            raise ValidationError("This party has ended; add the person again.", field="role")
        old = {"role": party.role}
        if role is not None:
            if role not in PARTY_ROLES:
                raise ValidationError("Unknown party role.", field="role")
            party.role = role
        if agency is not None:
            if len(agency.strip()) > 80:
                raise ValidationError("Keep the agency short.", field="agency")
            party.agency = agency.strip()
        session.flush()
        audit.record(ws, session, "party.change", "case", case.id,
                     detail={**old, "party": party.id, "to_role": party.role})
        sync_asb_subject(ws, session, case)
        return _view(session, case, party)


def end_party(ws: Workspace, party_id: int, reason: str,
              ended_on: date | None = None) -> PartyChange:
    """End a person's part in a case from a day, with a reason (audited ``party.end``);
    the row stays in the record. An ended ASB subject is replaced by the next current
    perpetrator, or the case has no subject."""
    require(ws.actor, "case.write")
    if not reason.strip():
        raise ValidationError("Give a reason for ending this party.", field="reason")
    ended_on = ended_on or clock.today()
    with ws.uow() as session:
        case, party = _party(ws, session, party_id)
        if party.ended_on is not None:
            raise ValidationError("This party has already ended.", field="ended_on")
        if ended_on > clock.today() or ended_on < case.opened_on:
            raise ValidationError("The end date falls between the case opening and today.",
                                  field="ended_on")
        party.ended_on = ended_on
        session.flush()
        audit.record(ws, session, "party.end", "case", case.id, reason=reason.strip(),
                     detail={"party": party.id, "role": party.role})
        sync_asb_subject(ws, session, case)
        return _view(session, case, party)


def set_asb_subject(ws: Workspace, case_id: int, person_id: int) -> PartyChange:
    """Make a current perpetrator of an ASB case its subject (audited ``asb.subject``)."""
    require(ws.actor, "case.write")
    with ws.uow() as session:
        case = load_case(ws, session, case_id, "asb")
        require_open(case)
        party = next((p for p in case.parties if p.person_id == person_id
                      and p.role == "perpetrator" and p.ended_on is None), None)
        if party is None:
            raise ValidationError("Add the person as a perpetrator first.", field="person_id")
        sync_asb_subject(ws, session, case, prefer=person_id)
        return _view(session, case, party)
