"""Anti-social behaviour cases: intake, incidents, contact deadlines and the case page.

The escalation ladder is in ``casework.ladder`` and the risk assessment in
``casework.risk``; this module opens cases and reads them back (audited).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.asb.risk import RiskAssessmentView, assess_in, first_contact_days, review_days
from casework.cases.lifecycle import CaseHeader, add_task, complete_tasks, create_case, load_case
from casework.core import audit, clock, settings
from casework.core.context import Workspace
from casework.core.errors import ValidationError
from casework.core.permissions import require
from casework.core.workdays import add_working_days
from casework.people.persons import add_party_in, require_person
from db.models import (
    AsbDetail,
    Breach,
    Case,
    CaseParty,
    EscalationStep,
    Incident,
    Lsoa,
    RiskAssessment,
)
from db.models.asb import ASB_CATEGORIES, INCIDENT_SOURCES

SUBCATEGORIES = ("noise", "harassment", "drug_related", "vehicle", "street_drinking", "hate",
                 "neighbour_dispute", "littering", "criminal_damage", "begging", "other")


@dataclass(frozen=True)
class IncidentInput:
    """One reported occurrence of the behaviour."""

    occurred_on: date
    reported_on: date | None = None
    location: str = ""
    lsoa_code: str | None = None
    reporter_person_id: int | None = None
    source: str = "council"
    police_reference: str = ""
    hate_motivated: bool = False
    description: str = ""


@dataclass(frozen=True)
class IncidentView:
    id: int
    case_id: int
    occurred_on: date
    reported_on: date
    location: str
    lsoa_code: str | None
    reporter_person_id: int | None
    source: str
    police_reference: str
    hate_motivated: bool
    description: str

    @classmethod
    def of(cls, i: Incident) -> IncidentView:
        return cls(i.id, i.case_id, i.occurred_on, i.reported_on, i.location, i.lsoa_code,
                   i.reporter_person_id, i.source, i.police_reference, i.hate_motivated,
                   i.description)


@dataclass(frozen=True)
class StepView:
    """One step on the escalation ladder (or a de-escalation)."""

    id: int
    case_id: int
    stage: int
    action: str
    taken_on: date
    officer_id: int | None
    document_id: int | None
    reason: str
    expires_on: date | None
    duration_hours: int | None

    @classmethod
    def of(cls, s: EscalationStep) -> StepView:
        return cls(s.id, s.case_id, s.stage, s.action, s.taken_on, s.officer_id, s.document_id,
                   s.reason, s.expires_on, s.duration_hours)


@dataclass(frozen=True)
class BreachView:
    id: int
    step_id: int
    occurred_on: date
    recorded_by: int | None
    action_taken: str
    description: str


@dataclass(frozen=True)
class ContactView:
    """Where the complainant-contact deadlines stand."""

    case_id: int
    first_contact_due: date | None
    first_contact_on: date | None
    first_contact_late: bool
    next_update_due: date | None


@dataclass(frozen=True)
class AsbCaseView:
    """The ASB case page (identifiable: reading it is audited)."""

    header: CaseHeader
    summary: str
    category: str
    subcategory: str
    stage: int
    subject_person_id: int | None
    complainant_person_ids: tuple[int, ...]
    first_contact_due: date | None
    first_contact_on: date | None
    guardcam_installed: bool
    incidents: tuple[IncidentView, ...]
    steps: tuple[StepView, ...]
    breaches: tuple[BreachView, ...]
    assessments: tuple[RiskAssessmentView, ...]

    def __repr__(self) -> str:  # never print personal data
        return f"AsbCaseView(id={self.header.id}, stage={self.stage})"


def _check_lsoa(session: Session, code: str | None, field: str) -> None:
    if code and session.get(Lsoa, code) is None:
        raise ValidationError("Unknown LSOA code.", field=field)


def add_incident_in(ws: Workspace, session: Session, case: Case,
                    data: IncidentInput) -> Incident:
    """Record an incident inside the caller's unit of work (audited)."""
    reported_on = data.reported_on or data.occurred_on
    if data.occurred_on > reported_on:
        raise ValidationError("An incident cannot be reported before it happened.",
                              field="reported_on")
    if reported_on > clock.today():
        raise ValidationError("An incident cannot be reported in the future.",
                              field="reported_on")
    if data.source not in INCIDENT_SOURCES:
        raise ValidationError("Unknown incident source.", field="source")
    _check_lsoa(session, data.lsoa_code, "lsoa_code")
    if data.reporter_person_id is not None:
        require_person(ws, session, data.reporter_person_id)
    incident = Incident(case_id=case.id, occurred_on=data.occurred_on, reported_on=reported_on,
                        location=data.location.strip(), lsoa_code=data.lsoa_code,
                        reporter_person_id=data.reporter_person_id, source=data.source,
                        police_reference=data.police_reference.strip(),
                        hate_motivated=data.hate_motivated, description=data.description)
    session.add(incident)
    session.flush()
    audit.record(ws, session, "asb.incident", "case", case.id,
                 detail={"incident": incident.id, "source": data.source})
    return incident


def open_asb_case(ws: Workspace, category: str, subcategory: str, opened_on: date,
                  lsoa_code: str | None, complainant_person_id: int | None,
                  subject_person_id: int | None, incidents: Sequence[IncidentInput] = (),
                  summary: str = "",
                  risk_answers: Mapping[str, int] | None = None) -> AsbCaseView:
    """Intake: the case, its parties and incidents, the intake risk assessment (if answered),
    and the first-contact and complainant-update deadline tasks, in one unit of work."""
    require(ws.actor, "case.write")
    if category not in ASB_CATEGORIES:
        raise ValidationError("Category must be personal, nuisance or environmental.",
                              field="category")
    subcategory = subcategory.strip().lower().replace(" ", "_").replace("-", "_")
    if len(subcategory) > 40:
        raise ValidationError("The sub-category is too long.", field="subcategory")
    if (complainant_person_id is not None
            and complainant_person_id == subject_person_id):
        raise ValidationError("The complainant cannot also be the subject.",
                              field="subject_person_id")
    with ws.uow() as session:
        _check_lsoa(session, lsoa_code, "lsoa_code")
        case = create_case(ws, session, "asb", opened_on=opened_on, lsoa_code=lsoa_code,
                           summary=summary)
        detail = AsbDetail(case_id=case.id, category=category, subcategory=subcategory,
                           stage=0, subject_person_id=subject_person_id)
        session.add(detail)
        if complainant_person_id is not None:
            add_party_in(ws, session, case, complainant_person_id, "complainant")
        if subject_person_id is not None:
            add_party_in(ws, session, case, subject_person_id, "perpetrator")
        for item in incidents:
            add_incident_in(ws, session, case, item)
        session.flush()
        if risk_answers is not None:
            assess_in(ws, session, case, risk_answers, opened_on, True)
        else:  # no assessment yet: assess at the standard cadence (a review task is set)
            case.next_review_on = opened_on + timedelta(days=review_days(session,
                                                                         case.risk_level))
            add_task(session, case, "risk_review", "Review the risk assessment",
                     case.next_review_on)
        detail.first_contact_due = add_working_days(
            opened_on, first_contact_days(session, case.risk_level))
        add_task(session, case, "first_contact", "Make first contact with the complainant",
                 detail.first_contact_due)
        add_task(session, case, "complainant_update", "Update the complainant",
                 add_working_days(opened_on, int(settings.get(
                     session, settings.UPDATE_WORKING_DAYS))))
        session.flush()
        return _view(session, case, detail)


def add_incident(ws: Workspace, case_id: int, incident: IncidentInput) -> IncidentView:
    """Add a reported incident to an open ASB case."""
    require(ws.actor, "case.write")
    with ws.uow() as session:
        case = _open_case(ws, session, case_id)
        return IncidentView.of(add_incident_in(ws, session, case, incident))


def record_contact(ws: Workspace, case_id: int, contacted_on: date) -> ContactView:
    """Contact with the complainant: the first one meets the first-contact deadline; each
    one completes the update task and sets the next update due in N working days."""
    require(ws.actor, "case.write")
    with ws.uow() as session:
        case = _open_case(ws, session, case_id)
        if contacted_on < case.opened_on or contacted_on > clock.today():
            raise ValidationError("The contact date must fall between the case opening and "
                                  "today.", field="contacted_on")
        detail = _detail(session, case)
        first = detail.first_contact_on is None
        if first:
            detail.first_contact_on = contacted_on
            complete_tasks(session, case.id, "first_contact", contacted_on)
        complete_tasks(session, case.id, "complainant_update", contacted_on)
        next_due = add_working_days(contacted_on, int(settings.get(
            session, settings.UPDATE_WORKING_DAYS)))
        add_task(session, case, "complainant_update", "Update the complainant", next_due)
        audit.record(ws, session, "asb.contact", "case", case.id, detail={"first": first})
        return ContactView(case.id, detail.first_contact_due, detail.first_contact_on,
                           _late(detail), next_due)


def record_guardcam(ws: Workspace, case_id: int, installed: bool = True) -> None:
    """Record that a covert camera was installed for a vulnerable victim (or removed)."""
    require(ws.actor, "case.write")
    with ws.uow() as session:
        case = _open_case(ws, session, case_id)
        _detail(session, case).guardcam_installed = installed
        audit.record(ws, session, "asb.guardcam", "case", case.id,
                     detail={"installed": installed})


def get_asb_case(ws: Workspace, case_id: int) -> AsbCaseView:
    """The case page: header, incidents, ladder, breaches, assessments (audited view)."""
    with ws.uow() as session:
        case = load_case(ws, session, case_id, "asb")
        audit.record(ws, session, "view", "case", case.id)
        return _view(session, case, _detail(session, case))


def _late(detail: AsbDetail) -> bool:
    return (detail.first_contact_due is not None and detail.first_contact_on is not None
            and detail.first_contact_on > detail.first_contact_due)


def _detail(session: Session, case: Case) -> AsbDetail:
    detail = session.get(AsbDetail, case.id)
    if detail is None:  # an ASB case row always has its detail row
        raise ValidationError("This case has no ASB details.", field="case_id")
    return detail


def _open_case(ws: Workspace, session: Session, case_id: int) -> Case:
    case = load_case(ws, session, case_id, "asb")
    if case.status == "closed":
        raise ValidationError("The case is closed.", field="status")
    return case


def _view(session: Session, case: Case, detail: AsbDetail) -> AsbCaseView:
    steps = session.scalars(select(EscalationStep).where(EscalationStep.case_id == case.id)
                            .order_by(EscalationStep.id)).all()
    breaches = session.scalars(select(Breach).where(
        Breach.step_id.in_([s.id for s in steps])).order_by(Breach.id)).all()
    complainants = session.scalars(select(CaseParty.person_id).where(
        CaseParty.case_id == case.id, CaseParty.role.in_(("complainant", "victim")))
        .order_by(CaseParty.id)).all()
    return AsbCaseView(
        CaseHeader.of(case), case.summary, detail.category, detail.subcategory, detail.stage,
        detail.subject_person_id, tuple(complainants), detail.first_contact_due,
        detail.first_contact_on, detail.guardcam_installed,
        tuple(IncidentView.of(i) for i in session.scalars(
            select(Incident).where(Incident.case_id == case.id).order_by(Incident.occurred_on,
                                                                         Incident.id))),
        tuple(StepView.of(s) for s in steps),
        tuple(BreachView(b.id, b.step_id, b.occurred_on, b.recorded_by, b.action_taken,
                         b.description) for b in breaches),
        tuple(RiskAssessmentView.of(r) for r in session.scalars(
            select(RiskAssessment).where(RiskAssessment.case_id == case.id)
            .order_by(RiskAssessment.assessed_on, RiskAssessment.id))))
