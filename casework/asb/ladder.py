"""The four-stage ASB warning and enforcement ladder (configurable: settings ``LADDER``).

The rules are pure functions in ``casework.asb.ladder_rules``; these services load the
case, its steps and its subject, ask the rules (with today's date), and save what they
allow: every step records its date, officer and the letter issued (generated for letter
steps); breaches are recorded against a CPW, CPN, ABC or injunction.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.asb import ladder_rules as rules
from casework.asb.cases import BreachView, StepView
from casework.asb.ladder_rules import MIN_AGE, WRITTEN_WARNINGS, LadderOption, age_on
from casework.cases.letters import (
    LetterDraft,
    draft_letter,
    issue_letter_in,
    letter_date,
    letterhead,
)
from casework.cases.lifecycle import add_task, load_case, supersede_tasks
from casework.core import audit, clock, settings, vocabulary
from casework.core.context import Workspace
from casework.core.errors import NotFound, ValidationError
from casework.core.permissions import require
from casework.core.workdays import add_working_days
from db.models import AsbDetail, Breach, Case, EscalationStep, Person

LETTER_ACTIONS = frozenset({"first_warning_letter", "second_warning_letter", "home_visit",
                            "abc", "cpw", "cpn", "injunction", "closure_notice",
                            "closure_order", "closure_order_extension", "tenancy_enforcement",
                            "possession", "cbo"})
# What the officer must give for a step's letter to carry what the law requires of it
# (the court defaults to the magistrates' court of the letterhead setting).
LETTER_EXTRAS: dict[str, tuple[tuple[str, str], ...]] = {
    "cpn": (("requirements", "the requirements of the notice"),
            ("comply_by", "the date or period by which to comply")),
    "closure_notice": (("hearing_date", "the court hearing's date"),
                       ("hearing_time", "the court hearing's time")),
    "abc": (("contract_terms", "the terms agreed in the contract"),),
    "possession": (("possession_condition", "the absolute-ground condition relied on"),
                   ("proceedings_from", "the date after which court proceedings may begin")),
    "cbo": (("order_terms", "the order's prohibitions and requirements"),),
}
# A step whose end date replaces an earlier step's: that expiry task closes, with the reason.
SUPERSEDES = {"closure_order": ("closure_notice_expiry",),
              "closure_order_extension": ("closure_order_expiry",
                                          "closure_order_extension_expiry")}
COURT_ACTIONS = frozenset({"closure_notice", "closure_order", "closure_order_extension", "cbo"})
BREACHABLE = frozenset({"cpw", "cpn", "abc", "injunction"})
BREACH_DECISION_WORKING_DAYS = 5


def ladder(session: Session) -> dict[str, int]:
    """Action -> stage, from the configured ladder."""
    return rules.stages_of(settings.get(session, settings.LADDER))


def _steps(session: Session, case_id: int) -> list[EscalationStep]:
    return list(session.scalars(select(EscalationStep).where(EscalationStep.case_id == case_id)
                                .order_by(EscalationStep.taken_on, EscalationStep.id)))


def ladder_case(session: Session, case: Case, detail: AsbDetail) -> rules.LadderCase:
    """The plain facts the ladder's rules need about a case."""
    subject = session.get(Person, detail.subject_person_id) \
        if detail.subject_person_id is not None else None
    return rules.LadderCase(
        case.opened_on, detail.stage, case.status == "closed",
        tuple(rules.PriorStep(s.action, s.taken_on, s.expires_on)
              for s in _steps(session, case.id)),
        subject.date_of_birth if subject is not None else None)


def _asb_case(ws: Workspace, session: Session, case_id: int) -> tuple[Case, AsbDetail]:
    """The ASB case the actor may see, and its detail row."""
    case = load_case(ws, session, case_id, "asb")
    detail = session.get(AsbDetail, case.id)
    if detail is None:
        raise NotFound("No such case.")
    return case, detail


def _upheld(decision: rules.Decision) -> rules.Decision:
    """The decision, or its refusal raised as a ValidationError."""
    if decision.refusal is not None:
        raise ValidationError(decision.refusal, field=decision.field)
    return decision


def check_step(session: Session, case: Case, detail: AsbDetail, action: str, taken_on: date,
               reason: str, duration_hours: int | None,
               expires_on: date | None) -> tuple[int, date | None]:
    """Apply the ladder's rules to a proposed step; returns (stage, expiry) or raises."""
    decision = _upheld(rules.check_step(
        ladder(session), ladder_case(session, case, detail),
        rules.ProposedStep(action, taken_on, reason, duration_hours, expires_on),
        clock.today()))
    return decision.stage, decision.expires_on


def letter_extras(session: Session, action: str,
                  extra: Mapping[str, str] | None) -> dict[str, str]:
    """The officer's fields a step's letter needs, checked: each of ``LETTER_EXTRAS`` must
    be given (ValidationError names the first missing one); ``court`` defaults to the
    magistrates' court of the letterhead."""
    given = {k: str(v).strip() for k, v in (extra or {}).items()}
    for name, what in LETTER_EXTRAS.get(action, ()):
        if not given.get(name):
            raise ValidationError(f"The letter needs {what}.", field=name)
    if action in COURT_ACTIONS and not given.get("court"):
        given["court"] = letterhead(session)["magistrates_court"]
    return given


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


def preview_step_letter(ws: Workspace, case_id: int, action: str, taken_on: date,
                        reason: str = "", duration_hours: int | None = None,
                        expires_on: date | None = None, extra: Mapping[str, str] | None = None,
                        delivery: str = "post") -> LetterDraft:
    """The letter a step would issue, after the ladder's checks, without taking the step
    (audited ``letter.preview``)."""
    require(ws.actor, "letter.generate")
    if action not in LETTER_ACTIONS:
        raise ValidationError("That step has no letter.", field="action")
    with ws.uow() as session:
        case, detail = _asb_case(ws, session, case_id)
        _stage, expires_on = check_step(session, case, detail, action, taken_on, reason,
                                        duration_hours, expires_on)
        fields = _letter_fields(detail, taken_on, expires_on, duration_hours) \
            | letter_extras(session, action, extra)
        draft = draft_letter(ws, session, case, action, fields, on=taken_on, delivery=delivery)
        audit.record(ws, session, "letter.preview", "case", case.id,
                     detail={"template": action, "recipient": draft.recipient_person_id})
        return draft


def escalate(ws: Workspace, case_id: int, action: str, taken_on: date, reason: str = "",
             duration_hours: int | None = None, expires_on: date | None = None,
             extra: Mapping[str, str] | None = None, delivery: str = "post") -> StepView:
    """Take a step on the ladder; letter steps generate and keep their letter (``extra``:
    the fields of ``LETTER_EXTRAS`` the law requires in it; ``delivery``: post or hand).
    A superseded deadline closes its task with the reason (``tasks.supersede``)."""
    require(ws.actor, "case.write")
    with ws.uow() as session:
        case, detail = _asb_case(ws, session, case_id)
        stage, expires_on = check_step(session, case, detail, action, taken_on, reason,
                                       duration_hours, expires_on)
        document_id = None
        if action in LETTER_ACTIONS:
            require(ws.actor, "letter.generate")
            fields = _letter_fields(detail, taken_on, expires_on, duration_hours) \
                | letter_extras(session, action, extra)
            doc = issue_letter_in(ws, session, case, action, fields, on=taken_on,
                                  delivery=delivery)
            document_id = doc.id
        from_stage = detail.stage
        step = EscalationStep(case_id=case.id, stage=stage, action=action, taken_on=taken_on,
                              officer_id=ws.actor.user_id, document_id=document_id,
                              reason=reason.strip(), expires_on=expires_on,
                              duration_hours=duration_hours)
        session.add(step)
        detail.stage = stage
        supersede_tasks(session, case.id, SUPERSEDES.get(action, ()), taken_on,
                        f"Superseded by the {action.replace('_', ' ')} of {letter_date(taken_on)}")
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
        action_taken = vocabulary.check(session, vocabulary.BREACH_RESPONSE, action_taken,
                                        "action_taken", allow_empty=True)
        breach = Breach(step_id=step.id, occurred_on=occurred_on, recorded_by=ws.actor.user_id,
                        action_taken=action_taken, description=description)
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
        raise ValidationError(rules.DE_ESCALATION_NEEDS_REASON, field="reason")
    with ws.uow() as session:
        case, detail = _asb_case(ws, session, case_id)
        _upheld(rules.check_de_escalation(ladder_case(session, case, detail), to_stage,
                                          reason, taken_on, clock.today()))
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
        case, detail = _asb_case(ws, session, case_id)
        return rules.options(ladder(session), ladder_case(session, case, detail), on,
                             clock.today())


__all__ = [
    "BREACHABLE", "LETTER_ACTIONS", "LETTER_EXTRAS", "MIN_AGE", "WRITTEN_WARNINGS",
    "LadderOption", "age_on", "check_step", "de_escalate", "escalate", "ladder", "ladder_case",
    "ladder_options", "preview_step_letter", "record_breach",
]
