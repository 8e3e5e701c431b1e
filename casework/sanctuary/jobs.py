"""Sanctuary / target-hardening jobs: referral, eligibility, survey, work lines, contractor,
fire-safety check, completion and feedback.

Each eligibility check (the victim chose it, the perpetrator does not live there, the
right to occupy, landlord consent, a risk assessment done first) is recorded with the day
it was made. The home is surveyed, and work ordered, only when every check passes and the
risk assessment is dated no later than that step. A referral creates its survey task
(``sanctuary.survey_working_days``), which the survey completes. A sanctuary room or
fire-proof letterbox needs a fire-safety check before the job completes. Completion
creates the feedback task (3 to 6 months after fitting).

An open job always has its next review: a review task every ``sanctuary.review_days``
from the referral, moved on by each step (survey, order, fire-safety check; the one it
replaces closes as superseded). When the work is fitted the feedback task takes its place
(the review task closes with that reason); once feedback is in, a last review asks for
the job to be closed.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.cases.lifecycle import (
    REVIEW_TASK,
    CaseHeader,
    add_task,
    check_loaded,
    complete_tasks,
    create_case,
    load_case,
    schedule_review,
    supersede_tasks,
)
from casework.cases.workflow import SafeRepr, check_date, link_person, require_open
from casework.core import audit, clock, settings
from casework.core.context import Workspace
from casework.core.errors import NotFound, ValidationError
from casework.core.permissions import require
from casework.core.workdays import add_months, add_working_days
from db.models import Case, Contractor, SanctuaryFeedback, SanctuaryJob, WorkLine
from db.models.cases import RISK_LEVELS
from db.models.sanctuary import REFERRAL_SOURCES, WORK_KINDS

TASK_FEEDBACK = "sanctuary.feedback"
TASK_SURVEY = "sanctuary.survey"
SURVEY_WORKING_DAYS = 10  # the survey task falls due this many working days after referral
VICTIM_OF = ("domestic_abuse", "burglary")
ELIGIBILITY = (
    ("victim_chose", "The victim has not chosen to stay with sanctuary measures."),
    ("perpetrator_not_resident", "The perpetrator may still live at the address."),
    ("right_to_occupy", "The victim's right to occupy is not confirmed."),
    ("landlord_consent", "The landlord's consent is not recorded."),
    ("risk_assessment_done", "A risk assessment must be done first."),
)
FIRE_SAFETY_KINDS = frozenset({"sanctuary_room", "fireproof_letterbox"})
REVIEW_TITLE = "Review the sanctuary job"


def review_due(session: Session, on: date) -> date:
    """When a job's next review falls after a step taken on ``on``."""
    return on + timedelta(days=int(settings.get(session, settings.SANCTUARY_REVIEW_DAYS)))


def _review(session: Session, case: Case, on: date, title: str = REVIEW_TITLE) -> None:
    """The job's next review, ``sanctuary.review_days`` after ``on`` (the step just taken);
    an earlier open review task closes as superseded that day."""
    schedule_review(session, case, review_due(session, on), title, reviewed_on=on)


@dataclass(frozen=True, repr=False)
class WorkLineView(SafeRepr):
    id: int
    kind: str
    description: str
    cost_pence: int


@dataclass(frozen=True, repr=False)
class FeedbackView(SafeRepr):
    id: int
    collected_on: date
    felt_safer: bool | None
    further_incidents: bool | None
    moved: bool
    comments: str


@dataclass(frozen=True, repr=False)
class SanctuaryView(SafeRepr):
    """A sanctuary job with its checks, work, dates and feedback."""

    header: CaseHeader
    victim_of: str
    referral_source: str
    eligibility: dict[str, bool]
    eligible: bool
    contractor_id: int | None
    contractor: str | None
    referred_on: date
    surveyed_on: date | None
    ordered_on: date | None
    fire_safety_checked_on: date | None
    completed_on: date | None
    work_lines: tuple[WorkLineView, ...]
    total_cost_pence: int
    feedback_from: date | None
    feedback_by: date | None
    feedback: tuple[FeedbackView, ...]
    checked_on: dict[str, date | None] = dataclasses.field(default_factory=dict)


@dataclass(frozen=True, repr=False)
class ContractorView(SafeRepr):
    id: int
    name: str
    active: bool


def _job(ws: Workspace, session: Session, case_id: int) -> tuple[Case, SanctuaryJob]:
    case = load_case(ws, session, case_id, "sanctuary")
    job = session.get(SanctuaryJob, case_id)
    if job is None:
        raise NotFound("No such sanctuary job.")
    return case, job


def refer_sanctuary(ws: Workspace, person_id: int, referred_on: date, referral_source: str,
                    victim_of: str = "domestic_abuse", *, lsoa_code: str | None = None,
                    risk_level: str = "standard", victim_chose: bool = False,
                    perpetrator_not_resident: bool = False, right_to_occupy: bool = False,
                    landlord_consent: bool = False,
                    risk_assessment_done: bool = False) -> SanctuaryView:
    """Record a referral for target hardening of a victim's home."""
    require(ws.actor, "case.write")
    if referral_source not in REFERRAL_SOURCES:
        raise ValidationError(f"The referral source must be one of: "
                              f"{', '.join(REFERRAL_SOURCES)}.", field="referral_source")
    if victim_of not in VICTIM_OF:
        raise ValidationError("Sanctuary is for victims of domestic abuse or burglary.",
                              field="victim_of")
    if risk_level not in RISK_LEVELS:
        raise ValidationError(f"Risk must be one of: {', '.join(RISK_LEVELS)}.",
                              field="risk_level")
    with ws.uow() as session:
        case = create_case(ws, session, "sanctuary", opened_on=referred_on,
                           lsoa_code=lsoa_code, risk_level=risk_level)
        session.add(SanctuaryJob(
            case_id=case.id, victim_of=victim_of, referral_source=referral_source,
            referred_on=referred_on, victim_chose=victim_chose,
            perpetrator_not_resident=perpetrator_not_resident,
            right_to_occupy=right_to_occupy, landlord_consent=landlord_consent,
            risk_assessment_done=risk_assessment_done,
            **{f"{key}_on": referred_on for key, passed in (
                ("victim_chose", victim_chose),
                ("perpetrator_not_resident", perpetrator_not_resident),
                ("right_to_occupy", right_to_occupy), ("landlord_consent", landlord_consent),
                ("risk_assessment_done", risk_assessment_done)) if passed}))
        link_person(ws, session, case, person_id, "victim")
        add_task(session, case, TASK_SURVEY, "Survey the home for sanctuary measures",
                 add_working_days(referred_on, SURVEY_WORKING_DAYS))
        _review(session, case, referred_on)
        session.flush()
        audit.record(ws, session, "sanctuary.refer", "case", case.id,
                     detail={"source": referral_source})
        return _view(session, case.id)


def record_eligibility(ws: Workspace, case_id: int, *, victim_chose: bool | None = None,
                       perpetrator_not_resident: bool | None = None,
                       right_to_occupy: bool | None = None,
                       landlord_consent: bool | None = None,
                       risk_assessment_done: bool | None = None,
                       checked_on: date | None = None,
                       loaded_version: int | None = None) -> SanctuaryView:
    """Record the outcome of one or more eligibility checks, made on ``checked_on``
    (today by default): a check that passes carries that date, one that fails none
    (refused with ``EditConflict`` if the case changed since ``loaded_version``)."""
    require(ws.actor, "case.write")
    given = {"victim_chose": victim_chose, "perpetrator_not_resident": perpetrator_not_resident,
             "right_to_occupy": right_to_occupy, "landlord_consent": landlord_consent,
             "risk_assessment_done": risk_assessment_done}
    with ws.uow() as session:
        case, job = _job(ws, session, case_id)
        check_loaded(session, case, loaded_version)
        require_open(case)
        changed = {k: v for k, v in given.items() if v is not None}
        day = checked_on or clock.today()
        check_date(day, job.referred_on, "checked_on")
        for key, value in changed.items():
            setattr(job, key, value)
            if not value:
                setattr(job, f"{key}_on", None)
            elif not getattr(job, f"{key}_on") or checked_on is not None:
                setattr(job, f"{key}_on", day)
        audit.record(ws, session, "sanctuary.eligibility", "case", case_id,
                     detail={**changed, "checked_on": day.isoformat()})
        return _view(session, case_id)


def _require_eligible(job: SanctuaryJob, on: date, refusal: str) -> None:
    """Every check passed, and the risk assessment dated no later than ``on``.
    ``refusal`` ends the message ("The home cannot be surveyed")."""
    for key, message in ELIGIBILITY:
        if not getattr(job, key):
            raise ValidationError(f"{message} {refusal}.", field=key)
    done = job.risk_assessment_done_on
    if done is None:
        raise ValidationError(f"Record the date of the risk assessment, which comes first. "
                              f"{refusal}.", field="risk_assessment_done")
    if done > on:
        raise ValidationError(f"The risk assessment ({done:%d %B %Y}) comes first. "
                              f"{refusal} before it.", field="risk_assessment_done")


def record_survey(ws: Workspace, case_id: int, surveyed_on: date) -> SanctuaryView:
    """The home has been surveyed (only when eligible, after the risk assessment);
    completes the survey task."""
    require(ws.actor, "case.write")
    with ws.uow() as session:
        case, job = _job(ws, session, case_id)
        require_open(case)
        check_date(surveyed_on, job.referred_on, "surveyed_on")
        _require_eligible(job, surveyed_on, "The home cannot be surveyed")
        job.surveyed_on = surveyed_on
        complete_tasks(session, case_id, TASK_SURVEY, surveyed_on)
        _review(session, case, surveyed_on)
        audit.record(ws, session, "sanctuary.survey", "case", case_id)
        return _view(session, case_id)


def add_work_line(ws: Workspace, case_id: int, kind: str, description: str,
                  cost_pence: int) -> WorkLineView:
    """A line of work with its cost in pence (before the job is completed)."""
    require(ws.actor, "case.write")
    if kind not in WORK_KINDS:
        raise ValidationError(f"The work must be one of: {', '.join(WORK_KINDS)}.",
                              field="kind")
    if isinstance(cost_pence, bool) or not isinstance(cost_pence, int) or cost_pence < 0:
        raise ValidationError("The cost is a whole number of pence, not negative.",
                              field="cost_pence")
    with ws.uow() as session:
        case, job = _job(ws, session, case_id)
        require_open(case)
        if job.completed_on is not None:
            raise ValidationError("The job is already completed.", field="completed_on")
        line = WorkLine(case_id=case_id, kind=kind, description=description.strip()[:200],
                        cost_pence=cost_pence)
        session.add(line)
        session.flush()
        audit.record(ws, session, "sanctuary.work_line", "case", case_id,
                     detail={"line": line.id, "kind": kind, "cost_pence": cost_pence})
        return WorkLineView(line.id, kind, line.description, cost_pence)


def add_contractor(ws: Workspace, name: str) -> ContractorView:
    """A contractor firm (idempotent by name)."""
    require(ws.actor, "case.write")
    if not name.strip():
        raise ValidationError("Name the contractor.", field="name")
    with ws.uow() as session:
        row = session.scalar(select(Contractor).where(Contractor.name == name.strip()))
        if row is None:
            row = Contractor(name=name.strip())
            session.add(row)
            session.flush()
            audit.record(ws, session, "contractor.add", "contractor", row.id)
        return ContractorView(row.id, row.name, row.active)


def list_contractors(ws: Workspace) -> list[ContractorView]:
    require(ws.actor, "case.read")
    with ws.uow() as session:
        return [ContractorView(c.id, c.name, c.active)
                for c in session.scalars(select(Contractor).order_by(Contractor.name))]


def order_work(ws: Workspace, case_id: int, contractor_id: int,
               ordered_on: date) -> SanctuaryView:
    """Order the work from a contractor. Refused while any eligibility check fails (the
    error names the field), before the survey, or with no work lines."""
    require(ws.actor, "case.write")
    with ws.uow() as session:
        case, job = _job(ws, session, case_id)
        require_open(case)
        for key, message in ELIGIBILITY:
            if not getattr(job, key):
                raise ValidationError(message + " Work cannot be ordered.", field=key)
        _require_eligible(job, ordered_on, "Work cannot be ordered")
        if job.surveyed_on is None:
            raise ValidationError("Survey the home before ordering work.", field="surveyed_on")
        if session.scalar(select(WorkLine.id).where(WorkLine.case_id == case_id).limit(1)) \
                is None:
            raise ValidationError("Add the work to be done first.", field="work_lines")
        contractor = session.get(Contractor, contractor_id)
        if contractor is None or not contractor.active:
            raise ValidationError("Choose an active contractor.", field="contractor_id")
        check_date(ordered_on, job.surveyed_on, "ordered_on")
        job.contractor_id, job.ordered_on = contractor_id, ordered_on
        _review(session, case, ordered_on)
        audit.record(ws, session, "sanctuary.order", "case", case_id,
                     detail={"contractor": contractor_id})
        return _view(session, case_id)


def record_fire_safety_check(ws: Workspace, case_id: int, checked_on: date) -> SanctuaryView:
    """The fire-safety check of the fitted work (needed for sanctuary rooms/letterboxes)."""
    require(ws.actor, "case.write")
    with ws.uow() as session:
        case, job = _job(ws, session, case_id)
        require_open(case)
        if job.ordered_on is None:
            raise ValidationError("Order the work first.", field="ordered_on")
        check_date(checked_on, job.ordered_on, "fire_safety_checked_on")
        job.fire_safety_checked_on = checked_on
        _review(session, case, checked_on)
        audit.record(ws, session, "sanctuary.fire_safety", "case", case_id)
        return _view(session, case_id)


def complete_job(ws: Workspace, case_id: int, completed_on: date) -> SanctuaryView:
    """The work is fitted. Creates the feedback task (due at the end of the 3 to 6 month
    window after fitting)."""
    require(ws.actor, "case.write")
    with ws.uow() as session:
        case, job = _job(ws, session, case_id)
        require_open(case)
        if job.ordered_on is None:
            raise ValidationError("Order the work first.", field="ordered_on")
        if job.completed_on is not None:
            raise ValidationError("The job is already completed.", field="completed_on")
        check_date(completed_on, job.ordered_on, "completed_on")
        kinds = set(session.scalars(select(WorkLine.kind).where(WorkLine.case_id == case_id)))
        if kinds & FIRE_SAFETY_KINDS and job.fire_safety_checked_on is None:
            raise ValidationError("A sanctuary room or fire-proof letterbox needs a "
                                  "fire-safety check before completion.",
                                  field="fire_safety_checked_on")
        job.completed_on = completed_on
        start, end = _feedback_window(session, completed_on)
        add_task(session, case, TASK_FEEDBACK,
                 f"Collect sanctuary feedback (from {start:%d %b %Y})", end)
        # the feedback task is the job's next review now
        supersede_tasks(session, case_id, (REVIEW_TASK,), completed_on,
                        f"superseded by the feedback due {end.isoformat()}: the work is fitted")
        case.next_review_on = end
        audit.record(ws, session, "sanctuary.complete", "case", case_id)
        return _view(session, case_id)


def _feedback_window(session: Session, completed_on: date) -> tuple[date, date]:
    return (add_months(completed_on, int(settings.get(session, settings.FEEDBACK_FROM_MONTHS))),
            add_months(completed_on, int(settings.get(session, settings.FEEDBACK_TO_MONTHS))))


def record_feedback(ws: Workspace, case_id: int, collected_on: date,
                    felt_safer: bool | None, further_incidents: bool | None,
                    moved: bool = False, comments: str = "") -> FeedbackView:
    """Feedback collected from 3 months after fitting (completes the feedback task)."""
    require(ws.actor, "case.write")
    with ws.uow() as session:
        case, job = _job(ws, session, case_id)
        if job.completed_on is None:
            raise ValidationError("Feedback follows completion of the work.",
                                  field="completed_on")
        start, _end = _feedback_window(session, job.completed_on)
        if collected_on < start:
            raise ValidationError("Feedback is collected from 3 months after fitting.",
                                  field="collected_on")
        check_date(collected_on, None, "collected_on")
        row = SanctuaryFeedback(case_id=case_id, collected_on=collected_on,
                                felt_safer=felt_safer, further_incidents=further_incidents,
                                moved=moved, comments=comments.strip())
        session.add(row)
        complete_tasks(session, case_id, TASK_FEEDBACK, collected_on)
        if case.status == "open":
            _review(session, case, collected_on,
                    "Review the sanctuary job: close it once nothing more is needed")
        session.flush()
        audit.record(ws, session, "sanctuary.feedback", "case", case.id,
                     detail={"feedback": row.id})
        return FeedbackView(row.id, collected_on, felt_safer, further_incidents, moved,
                            row.comments)


def sanctuary_view(ws: Workspace, case_id: int) -> SanctuaryView:
    """The job (a read of identifiable detail: audited)."""
    require(ws.actor, "case.read")
    with ws.uow() as session:
        _job(ws, session, case_id)
        audit.record(ws, session, "view", "case", case_id)
        return _view(session, case_id)


def _view(session: Session, case_id: int) -> SanctuaryView:
    case = session.get(Case, case_id)
    job = session.get(SanctuaryJob, case_id)
    assert case is not None and job is not None
    lines = tuple(WorkLineView(w.id, w.kind, w.description, w.cost_pence) for w in
                  session.scalars(select(WorkLine).where(WorkLine.case_id == case_id)
                                  .order_by(WorkLine.id)))
    feedback = tuple(FeedbackView(f.id, f.collected_on, f.felt_safer, f.further_incidents,
                                  f.moved, f.comments) for f in session.scalars(
        select(SanctuaryFeedback).where(SanctuaryFeedback.case_id == case_id)
        .order_by(SanctuaryFeedback.collected_on)))
    checks = {key: bool(getattr(job, key)) for key, _m in ELIGIBILITY}
    contractor = session.get(Contractor, job.contractor_id) if job.contractor_id else None
    window = _feedback_window(session, job.completed_on) if job.completed_on else (None, None)
    return SanctuaryView(
        CaseHeader.of(case), job.victim_of, job.referral_source, checks, all(checks.values()),
        job.contractor_id, contractor.name if contractor else None, job.referred_on,
        job.surveyed_on, job.ordered_on, job.fire_safety_checked_on, job.completed_on, lines,
        sum(line.cost_pence for line in lines), window[0], window[1], feedback,
        {key: getattr(job, f"{key}_on") for key, _m in ELIGIBILITY})
