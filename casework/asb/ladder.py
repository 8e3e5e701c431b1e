"""The four-stage ASB warning and enforcement ladder (configurable: settings ``LADDER``).

Rules (ASB, Crime and Policing Act 2014 and the partnership plan):
- no stage is skipped without a recorded reason; an earlier stage's action needs a
  de-escalation first; steps are recorded in date order;
- a Community Protection Notice needs a prior written warning (first or second warning
  letter, or a CPW) and a subject aged 16 or over on the day; a civil injunction 10 or over;
- a closure notice lasts up to 48 hours; a closure order up to 3 months, extendable to
  6 months in total;
- every step records its date, officer and the letter issued (generated for letter steps);
- breaches are recorded against a CPW, CPN, ABC or injunction; de-escalation and closure
  (``cases.close_case``) are allowed at any stage; a closed case refuses changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.asb.cases import BreachView, StepView
from casework.cases.letters import issue_letter_in, letter_date
from casework.cases.lifecycle import add_task, load_case
from casework.core import audit, clock, settings
from casework.core.context import Workspace
from casework.core.errors import NotFound, ValidationError
from casework.core.permissions import require
from casework.core.workdays import add_months, add_working_days
from db.models import AsbDetail, Breach, Case, EscalationStep, Person

LETTER_ACTIONS = frozenset({"first_warning_letter", "second_warning_letter", "home_visit",
                            "abc", "cpw", "cpn", "injunction", "closure_notice"})
WRITTEN_WARNINGS = frozenset({"first_warning_letter", "second_warning_letter", "cpw"})
BREACHABLE = frozenset({"cpw", "cpn", "abc", "injunction"})
MIN_AGE = {"cpn": 16, "injunction": 10}
CLOSURE_NOTICE_MAX_HOURS = 48
CLOSURE_ORDER_MAX_MONTHS = 3
CLOSURE_TOTAL_MAX_MONTHS = 6
BREACH_DECISION_WORKING_DAYS = 5


@dataclass(frozen=True)
class LadderOption:
    """An action the user could take now: its stage, whether it skips a stage (and so
    needs a reason), and why it is blocked if it is."""

    action: str
    stage: int
    skips_stage: bool
    blocked: str | None


def ladder(session: Session) -> dict[str, int]:
    """Action -> stage, from the configured ladder."""
    configured = settings.get(session, settings.LADDER)
    return {action: int(stage) for stage, actions in configured.items() for action in actions}


def age_on(born: date, day: date) -> int:
    """Whole years of age on ``day``."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _steps(session: Session, case_id: int) -> list[EscalationStep]:
    return list(session.scalars(select(EscalationStep).where(EscalationStep.case_id == case_id)
                                .order_by(EscalationStep.taken_on, EscalationStep.id)))


def _check_date(case: Case, steps: list[EscalationStep], taken_on: date) -> None:
    if taken_on < case.opened_on or taken_on > clock.today():
        raise ValidationError("The date must fall between the case opening and today.",
                              field="taken_on")
    if steps and taken_on < steps[-1].taken_on:
        raise ValidationError("Steps are recorded in order: this date is before the last "
                              "step.", field="taken_on")


def check_step(session: Session, case: Case, detail: AsbDetail, action: str, taken_on: date,
               reason: str, duration_hours: int | None,
               expires_on: date | None) -> tuple[int, date | None]:
    """Apply the ladder's rules to a proposed step; returns (stage, expiry) or raises."""
    if case.status == "closed":
        raise ValidationError("The case is closed.", field="status")
    stages = ladder(session)
    if action not in stages:
        raise ValidationError("That action is not on the ladder.", field="action")
    stage = stages[action]
    steps = _steps(session, case.id)
    _check_date(case, steps, taken_on)
    if stage < detail.stage:
        raise ValidationError("That action belongs to an earlier stage: de-escalate first.",
                              field="action")
    if stage > detail.stage + 1 and not reason.strip():
        raise ValidationError("Skipping a stage needs a recorded reason.", field="reason")
    if action == "cpn" and not any(s.action in WRITTEN_WARNINGS for s in steps):
        raise ValidationError("A Community Protection Notice needs a prior written warning.",
                              field="action")
    if action in MIN_AGE:
        subject = session.get(Person, detail.subject_person_id) \
            if detail.subject_person_id is not None else None
        if subject is None or subject.date_of_birth is None:
            raise ValidationError("Record the subject's date of birth first.", field="subject")
        if age_on(subject.date_of_birth, taken_on) < MIN_AGE[action]:
            raise ValidationError(f"The subject must be {MIN_AGE[action]} or over for this.",
                                  field="subject")
    if (duration_hours is not None) != (action == "closure_notice"):
        raise ValidationError("A closure notice, and only a closure notice, has a duration "
                              "in hours.", field="duration_hours")
    if duration_hours is not None and not 1 <= duration_hours <= CLOSURE_NOTICE_MAX_HOURS:
        raise ValidationError("A closure notice lasts up to 48 hours.", field="duration_hours")
    if duration_hours is not None and expires_on is None:
        expires_on = taken_on + timedelta(days=(duration_hours + 23) // 24)
    if expires_on is not None and expires_on <= taken_on:
        raise ValidationError("The end date must be after the step's date.",
                              field="expires_on")
    if action == "closure_order" and (
            expires_on is None or expires_on > add_months(taken_on, CLOSURE_ORDER_MAX_MONTHS)):
        raise ValidationError("A closure order lasts up to 3 months: give its end date.",
                              field="expires_on")
    if action == "closure_order_extension":
        orders = [s for s in steps if s.action in ("closure_order", "closure_order_extension")]
        first = next((s for s in orders if s.action == "closure_order"), None)
        if first is None:
            raise ValidationError("Only a closure order can be extended.", field="action")
        if expires_on is None or expires_on <= (orders[-1].expires_on or taken_on):
            raise ValidationError("The extension must end after the current order.",
                                  field="expires_on")
        if expires_on > add_months(first.taken_on, CLOSURE_TOTAL_MAX_MONTHS):
            raise ValidationError("A closure order lasts 6 months at most in total.",
                                  field="expires_on")
    return stage, expires_on


def _letter_fields(detail: AsbDetail, taken_on: date, expires_on: date | None,
                   duration_hours: int | None) -> dict[str, str]:
    behaviour = detail.subcategory.replace("_", " ") if detail.subcategory else ""
    return {
        "action_date": letter_date(taken_on),
        "behaviour": behaviour or f"{detail.category} anti-social behaviour",
        "in_force_until": (f"until {letter_date(expires_on)}" if expires_on
                           else "until further notice"),
        "duration_hours": str(duration_hours or ""),
    }


def escalate(ws: Workspace, case_id: int, action: str, taken_on: date, reason: str = "",
             duration_hours: int | None = None, expires_on: date | None = None) -> StepView:
    """Take a step on the ladder; letter steps generate and keep their letter."""
    require(ws.actor, "case.write")
    with ws.uow() as session:
        case = load_case(ws, session, case_id, "asb")
        detail = session.get(AsbDetail, case.id)
        if detail is None:
            raise NotFound("No such case.")
        stage, expires_on = check_step(session, case, detail, action, taken_on, reason,
                                       duration_hours, expires_on)
        document_id = None
        if action in LETTER_ACTIONS:
            require(ws.actor, "letter.generate")
            doc = issue_letter_in(ws, session, case, action,
                                  _letter_fields(detail, taken_on, expires_on, duration_hours),
                                  on=taken_on)
            document_id = doc.id
        from_stage = detail.stage
        step = EscalationStep(case_id=case.id, stage=stage, action=action, taken_on=taken_on,
                              officer_id=ws.actor.user_id, document_id=document_id,
                              reason=reason.strip(), expires_on=expires_on,
                              duration_hours=duration_hours)
        session.add(step)
        detail.stage = stage
        if expires_on is not None:
            add_task(session, case, f"{action}_expiry", "Escalation step ends: decide next step",
                     expires_on)
        session.flush()
        audit.record(ws, session, "asb.escalate", "case", case.id,
                     detail={"step": step.id, "action": action, "stage": stage,
                             "from_stage": from_stage, "skipped": stage > from_stage + 1,
                             "document": document_id})
        return StepView.of(step)


def record_breach(ws: Workspace, step_id: int, occurred_on: date, action_taken: str = "",
                  description: str = "") -> BreachView:
    """A breach of a CPW, CPN, ABC or injunction, recorded against that step. With no
    action taken yet, a task asks for the decision within 5 working days."""
    require(ws.actor, "case.write")
    with ws.uow() as session:
        step = session.get(EscalationStep, step_id)
        if step is None:
            raise NotFound("No such step.")
        case = load_case(ws, session, step.case_id, "asb")
        if case.status == "closed":
            raise ValidationError("The case is closed.", field="status")
        if step.action not in BREACHABLE:
            raise ValidationError("Only a CPW, CPN, ABC or injunction can be breached.",
                                  field="step_id")
        if occurred_on < step.taken_on or occurred_on > clock.today():
            raise ValidationError("A breach falls between the step's date and today.",
                                  field="occurred_on")
        if len(action_taken.strip()) > 80:
            raise ValidationError("Keep the action taken short.", field="action_taken")
        breach = Breach(step_id=step.id, occurred_on=occurred_on, recorded_by=ws.actor.user_id,
                        action_taken=action_taken.strip(), description=description)
        session.add(breach)
        if not breach.action_taken:
            add_task(session, case, "breach_decision", "Decide the response to a breach",
                     add_working_days(max(occurred_on, clock.today()),
                                      BREACH_DECISION_WORKING_DAYS))
        session.flush()
        audit.record(ws, session, "asb.breach", "case", case.id,
                     detail={"breach": breach.id, "step": step.id, "action": step.action})
        return BreachView(breach.id, step.id, breach.occurred_on, breach.recorded_by,
                          breach.action_taken, breach.description)


def de_escalate(ws: Workspace, case_id: int, to_stage: int, reason: str,
                taken_on: date | None = None) -> StepView:
    """Step down the ladder (to 0: no stage), with the reason recorded."""
    require(ws.actor, "case.write")
    taken_on = taken_on or clock.today()
    if not reason.strip():
        raise ValidationError("Give a reason for de-escalating.", field="reason")
    with ws.uow() as session:
        case = load_case(ws, session, case_id, "asb")
        detail = session.get(AsbDetail, case.id)
        if detail is None:
            raise NotFound("No such case.")
        if case.status == "closed":
            raise ValidationError("The case is closed.", field="status")
        if not 0 <= to_stage < detail.stage:
            raise ValidationError("De-escalation goes to an earlier stage.", field="to_stage")
        _check_date(case, _steps(session, case.id), taken_on)
        from_stage = detail.stage
        step = EscalationStep(case_id=case.id, stage=to_stage, action="de_escalation",
                              taken_on=taken_on, officer_id=ws.actor.user_id,
                              reason=reason.strip())
        session.add(step)
        detail.stage = to_stage
        session.flush()
        audit.record(ws, session, "asb.de_escalate", "case", case.id,
                     detail={"step": step.id, "stage": to_stage, "from_stage": from_stage})
        return StepView.of(step)


def ladder_options(ws: Workspace, case_id: int, on: date | None = None) -> list[LadderOption]:
    """Every ladder action with whether it is possible now (for the case page's menu)."""
    on = on or clock.today()
    with ws.uow() as session:
        case = load_case(ws, session, case_id, "asb")
        detail = session.get(AsbDetail, case.id)
        if detail is None:
            raise NotFound("No such case.")
        out = []
        for action, stage in sorted(ladder(session).items(), key=lambda kv: kv[1]):
            blocked: str | None = None
            try:
                check_step(session, case, detail, action, on, "(reason)",
                           1 if action == "closure_notice" else None,
                           _probe_expiry(session, case, action, on))
            except ValidationError as exc:
                blocked = str(exc)
            out.append(LadderOption(action, stage, stage > detail.stage + 1, blocked))
        return out


def _probe_expiry(session: Session, case: Case, action: str, on: date) -> date | None:
    """A valid end date to test an order-type action with (the user picks the real one)."""
    if action == "closure_order":
        return on + timedelta(days=1)
    if action == "closure_order_extension":
        orders = [s for s in _steps(session, case.id)
                  if s.action in ("closure_order", "closure_order_extension")]
        return (orders[-1].expires_on or on) + timedelta(days=1) if orders else None
    return None
