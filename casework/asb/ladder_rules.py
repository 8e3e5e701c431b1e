"""The ASB ladder's rules as pure functions of plain data (no database, no clock).

``casework.asb.ladder`` loads the case, its steps and the subject, calls these rules with
today's date, and saves what they allow. The rules (ASB, Crime and Policing Act 2014 and
the partnership plan):
- a closed case refuses every step; steps are recorded in date order, between the case
  opening and today;
- an action belongs to one stage of the configured ladder; an earlier stage's action needs
  a de-escalation first; skipping a stage needs a recorded reason;
- a Community Protection Notice needs a prior written warning (first or second warning
  letter, or a CPW) and a subject aged 16 or over on the step's date; a civil injunction
  a subject aged 10 or over;
- a Community Protection Warning needs a subject who could receive a CPN (16 or over) or
  a recorded reason; a closure order needs a prior closure notice;
- a closure notice, and only a closure notice, has a duration: 1 to 48 hours;
- a closure order lasts up to 3 months; an extension ends after the current order and no
  more than 6 months after the first order;
- de-escalation goes to any earlier stage (to 0: off the ladder) with a reason; closing the
  case (``cases.close_case``) is never held back by the ladder.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from casework.core.workdays import add_months

WRITTEN_WARNINGS = frozenset({"first_warning_letter", "second_warning_letter", "cpw"})
MIN_AGE = {"cpn": 16, "injunction": 10}
CPW_USUAL_AGE = 16  # a CPW warns of a CPN: younger subjects need a recorded reason
CLOSURE_NOTICE_MAX_HOURS = 48
CLOSURE_ORDER_MAX_MONTHS = 3
CLOSURE_TOTAL_MAX_MONTHS = 6
ORDER_ACTIONS = ("closure_order", "closure_order_extension")
PROBE_REASON = "(reason)"
DE_ESCALATION_NEEDS_REASON = "Give a reason for de-escalating."


@dataclass(frozen=True)
class PriorStep:
    """A step already on the case (an escalation or a de-escalation)."""

    action: str
    taken_on: date
    expires_on: date | None = None


@dataclass(frozen=True)
class LadderCase:
    """What the rules need to know about a case. ``steps`` are in date order;
    ``subject_born`` is None when there is no subject or no date of birth recorded."""

    opened_on: date
    stage: int
    closed: bool = False
    steps: tuple[PriorStep, ...] = ()
    subject_born: date | None = None


@dataclass(frozen=True)
class ProposedStep:
    """A step the user proposes to take."""

    action: str
    taken_on: date
    reason: str = ""
    duration_hours: int | None = None
    expires_on: date | None = None


@dataclass(frozen=True)
class Decision:
    """The rules' answer: allowed, or refused with a message for the user (no personal
    data) and the field to highlight. ``stage`` is where the step puts the case;
    ``expires_on`` is its end date (worked out for a closure notice)."""

    stage: int
    expires_on: date | None = None
    refusal: str | None = None
    field: str | None = None

    @property
    def allowed(self) -> bool:
        """True when no rule refuses the step."""
        return self.refusal is None


@dataclass(frozen=True)
class LadderOption:
    """An action the user could take now: its stage, whether it skips a stage (and so
    needs a reason), and why it is blocked if it is."""

    action: str
    stage: int
    skips_stage: bool
    blocked: str | None


def stages_of(configured: Mapping[str, Sequence[str]]) -> dict[str, int]:
    """Action -> stage, from the configured ladder (``{"1": ["verbal_warning", ...]}``)."""
    return {action: int(stage) for stage, actions in configured.items() for action in actions}


def age_on(born: date, day: date) -> int:
    """Whole years of age on ``day``."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _refuse(stage: int, message: str, field: str) -> Decision:
    return Decision(stage, None, message, field)


def date_refusal(case: LadderCase, taken_on: date, today: date) -> Decision | None:
    """A step's date falls between the case opening and today, and not before the last
    step; the refusal, or None when the date is fine."""
    if taken_on < case.opened_on or taken_on > today:
        return _refuse(case.stage, "The date must fall between the case opening and today.",
                       "taken_on")
    if case.steps and taken_on < case.steps[-1].taken_on:
        return _refuse(case.stage, "Steps are recorded in order: this date is before the "
                                   "last step.", "taken_on")
    return None


def check_step(stages: Mapping[str, int], case: LadderCase, step: ProposedStep,
               today: date) -> Decision:
    """Apply the ladder's rules to a proposed step (see the module doc). The first rule
    broken is the refusal; an allowed step carries its stage and end date."""
    if case.closed:
        return _refuse(case.stage, "The case is closed.", "status")
    if step.action not in stages:
        return _refuse(case.stage, "That action is not on the ladder.", "action")
    stage = stages[step.action]
    dated = date_refusal(case, step.taken_on, today)
    if dated is not None:
        return Decision(stage, None, dated.refusal, dated.field)
    if stage < case.stage:
        return _refuse(stage, "That action belongs to an earlier stage: de-escalate first.",
                       "action")
    if stage > case.stage + 1 and not step.reason.strip():
        return _refuse(stage, "Skipping a stage needs a recorded reason.", "reason")
    if step.action == "cpn" and not any(s.action in WRITTEN_WARNINGS for s in case.steps):
        return _refuse(stage, "A Community Protection Notice needs a prior written warning.",
                       "action")
    if step.action == "closure_order" and not any(s.action == "closure_notice"
                                                  for s in case.steps):
        return _refuse(stage, "A closure order needs a closure notice first.", "action")
    if step.action == "cpw" and not step.reason.strip() and (
            case.subject_born is None
            or age_on(case.subject_born, step.taken_on) < CPW_USUAL_AGE):
        return _refuse(stage, "A Community Protection Warning leads to a notice only for a "
                              "subject aged 16 or over: record the subject's date of birth, "
                              "or give the reason for warning a younger subject.", "reason")
    if step.action in MIN_AGE:
        if case.subject_born is None:
            return _refuse(stage, "Record the subject's date of birth first.", "subject")
        if age_on(case.subject_born, step.taken_on) < MIN_AGE[step.action]:
            return _refuse(stage, f"The subject must be {MIN_AGE[step.action]} or over "
                                  "for this.", "subject")
    return _check_duration(stage, case, step)


def _check_duration(stage: int, case: LadderCase, step: ProposedStep) -> Decision:
    """The closure notice's hours and the end dates of orders."""
    hours, expires_on, taken_on = step.duration_hours, step.expires_on, step.taken_on
    if (hours is not None) != (step.action == "closure_notice"):
        return _refuse(stage, "A closure notice, and only a closure notice, has a duration "
                              "in hours.", "duration_hours")
    if hours is not None and not 1 <= hours <= CLOSURE_NOTICE_MAX_HOURS:
        return _refuse(stage, "A closure notice lasts up to 48 hours.", "duration_hours")
    if hours is not None and expires_on is None:
        expires_on = taken_on + timedelta(days=(hours + 23) // 24)
    if expires_on is not None and expires_on <= taken_on:
        return _refuse(stage, "The end date must be after the step's date.", "expires_on")
    if step.action == "closure_order" and (
            expires_on is None
            or expires_on > add_months(taken_on, CLOSURE_ORDER_MAX_MONTHS)):
        return _refuse(stage, "A closure order lasts up to 3 months: give its end date.",
                       "expires_on")
    if step.action == "closure_order_extension":
        orders = [s for s in case.steps if s.action in ORDER_ACTIONS]
        first = next((s for s in orders if s.action == "closure_order"), None)
        if first is None:
            return _refuse(stage, "Only a closure order can be extended.", "action")
        if expires_on is None or expires_on <= (orders[-1].expires_on or taken_on):
            return _refuse(stage, "The extension must end after the current order.",
                           "expires_on")
        if expires_on > add_months(first.taken_on, CLOSURE_TOTAL_MAX_MONTHS):
            return _refuse(stage, "A closure order lasts 6 months at most in total.",
                           "expires_on")
    return Decision(stage, expires_on)


def check_de_escalation(case: LadderCase, to_stage: int, reason: str, taken_on: date,
                        today: date) -> Decision:
    """Stepping down to ``to_stage`` (any earlier stage, 0 for off the ladder) with a
    reason, on an open case, dated like any step."""
    if not reason.strip():
        return _refuse(case.stage, DE_ESCALATION_NEEDS_REASON, "reason")
    if case.closed:
        return _refuse(case.stage, "The case is closed.", "status")
    if not 0 <= to_stage < case.stage:
        return _refuse(case.stage, "De-escalation goes to an earlier stage.", "to_stage")
    dated = date_refusal(case, taken_on, today)
    return dated if dated is not None else Decision(to_stage)


def probe_expiry(case: LadderCase, action: str, on: date) -> date | None:
    """A valid end date to test an order-type action with (the user picks the real one)."""
    if action == "closure_order":
        return on + timedelta(days=1)
    if action == "closure_order_extension":
        orders = [s for s in case.steps if s.action in ORDER_ACTIONS]
        return (orders[-1].expires_on or on) + timedelta(days=1) if orders else None
    return None


def options(stages: Mapping[str, int], case: LadderCase, on: date,
            today: date) -> list[LadderOption]:
    """Every ladder action, by stage, with whether it is possible on ``on`` (a reason is
    assumed given, and a valid duration or end date where the action has one)."""
    out = []
    for action, stage in sorted(stages.items(), key=lambda kv: kv[1]):
        probe = ProposedStep(action, on, PROBE_REASON,
                             1 if action == "closure_notice" else None,
                             probe_expiry(case, action, on))
        decision = check_step(stages, case, probe, today)
        out.append(LadderOption(action, stage, stage > case.stage + 1, decision.refusal))
    return out
