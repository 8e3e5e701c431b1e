"""SWIP and MART referrals and their per-agency actions.

Only members of the referral's panel see or work it (``require_case``). Meetings, agendas,
attendance and minutes are in ``casework.meetings``; the NRM side of MART in
``casework.mart``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.cases.lifecycle import (
    CaseHeader,
    add_task,
    check_loaded,
    complete_with_task,
    create_case,
    schedule_review,
)
from casework.cases.workflow import SafeRepr, check_date, link_person, require_open
from casework.core import audit, clock, vocabulary
from casework.core.context import Workspace
from casework.core.errors import NotFound, ValidationError
from casework.core.permissions import can_see_case, require
from casework.panels.meetings import (
    AgendaItemView,
    AttendanceView,
    MeetingSummary,
    MeetingView,
    build_agenda,
    carried_actions,
    list_meetings,
    meeting_view,
    record_attendance,
    record_minute,
    schedule_meetings,
    update_meeting,
)
from casework.panels.referrals import REFERRAL_TYPES, ActionView, action_view, load_referral
from db.models import Case, CaseParty, MartDetail, Meeting, Panel, PanelAction, Referral
from db.models.cases import RISK_LEVELS
from db.models.people import CONSENT

TASK_ACTION = "panel.action"


@dataclass(frozen=True, repr=False)
class ReferralView(SafeRepr):
    """A SWIP or MART referral as its panel members see it."""

    header: CaseHeader
    person_id: int | None
    referrer_name: str
    referrer_agency: str
    referred_on: date
    consent: str
    needs: tuple[str, ...]
    agencies_engaged: tuple[str, ...]
    location_concern: bool
    actions: tuple[ActionView, ...] = ()


def create_referral(ws: Workspace, session: Session, panel_id: int, case_type: str,
                    person_id: int | None, referred_on: date, referrer_name: str,
                    referrer_agency: str, consent: str, needs: Sequence[str],
                    risk_level: str, agencies_engaged: Sequence[str], *,
                    location_concern: bool = False, lsoa_code: str | None = None) -> Case:
    """Insert the case, referral row and party in the caller's unit of work (audited)."""
    if case_type not in REFERRAL_TYPES:
        raise ValidationError("A panel referral is SWIP or MART.", field="case_type")
    panel = session.get(Panel, panel_id)
    if panel is None:
        raise NotFound("No such panel.")
    if panel.kind != case_type:
        raise ValidationError("That panel does not take this kind of referral.",
                              field="panel_id")
    if consent not in CONSENT:
        raise ValidationError(f"Consent must be one of: {', '.join(CONSENT)}.", field="consent")
    if risk_level not in RISK_LEVELS:
        raise ValidationError(f"Risk must be one of: {', '.join(RISK_LEVELS)}.",
                              field="risk_level")
    if person_id is None and not location_concern:
        raise ValidationError("Refer a person, or mark the referral as a location concern.",
                              field="person_id")
    if not referrer_agency.strip():
        raise ValidationError("Say which agency referred.", field="referrer_agency")
    referrer_agency = vocabulary.check(session, vocabulary.AGENCY, referrer_agency,
                                       "referrer_agency")
    need_list = vocabulary.check_many(session, vocabulary.NEED, needs, "needs")
    agencies = vocabulary.check_many(session, vocabulary.AGENCY, agencies_engaged,
                                     "agencies_engaged")
    check_date(referred_on, None, "referred_on")
    case = create_case(ws, session, case_type, opened_on=referred_on, panel_id=panel_id,
                       lsoa_code=lsoa_code, risk_level=risk_level)
    case.team_id = None  # panel referrals belong to the panel, not a team
    session.flush()
    schedule_review(session, case, referred_on, "Bring the referral to the panel")
    session.add(Referral(case_id=case.id, referrer_name=referrer_name.strip(),
                         referrer_agency=referrer_agency.strip(), referred_on=referred_on,
                         consent=consent, needs=json.dumps(need_list),
                         agencies_engaged=json.dumps(agencies),
                         location_concern=location_concern))
    if case_type == "mart":
        session.add(MartDetail(case_id=case.id))
    if person_id is not None:
        link_person(ws, session, case, person_id, "victim")
    session.flush()
    audit.record(ws, session, "referral.create", "case", case.id,
                 detail={"panel": panel_id, "needs": len(need_list), "agencies": len(agencies)})
    return case


def refer(ws: Workspace, panel_id: int, case_type: str, person_id: int | None,
          referred_on: date, referrer_name: str, referrer_agency: str, consent: str,
          needs: Sequence[str], risk_level: str, agencies_engaged: Sequence[str], *,
          location_concern: bool = False, lsoa_code: str | None = None) -> ReferralView:
    """Refer a person (or a location concern) to a SWIP or MART panel."""
    require(ws.actor, "case.write")
    with ws.uow() as session:
        case = create_referral(ws, session, panel_id, case_type, person_id, referred_on,
                               referrer_name, referrer_agency, consent, needs, risk_level,
                               agencies_engaged, location_concern=location_concern,
                               lsoa_code=lsoa_code)
        return referral_view_of(session, case)


def referral_view_of(session: Session, case: Case) -> ReferralView:
    ref = session.get(Referral, case.id)
    assert ref is not None
    person_id = session.scalar(select(CaseParty.person_id).where(
        CaseParty.case_id == case.id, CaseParty.role == "victim").limit(1))
    actions = session.scalars(select(PanelAction).where(PanelAction.case_id == case.id)
                              .order_by(PanelAction.due_on, PanelAction.id)).all()
    return ReferralView(CaseHeader.of(case), person_id, ref.referrer_name, ref.referrer_agency,
                        ref.referred_on, ref.consent, tuple(json.loads(ref.needs)),
                        tuple(json.loads(ref.agencies_engaged)), ref.location_concern,
                        tuple(action_view(a) for a in actions))


def referral_view(ws: Workspace, case_id: int) -> ReferralView:
    """A referral with its actions (a read of identifiable detail: audited)."""
    require(ws.actor, "case.read")
    with ws.uow() as session:
        case, _ref = load_referral(ws, session, case_id)
        audit.record(ws, session, "view", "case", case_id)
        return referral_view_of(session, case)


def update_referral(ws: Workspace, case_id: int, *, consent: str | None = None,
                    needs: Sequence[str] | None = None, risk_level: str | None = None,
                    agencies_engaged: Sequence[str] | None = None,
                    loaded_version: int | None = None) -> ReferralView:
    """Change consent, needs, risk or the agencies engaged (refused with
    ``EditConflict`` if the case changed since ``loaded_version``)."""
    require(ws.actor, "case.write")
    with ws.uow() as session:
        case, ref = load_referral(ws, session, case_id)
        check_loaded(session, case, loaded_version)
        require_open(case)
        changed = []
        if consent is not None:
            if consent not in CONSENT:
                raise ValidationError(f"Consent must be one of: {', '.join(CONSENT)}.",
                                      field="consent")
            ref.consent = consent
            changed.append("consent")
        if needs is not None:
            ref.needs = json.dumps(vocabulary.check_many(session, vocabulary.NEED, needs,
                                                         "needs"))
            changed.append("needs")
        if risk_level is not None:
            if risk_level not in RISK_LEVELS:
                raise ValidationError(f"Risk must be one of: {', '.join(RISK_LEVELS)}.",
                                      field="risk_level")
            case.risk_level = risk_level
            changed.append("risk_level")
        if agencies_engaged is not None:
            ref.agencies_engaged = json.dumps(vocabulary.check_many(
                session, vocabulary.AGENCY, agencies_engaged, "agencies_engaged"))
            changed.append("agencies_engaged")
        audit.record(ws, session, "referral.update", "case", case_id,
                     detail={"fields": changed})
        return referral_view_of(session, case)


def add_action(ws: Workspace, case_id: int, agency: str, owner: str, description: str,
               due_on: date, meeting_id: int | None = None,
               shareable: bool = False) -> ActionView:
    """An action for one agency with an owner and due date (also a dated task)."""
    require(ws.actor, "case.write")
    if not agency.strip():
        raise ValidationError("Say which agency owns the action.", field="agency")
    if not description.strip():
        raise ValidationError("Describe the action.", field="description")
    with ws.uow() as session:
        case, _ref = load_referral(ws, session, case_id)
        require_open(case)
        agency = vocabulary.check(session, vocabulary.AGENCY, agency, "agency")
        if meeting_id is not None:
            meeting = session.get(Meeting, meeting_id)
            if meeting is None or meeting.panel_id != case.panel_id:
                raise ValidationError("That meeting is not this panel's.", field="meeting_id")
        task = add_task(session, case, TASK_ACTION, f"Panel action due ({agency.strip()})",
                        due_on)
        action = PanelAction(case_id=case_id, meeting_id=meeting_id, agency=agency.strip(),
                             owner=owner.strip(), description=description.strip(),
                             shareable=shareable, due_on=due_on, task_id=task.id)
        session.add(action)
        session.flush()
        audit.record(ws, session, "action.add", "case", case_id,
                     detail={"action": action.id, "meeting": meeting_id})
        return action_view(action)


def complete_action(ws: Workspace, action_id: int, on: date | None = None) -> ActionView:
    """Mark an action done (and its task)."""
    require(ws.actor, "case.write")
    on = on or clock.today()
    with ws.uow() as session:
        action = session.get(PanelAction, action_id)
        if action is None:
            raise NotFound("No such action.")
        load_referral(ws, session, action.case_id)
        complete_with_task(session, action, on, "action")
        audit.record(ws, session, "action.complete", "case", action.case_id,
                     detail={"action": action.id})
        return action_view(action)


@dataclass(frozen=True)
class PanelChoice:
    """A panel the signed-in user may refer to (its name is not personal data)."""

    id: int
    name: str
    kind: str


def my_panels(ws: Workspace, kind: str | None = None) -> list[PanelChoice]:
    """The panels the actor is a member of (every panel for the system actor), by name;
    ``kind`` ("swip" or "mart") keeps only panels of that kind."""
    require(ws.actor, "case.read")
    with ws.uow() as session:
        stmt = select(Panel).order_by(Panel.name, Panel.id)
        if ws.actor.role != "system":
            stmt = stmt.where(Panel.id.in_(sorted(ws.actor.panel_ids)))
        if kind is not None:
            stmt = stmt.where(Panel.kind == kind)
        return [PanelChoice(p.id, p.name, p.kind) for p in session.scalars(stmt)]


@dataclass(frozen=True)
class ReferralChoice:
    """An open referral to pick (for an agenda item or reassigned actions)."""

    case_id: int
    reference: str
    risk_level: str


def open_referrals(ws: Workspace, panel_id: int | None = None,
                   of_case: int | None = None) -> list[ReferralChoice]:
    """The open referrals the actor may see, of ``panel_id`` (or of the panel of
    ``of_case``, that case left out), by reference."""
    require(ws.actor, "case.read")
    with ws.uow() as session:
        if of_case is not None:
            case, _ref = load_referral(ws, session, of_case)
            panel_id = case.panel_id
        stmt = (select(Case.id, Case.reference, Case.risk_level, Case.case_type, Case.team_id,
                       Case.panel_id)
                .where(Case.panel_id == panel_id, Case.status == "open",
                       Case.case_type.in_(REFERRAL_TYPES), Case.id != (of_case or 0))
                .order_by(Case.reference))
        return [ReferralChoice(r.id, r.reference, r.risk_level) for r in session.execute(stmt)
                if can_see_case(ws.actor, r.case_type, r.team_id, r.panel_id)]


# Meetings live in ``casework.meetings``; re-exported so ``panels`` is one entry point.
__all__ = [
    "REFERRAL_TYPES", "ActionView", "AgendaItemView", "AttendanceView", "MeetingSummary",
    "MeetingView", "PanelChoice", "ReferralChoice", "action_view", "my_panels",
    "open_referrals",
    "ReferralView", "add_action", "build_agenda", "carried_actions", "complete_action",
    "create_referral", "list_meetings", "load_referral", "meeting_view", "record_attendance",
    "record_minute", "refer", "referral_view", "schedule_meetings", "update_meeting",
    "update_referral",
]
