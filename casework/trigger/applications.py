"""Community Trigger (ASB case review): application, complaints, threshold, review, appeal.

The software proposes the threshold decision from the recorded complaints (s104 ASB, Crime
and Policing Act 2014 plus the configurable local extras) and a person confirms it with
reasons. The statutory time limits become dated tasks when the application is received;
each milestone (acknowledgement, threshold decision, outcome) produces a letter.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.cases.letters import LetterDraft, draft_letter, letter_date
from casework.cases.lifecycle import (
    CaseHeader,
    DocumentView,
    add_task,
    complete_tasks,
    create_case,
    load_case,
)
from casework.cases.workflow import SafeRepr, check_date, link_person, milestone_letter
from casework.core import audit, clock, settings, vocabulary
from casework.core.context import Workspace
from casework.core.errors import NotFound, ValidationError
from casework.core.permissions import require
from casework.core.workdays import add_working_days
from casework.trigger import threshold
from casework.trigger.incidents import Reported, SameIncident, group, parse_not_same_as
from casework.trigger.threshold import Complaint, ThresholdProposal, ThresholdRules
from db.models import (
    Case,
    Document,
    Person,
    TriggerApplication,
    TriggerComplaint,
    TriggerRecommendation,
    TriggerReview,
)

APPEAL_OUTCOMES = ("upheld", "not_upheld", "withdrawn")
TASK_ACK = "trigger.acknowledge"
TASK_DECISION = "trigger.threshold_decision"
TASK_OUTCOME = "trigger.outcome"
TASK_RECOMMENDATION = "trigger.recommendation"
NEXT_STEPS_MET = ("The agencies involved will now meet to review the response to your "
                  "complaints. We will write to you with the outcome.")
NEXT_STEPS_NOT_MET = ("This means there will not be a case review of these complaints. We "
                      "will keep working with you on the anti-social behaviour you reported.")
DEADLINES = (
    (TASK_ACK, settings.TRIGGER_ACK_DAYS, "Acknowledge the Community Trigger application"),
    (TASK_DECISION, settings.TRIGGER_DECISION_DAYS, "Decide the Community Trigger threshold"),
    (TASK_OUTCOME, settings.TRIGGER_OUTCOME_DAYS, "Hold the review and send the outcome letter"),
)
LETTER_ACK = "trigger_acknowledgement"
LETTER_DECISION = "trigger_threshold_decision"
LETTER_OUTCOME = "trigger_outcome"


@dataclass(frozen=True, repr=False)
class ComplaintView(SafeRepr):
    id: int
    behaviour_on: date
    complained_on: date
    agency: str
    incident_key: str
    hate_related: bool
    complainant_person_id: int | None
    place: str = ""
    description: str = ""


@dataclass(frozen=True, repr=False)
class RecommendationView(SafeRepr):
    id: int
    body: str
    recommendation: str
    due_on: date
    completed_on: date | None


@dataclass(frozen=True, repr=False)
class ReviewView(SafeRepr):
    id: int
    meeting_on: date
    bodies: tuple[str, ...]
    findings: str


@dataclass(frozen=True, repr=False)
class TriggerView(SafeRepr):
    """A Community Trigger application with everything recorded against it."""

    header: CaseHeader
    applicant_person_id: int | None
    on_behalf: bool
    received_on: date
    acknowledged_on: date | None
    proposed_threshold_met: bool | None
    threshold_met: bool | None
    threshold_reasons: str
    threshold_decided_on: date | None
    outcome_letter_on: date | None
    applicant_response: str
    appeal_requested_on: date | None
    appeal_outcome: str | None
    appeal_decided_on: date | None
    complaints: tuple[ComplaintView, ...]
    reviews: tuple[ReviewView, ...]
    recommendations: tuple[RecommendationView, ...]
    letters: tuple[DocumentView, ...] = ()
    # likely reports of one incident to several agencies, for a person to confirm or reject
    same_incident: tuple[SameIncident, ...] = ()


def _app(session: Session, case_id: int) -> TriggerApplication:
    app = session.get(TriggerApplication, case_id)
    if app is None:
        raise NotFound("No such Community Trigger application.")
    return app


def load_application(ws: Workspace, session: Session,
                     case_id: int) -> tuple[Case, TriggerApplication]:
    """The trigger case (permission checked) and its application row."""
    case = load_case(ws, session, case_id, "trigger")
    return case, _app(session, case_id)


@dataclass(frozen=True, repr=False)
class NewComplaint(SafeRepr):
    """A complaint entered with the application. Complaints a person confirmed report one
    incident share an ``incident_key``; ``not_same_as`` holds the positions (in the list
    given) of complaints a person said report a different incident."""

    behaviour_on: date
    complained_on: date
    agency: str = "council"
    incident_key: str = ""
    hate_related: bool = False
    description: str = ""
    place: str = ""
    not_same_as: tuple[int, ...] = ()


def open_trigger(ws: Workspace, applicant_person_id: int, received_on: date,
                 on_behalf: bool = False, lsoa_code: str | None = None,
                 complaints: Sequence[NewComplaint] = ()) -> CaseHeader:
    """Record an application, with the complaints it rests on (all or nothing); the
    acknowledgement, threshold-decision and outcome deadlines (working days, from
    settings) become tasks. Same-incident decisions made on the complaints are audited
    as they would be on a recorded application."""
    require(ws.actor, "case.write")
    for c in complaints:
        _check_complaint(c.behaviour_on, c.complained_on, c.agency)
        if any(not 0 <= i < len(complaints) for i in c.not_same_as):
            raise ValidationError("A complaint was said to differ from one not entered.",
                                  field="complaints")
    with ws.uow() as session:
        case = create_case(ws, session, "trigger", opened_on=received_on, lsoa_code=lsoa_code)
        app = TriggerApplication(case_id=case.id, applicant_person_id=applicant_person_id,
                                 on_behalf=on_behalf, received_on=received_on)
        session.add(app)
        link_person(ws, session, case, applicant_person_id, "victim")
        for kind, key, title in DEADLINES:
            add_task(session, case, kind, title,
                     add_working_days(received_on, int(settings.get(session, key))))
        case.next_review_on = add_working_days(
            received_on, int(settings.get(session, settings.TRIGGER_OUTCOME_DAYS)))
        audit.record(ws, session, "trigger.open", "case", case.id,
                     detail={"on_behalf": on_behalf})
        rows = [_record_complaint(ws, session, app, c.behaviour_on, c.complained_on,
                                  c.agency, c.incident_key, c.hate_related, None,
                                  c.description, c.place) for c in complaints]
        _same_incident_decisions(ws, session, case.id, rows, complaints)
        return CaseHeader.of(case)


def _same_incident_decisions(ws: Workspace, session: Session, case_id: int,
                             rows: Sequence[TriggerComplaint],
                             entered: Sequence[NewComplaint]) -> None:
    """Store and audit the same-incident decisions made on complaints as they were
    entered: confirmed groups (one key) and complaints said to differ."""
    groups: dict[str, list[int]] = {}
    for row in rows:
        if row.incident_key:
            groups.setdefault(row.incident_key, []).append(row.id)
    for ids in groups.values():
        if len(ids) > 1:
            audit.record(ws, session, "trigger.same_incident", "case", case_id,
                         detail={"complaints": sorted(ids)})
    apart: dict[int, set[int]] = {}
    for n, c in enumerate(entered):
        for i in c.not_same_as:
            if i != n:
                apart.setdefault(rows[n].id, set()).add(rows[i].id)
                apart.setdefault(rows[i].id, set()).add(rows[n].id)
    for row in rows:
        if row.id in apart:
            row.not_same_as = json.dumps(sorted(apart[row.id]))
    if apart:
        audit.record(ws, session, "trigger.not_same_incident", "case", case_id,
                     detail={"complaints": sorted(apart)})


def _check_complaint(behaviour_on: date, complained_on: date, agency: str) -> None:
    if complained_on < behaviour_on:
        raise ValidationError("A complaint cannot be made before the behaviour.",
                              field="complained_on")
    if complained_on > clock.today():
        raise ValidationError("A complaint cannot be in the future.", field="complained_on")
    if not agency.strip():
        raise ValidationError("Say which agency received the complaint.", field="agency")


def _record_complaint(ws: Workspace, session: Session, app: TriggerApplication,
                      behaviour_on: date, complained_on: date, agency: str,
                      incident_key: str, hate_related: bool,
                      complainant_person_id: int | None, description: str,
                      place: str) -> TriggerComplaint:
    agency = vocabulary.check(session, vocabulary.RECIPIENT_BODY, agency, "agency")
    if complained_on > app.received_on:
        raise ValidationError("The application can only rest on complaints made by the "
                              "day it was received.", field="complained_on")
    if complainant_person_id is not None and session.get(Person, complainant_person_id) is None:
        raise NotFound("No such person.")
    row = TriggerComplaint(case_id=app.case_id, behaviour_on=behaviour_on,
                           complained_on=complained_on, agency=agency,
                           incident_key=incident_key.strip(), hate_related=hate_related,
                           description=description.strip(), place=place.strip()[:120],
                           complainant_person_id=complainant_person_id
                           if complainant_person_id is not None else app.applicant_person_id)
    session.add(row)
    session.flush()
    audit.record(ws, session, "trigger.complaint", "case", app.case_id,
                 detail={"complaint": row.id})
    return row


def add_complaint(ws: Workspace, case_id: int, behaviour_on: date, complained_on: date,
                  agency: str = "council", incident_key: str = "", hate_related: bool = False,
                  complainant_person_id: int | None = None, description: str = "",
                  place: str = "") -> ComplaintView:
    """Link a complaint to the application. Reports of the same incident to several
    agencies share an ``incident_key`` and count once (``same_incident`` suggests which
    from the date, ``place`` and ``description``; a person confirms)."""
    require(ws.actor, "case.write")
    _check_complaint(behaviour_on, complained_on, agency)
    with ws.uow() as session:
        _case, app = load_application(ws, session, case_id)
        refuse_after_decision(app)
        return _complaint_view(_record_complaint(
            ws, session, app, behaviour_on, complained_on, agency, incident_key,
            hate_related, complainant_person_id, description, place))


def complaints_closed_reason(threshold_decided_on: date | None) -> str | None:
    """Why no complaint may be added any more (None: complaints may be added). The
    threshold decision is made on the complaints recorded by then; a later complaint
    belongs to a new application."""
    if threshold_decided_on is None:
        return None
    return (f"the threshold decision was recorded on {letter_date(threshold_decided_on)}: "
            "a later complaint is a matter for a new application")


def refuse_after_decision(app: TriggerApplication) -> None:
    """Refuse a complaint once the threshold decision is recorded."""
    if app.threshold_met is None:
        return
    reason = complaints_closed_reason(app.threshold_decided_on) \
        or "the threshold decision is recorded"
    raise ValidationError(f"No complaint can be added: {reason}.", field="threshold_met")


def _complaint_view(c: TriggerComplaint) -> ComplaintView:
    return ComplaintView(c.id, c.behaviour_on, c.complained_on, c.agency, c.incident_key,
                         c.hate_related, c.complainant_person_id, c.place or "",
                         c.description or "")


def reported(c: TriggerComplaint) -> Reported:
    """What the same-incident comparison reads of a recorded complaint."""
    return Reported(c.id, c.agency, c.behaviour_on, c.place or "", c.description or "",
                    c.incident_key or "", parse_not_same_as(c.not_same_as))


def threshold_rules(session: Session) -> ThresholdRules:
    """The threshold's numbers, from settings."""
    return ThresholdRules(
        complaints=int(settings.get(session, settings.TRIGGER_COMPLAINTS)),
        window_months=int(settings.get(session, settings.TRIGGER_WINDOW_MONTHS)),
        qualify_months=int(settings.get(session, settings.TRIGGER_QUALIFY_MONTHS)),
        hate_one=bool(settings.get(session, settings.TRIGGER_HATE_ONE)),
        individuals=int(settings.get(session, settings.TRIGGER_INDIVIDUALS)))


def assess_threshold(session: Session, app: TriggerApplication,
                     complaints: Sequence[TriggerComplaint]) -> ThresholdProposal:
    """The rules (``trigger.threshold.assess``) applied to recorded complaints, with the
    numbers from settings."""
    return threshold.assess(app.received_on, [
        Complaint(c.id, c.behaviour_on, c.complained_on, c.incident_key, c.hate_related,
                  c.complainant_person_id) for c in complaints], threshold_rules(session))


def propose_threshold(ws: Workspace, case_id: int) -> ThresholdProposal:
    """Propose the threshold decision from the recorded complaints (stored, audited)."""
    require(ws.actor, "case.write")
    with ws.uow() as session:
        _case, app = load_application(ws, session, case_id)
        complaints = session.scalars(select(TriggerComplaint).where(
            TriggerComplaint.case_id == case_id).order_by(TriggerComplaint.id)).all()
        proposal = assess_threshold(session, app, complaints)
        app.proposed_threshold_met = proposal.met
        audit.record(ws, session, "trigger.propose", "case", case_id,
                     detail={"met": proposal.met, "qualifying": proposal.qualifying})
        return proposal


def preview_milestone(ws: Workspace, case_id: int, template_key: str, on: date,
                      fields_of: Callable[[Session, TriggerApplication], dict[str, str]]
                      ) -> LetterDraft:
    """A milestone's letter as its step would issue it, not kept (audited
    ``letter.preview``): ``fields_of`` makes the step's checks and returns the letter's
    fields."""
    require(ws.actor, "letter.generate")
    with ws.uow() as session:
        case, app = load_application(ws, session, case_id)
        draft = draft_letter(ws, session, case, template_key, fields_of(session, app), on=on)
        audit.record(ws, session, "letter.preview", "case", case_id,
                     detail={"template": template_key,
                             "recipient": draft.recipient_person_id})
        return draft


def _ack_fields(session: Session, app: TriggerApplication, on: date) -> dict[str, str]:
    """The acknowledgement letter's fields, after its checks: not acknowledged yet, and
    dated on or after the application."""
    if app.acknowledged_on is not None:
        raise ValidationError("The application is already acknowledged.",
                              field="acknowledged_on")
    check_date(on, app.received_on, "acknowledged_on")
    decision_due = add_working_days(
        app.received_on, int(settings.get(session, settings.TRIGGER_DECISION_DAYS)))
    return {"received_on": letter_date(app.received_on),
            "decision_due_on": letter_date(decision_due)}


def acknowledged_reason(acknowledged_on: date | None) -> str | None:
    """Why the application cannot be acknowledged now (None: it can)."""
    if acknowledged_on is None:
        return None
    return f"the application was acknowledged on {acknowledged_on:%d %b %Y}"


def preview_acknowledgement(ws: Workspace, case_id: int,
                            on: date | None = None) -> LetterDraft:
    """The acknowledgement letter as ``acknowledge`` would issue it, not kept."""
    on = on or clock.today()
    return preview_milestone(ws, case_id, LETTER_ACK, on,
                             lambda session, app: _ack_fields(session, app, on))


def acknowledge(ws: Workspace, case_id: int, on: date | None = None) -> TriggerView:
    """Acknowledge the application (completes its task) and produce the letter."""
    require(ws.actor, "case.write")
    on = on or clock.today()
    with ws.uow() as session:
        case, app = load_application(ws, session, case_id)
        fields = _ack_fields(session, app, on)
        app.acknowledged_on = on
        complete_tasks(session, case_id, TASK_ACK, on)
        audit.record(ws, session, "trigger.acknowledge", "case", case_id)
        milestone_letter(ws, session, case, LETTER_ACK, fields, on)
    return trigger_view(ws, case_id, audited=False)


def decide_threshold(ws: Workspace, case_id: int, met: bool, reasons: str,
                     decided_on: date | None = None) -> TriggerView:
    """A person confirms (or departs from) the proposal, with reasons. Not met closes
    the application with outcome ``threshold_not_met``."""
    require(ws.actor, "case.write")
    decided_on = decided_on or clock.today()
    if not reasons.strip():
        raise ValidationError("Give the reasons for the threshold decision.", field="reasons")
    with ws.uow() as session:
        case, app = load_application(ws, session, case_id)
        if app.threshold_met is not None:
            raise ValidationError("The threshold has already been decided.", field="threshold_met")
        check_date(decided_on, app.received_on, "threshold_decided_on")
        complaints = session.scalars(select(TriggerComplaint).where(
            TriggerComplaint.case_id == case_id)).all()
        proposed = assess_threshold(session, app, complaints).met
        app.proposed_threshold_met = proposed
        app.threshold_met = met
        app.threshold_reasons = reasons.strip()
        app.threshold_decided_on = decided_on
        app.threshold_decided_by = ws.actor.user_id
        # Not met ends the application here, like close_case: every open task is done.
        complete_tasks(session, case_id, TASK_DECISION if met else None, decided_on)
        if not met:
            case.status, case.closed_on, case.outcome = "closed", decided_on, "threshold_not_met"
        audit.record(ws, session, "trigger.threshold", "case", case_id,
                     detail={"met": met, "proposed": proposed})
        milestone_letter(ws, session, case, LETTER_DECISION, {
            "decided_on": letter_date(decided_on),
            "threshold_outcome": "has been met" if met else "has not been met",
            "reasons": reasons.strip(),
            "next_steps": NEXT_STEPS_MET if met else NEXT_STEPS_NOT_MET,
        }, decided_on)
    return trigger_view(ws, case_id, audited=False)


def trigger_view(ws: Workspace, case_id: int, audited: bool = True) -> TriggerView:
    """Everything recorded on an application (a read of identifiable detail is audited)."""
    require(ws.actor, "case.read")
    with ws.uow() as session:
        case, app = load_application(ws, session, case_id)
        complaints = session.scalars(select(TriggerComplaint).where(
            TriggerComplaint.case_id == case_id).order_by(TriggerComplaint.complained_on,
                                                          TriggerComplaint.id)).all()
        reviews = session.scalars(select(TriggerReview).where(
            TriggerReview.case_id == case_id).order_by(TriggerReview.meeting_on)).all()
        recs = session.scalars(select(TriggerRecommendation).where(
            TriggerRecommendation.case_id == case_id).order_by(TriggerRecommendation.order)).all()
        docs = session.execute(select(Document.id, Document.kind, Document.title,
                                      Document.created_at, Document.size, Document.sha256)
                               .where(Document.case_id == case_id).order_by(Document.id)).all()
        if audited:
            audit.record(ws, session, "view", "case", case_id)
        return TriggerView(
            CaseHeader.of(case), app.applicant_person_id, app.on_behalf, app.received_on,
            app.acknowledged_on, app.proposed_threshold_met, app.threshold_met,
            app.threshold_reasons, app.threshold_decided_on, app.outcome_letter_on,
            app.applicant_response, app.appeal_requested_on, app.appeal_outcome,
            app.appeal_decided_on, tuple(_complaint_view(c) for c in complaints),
            tuple(ReviewView(r.id, r.meeting_on, tuple(json.loads(r.bodies)), r.findings)
                  for r in reviews),
            tuple(RecommendationView(r.id, r.body, r.recommendation, r.due_on, r.completed_on)
                  for r in recs),
            tuple(DocumentView(d.id, d.kind, d.title, d.created_at.isoformat(timespec="seconds"),
                               d.size, d.sha256) for d in docs),
            tuple(group([reported(c) for c in complaints])),
        )


__all__ = [
    "APPEAL_OUTCOMES", "ComplaintView", "NewComplaint", "RecommendationView", "ReviewView",
    "ThresholdProposal", "TriggerView", "acknowledge", "acknowledged_reason", "add_complaint",
    "assess_threshold", "complaints_closed_reason", "preview_acknowledgement",
    "preview_milestone",
    "decide_threshold", "open_trigger", "propose_threshold", "trigger_view",
]
