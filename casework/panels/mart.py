"""Anti-Slavery MART referrals and the National Referral Mechanism (NRM).

Rules (Modern Slavery Act 2015 and its statutory guidance, as DOMAIN.md states them):
- an adult is referred to the NRM only with informed consent; a child needs none;
- an adult who does not consent is reported under the Duty to Notify instead;
- a reasonable-grounds (RG) decision is expected within 5 working days (a task);
- a positive RG starts a recovery period of at least 30 days (a dated task), and the
  conclusive-grounds (CG) decision follows a positive RG, not before that minimum
  recovery period has ended unless a reason is recorded (statutory guidance: a CG
  decision is made no sooner than 30 days after the RG decision);
- adult or child follows the date of birth at the time of exploitation (under 18 is a
  child); a different age group can be recorded only with a reason (an age dispute);
- the Duty to Notify and an NRM referral name their first responder organisation;
- a case can hold several coded outcomes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.cases.lifecycle import add_task, check_loaded, complete_tasks
from casework.cases.workflow import SafeRepr, check_date, require_open
from casework.core import audit, clock, settings
from casework.core.context import Workspace
from casework.core.errors import NotFound, ValidationError
from casework.core.permissions import require
from casework.core.workdays import add_working_days
from casework.panels.swip import ReferralView, create_referral, load_referral, referral_view_of
from db.models import Case, CaseParty, MartDetail, MartOutcome, NrmDecision, Person
from db.models.panels import EXPLOITATION_TYPES, MART_OUTCOMES

TASK_RG = "nrm.reasonable_grounds"
TASK_RECOVERY = "nrm.recovery_period"
DECISION_KINDS = ("reasonable_grounds", "conclusive_grounds")
OUTCOMES = MART_OUTCOMES


@dataclass(frozen=True, repr=False)
class NrmDecisionView(SafeRepr):
    id: int
    kind: str
    decided_on: date
    positive: bool
    recovery_period_ends: date | None
    early_reason: str = ""


@dataclass(frozen=True, repr=False)
class MartView(SafeRepr):
    """A MART referral with its exploitation details and NRM progress."""

    referral: ReferralView
    exploitation_type: str
    is_child: bool
    nationality: str
    nrm_referred: bool
    nrm_referred_on: date | None
    duty_to_notify: bool
    duty_to_notify_on: date | None
    informed_consent: bool | None
    first_responder: str
    decisions: tuple[NrmDecisionView, ...]
    recovery_period_ends: date | None
    exploited_on: date | None = None
    child_by_age: bool | None = None  # what the date of birth says; None when unknown
    age_override_reason: str = ""
    outcomes: tuple[str, ...] = ()


def age_on(born: date, day: date) -> int:
    """Whole years of age on ``day`` (a 29 February birthday counts from 1 March)."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def child_at(born: date | None, exploited_on: date) -> bool | None:
    """Whether the person was under 18 at the time of exploitation (None: no date of
    birth held)."""
    return None if born is None else age_on(born, exploited_on) < 18


def _subject_dob(session: Session, case_id: int, person_id: int | None = None) -> date | None:
    if person_id is None:
        person_id = session.scalar(select(CaseParty.person_id).where(
            CaseParty.case_id == case_id).order_by(CaseParty.id))
    if person_id is None:
        return None
    person = session.get(Person, person_id)
    return person.date_of_birth if person is not None else None


def age_group(derived: bool | None, given: bool | None, reason: str) -> tuple[bool, str]:
    """The recorded age group and the reason kept with it."""
    reason = reason.strip()
    if given is None:
        if derived is None:
            raise ValidationError("No date of birth is held: say whether the person is a "
                                  "child.", field="is_child")
        return derived, ""
    if derived is not None and given != derived:
        if not reason:
            said = "a child" if derived else "an adult"
            raise ValidationError(f"The date of birth makes the person {said} at the time "
                                  f"of exploitation. Record the reason to record otherwise "
                                  f"(for example an age dispute).", field="age_override_reason")
        return given, reason
    return given, ""


def _detail(ws: Workspace, session: Session, case_id: int,
            loaded_version: int | None = None) -> MartDetail:
    case, _ref = load_referral(ws, session, case_id)
    detail = session.get(MartDetail, case_id)
    if case.case_type != "mart" or detail is None:
        raise NotFound("No such MART referral.")
    check_loaded(session, case, loaded_version)
    return detail


def _check_type(exploitation_type: str) -> None:
    if exploitation_type not in EXPLOITATION_TYPES:
        raise ValidationError(f"Exploitation type must be one of: "
                              f"{', '.join(EXPLOITATION_TYPES)}.", field="exploitation_type")


def refer_mart(ws: Workspace, panel_id: int, person_id: int | None, referred_on: date,
               referrer_name: str, referrer_agency: str, consent: str,
               exploitation_type: str, is_child: bool | None = None, nationality: str = "",
               risk_level: str = "standard", agencies_engaged: Sequence[str] = (),
               needs: Sequence[str] = (), lsoa_code: str | None = None, *,
               exploited_on: date | None = None,
               age_override_reason: str = "") -> MartView:
    """Alert a case to the MART panel with its exploitation type, age group, nationality.

    The age group follows the person's date of birth at the time of exploitation
    (``exploited_on``, the referral date when not known). ``is_child`` may be left
    ``None`` when a date of birth is held; one that differs from it needs
    ``age_override_reason``."""
    require(ws.actor, "case.write")
    _check_type(exploitation_type)
    when = exploited_on or referred_on
    if when > referred_on:
        raise ValidationError("The exploitation cannot come after the referral.",
                              field="exploited_on")
    with ws.uow() as session:
        derived = child_at(_subject_dob(session, 0, person_id), when)
        child, reason = age_group(derived, is_child, age_override_reason)
        case = create_referral(ws, session, panel_id, "mart", person_id, referred_on,
                               referrer_name, referrer_agency, consent, needs, risk_level,
                               agencies_engaged, lsoa_code=lsoa_code)
        detail = session.get(MartDetail, case.id)
        assert detail is not None
        detail.exploitation_type = exploitation_type
        detail.is_child = child
        detail.exploited_on = when
        detail.age_override_reason = reason
        detail.nationality = nationality.strip()
        session.flush()
        if reason:
            audit.record(ws, session, "mart.age_override", "case", case.id,
                         reason=reason, detail={"child": child})
        return _view(session, detail)


def set_mart_details(ws: Workspace, case_id: int, *, exploitation_type: str | None = None,
                     is_child: bool | None = None, nationality: str | None = None,
                     exploited_on: date | None = None,
                     age_override_reason: str = "",
                     loaded_version: int | None = None) -> MartView:
    """Correct the exploitation type, the date of exploitation, the age group (against
    the date of birth, a different one with its reason) or nationality (refused with
    ``EditConflict`` if the case changed since ``loaded_version``)."""
    require(ws.actor, "case.write")
    with ws.uow() as session:
        detail = _detail(ws, session, case_id, loaded_version)
        if exploitation_type is not None:
            _check_type(exploitation_type)
            detail.exploitation_type = exploitation_type
        if is_child is not None or exploited_on is not None:
            case = session.get(Case, case_id)
            assert case is not None
            when = exploited_on or detail.exploited_on or case.opened_on
            if exploited_on is not None:
                check_date(exploited_on, None, "exploited_on")
            derived = child_at(_subject_dob(session, case_id), when)
            child, reason = age_group(
                derived, detail.is_child if is_child is None and derived is None else is_child,
                age_override_reason)
            if child != detail.is_child and (detail.nrm_referred or detail.duty_to_notify):
                raise ValidationError("The NRM route is already recorded for this age group.",
                                      field="is_child")
            detail.is_child, detail.age_override_reason = child, reason
            detail.exploited_on = when
        if nationality is not None:
            detail.nationality = nationality.strip()
        audit.record(ws, session, "mart.update", "case", case_id)
        return _view(session, detail)


def refer_nrm(ws: Workspace, case_id: int, referred_on: date, first_responder: str,
              informed_consent: bool | None = None) -> MartView:
    """Refer to the NRM. Adults need informed consent (otherwise use ``notify_duty``);
    children do not. The reasonable-grounds decision becomes a task."""
    require(ws.actor, "case.write")
    if not first_responder.strip():
        raise ValidationError("Name the first responder organisation.", field="first_responder")
    with ws.uow() as session:
        detail = _detail(ws, session, case_id)
        case, _ref = load_referral(ws, session, case_id)
        require_open(case)
        if detail.nrm_referred or detail.duty_to_notify:
            raise ValidationError("The NRM route is already recorded.", field="nrm_referred")
        if not detail.is_child and informed_consent is not True:
            raise ValidationError("An adult can be referred to the NRM only with informed "
                                  "consent; without it, report under the Duty to Notify.",
                                  field="informed_consent")
        check_date(referred_on, case.opened_on, "nrm_referred_on")
        detail.nrm_referred, detail.nrm_referred_on = True, referred_on
        detail.informed_consent = informed_consent
        detail.first_responder = first_responder.strip()
        days = int(settings.get(session, settings.NRM_RG_DAYS))
        add_task(session, case, TASK_RG, "NRM reasonable-grounds decision expected",
                 add_working_days(referred_on, days))
        audit.record(ws, session, "nrm.refer", "case", case_id,
                     detail={"child": detail.is_child})
        return _view(session, detail)


def notify_duty(ws: Workspace, case_id: int, notified_on: date,
                first_responder: str) -> MartView:
    """Report a non-consenting adult under the Duty to Notify (no NRM referral). The
    first responder organisation making the report is named."""
    require(ws.actor, "case.write")
    if not first_responder.strip():
        raise ValidationError("Name the first responder organisation making the report.",
                              field="first_responder")
    with ws.uow() as session:
        detail = _detail(ws, session, case_id)
        case, _ref = load_referral(ws, session, case_id)
        if detail.is_child:
            raise ValidationError("A child is referred to the NRM; consent is not needed.",
                                  field="is_child")
        if detail.nrm_referred or detail.duty_to_notify:
            raise ValidationError("The NRM route is already recorded.", field="duty_to_notify")
        check_date(notified_on, case.opened_on, "duty_to_notify_on")
        detail.duty_to_notify, detail.duty_to_notify_on = True, notified_on
        detail.informed_consent = False
        detail.first_responder = first_responder.strip()
        audit.record(ws, session, "nrm.duty_to_notify", "case", case_id)
        return _view(session, detail)


def record_nrm_decision(ws: Workspace, case_id: int, kind: str, decided_on: date,
                        positive: bool, early_reason: str = "") -> NrmDecisionView:
    """A reasonable- or conclusive-grounds decision. A positive RG starts the recovery
    period (at least ``mart.nrm.recovery_period_days``), tracked as a dated task. A CG
    decision before that period ends is refused unless ``early_reason`` says why."""
    require(ws.actor, "case.write")
    if kind not in DECISION_KINDS:
        raise ValidationError("The decision is reasonable_grounds or conclusive_grounds.",
                              field="kind")
    with ws.uow() as session:
        detail = _detail(ws, session, case_id)
        case, _ref = load_referral(ws, session, case_id)
        if not detail.nrm_referred or detail.nrm_referred_on is None:
            raise ValidationError("Refer to the NRM before recording a decision.",
                                  field="nrm_referred")
        check_date(decided_on, detail.nrm_referred_on, "decided_on")
        earlier = {d.kind: d for d in session.scalars(
            select(NrmDecision).where(NrmDecision.case_id == case_id))}
        if kind in earlier:
            raise ValidationError("That decision is already recorded.", field="kind")
        ends = None
        if kind == "conclusive_grounds":
            rg = earlier.get("reasonable_grounds")
            if rg is None or not rg.positive:
                raise ValidationError("A conclusive-grounds decision follows a positive "
                                      "reasonable-grounds decision.", field="kind")
            check_date(decided_on, rg.decided_on, "decided_on")
            days = int(settings.get(session, settings.NRM_RECOVERY_DAYS))
            earliest = rg.decided_on + timedelta(days=days)
            if decided_on < earliest and not early_reason.strip():
                raise ValidationError(
                    f"The minimum recovery period of {days} days after the reasonable-grounds "
                    f"decision runs to {earliest:%d %B %Y}. A conclusive-grounds decision "
                    f"before then needs a recorded reason.", field="early_reason")
            if decided_on >= earliest:
                early_reason = ""
        else:
            early_reason = ""
            complete_tasks(session, case_id, TASK_RG, decided_on)
            if positive:
                days = int(settings.get(session, settings.NRM_RECOVERY_DAYS))
                ends = decided_on + timedelta(days=days)
                add_task(session, case, TASK_RECOVERY,
                         "NRM minimum recovery period ends: review support", ends)
        row = NrmDecision(case_id=case_id, kind=kind, decided_on=decided_on,
                          positive=positive, recovery_period_ends=ends,
                          early_reason=early_reason.strip())
        session.add(row)
        if kind == "conclusive_grounds":
            complete_tasks(session, case_id, TASK_RECOVERY, decided_on)
        session.flush()
        audit.record(ws, session, "nrm.decision", "case", case_id,
                     reason=row.early_reason,
                     detail={"kind": kind, "positive": positive,
                             "early": bool(row.early_reason)})
        return NrmDecisionView(row.id, kind, decided_on, positive, ends, row.early_reason)


def record_outcomes(ws: Workspace, case_id: int, outcomes: Sequence[str],
                    recorded_on: date | None = None) -> MartView:
    """Set the case's coded outcomes (several may apply): codes added are dated, codes
    left out are removed."""
    require(ws.actor, "case.write")
    wanted = list(dict.fromkeys(outcomes))
    bad = [o for o in wanted if o not in MART_OUTCOMES]
    if bad:
        raise ValidationError(f"Outcomes are from: {', '.join(MART_OUTCOMES)}.",
                              field="outcomes")
    with ws.uow() as session:
        detail = _detail(ws, session, case_id)
        day = recorded_on or clock.today()
        check_date(day, None, "recorded_on")
        held = {o.outcome: o for o in session.scalars(
            select(MartOutcome).where(MartOutcome.case_id == case_id))}
        for code, row in held.items():
            if code not in wanted:
                session.delete(row)
        for code in wanted:
            if code not in held:
                session.add(MartOutcome(case_id=case_id, outcome=code, recorded_on=day))
        session.flush()
        audit.record(ws, session, "mart.outcomes", "case", case_id,
                     detail={"outcomes": wanted})
        return _view(session, detail)


def recovery_period_ends(ws: Workspace, case_id: int) -> date | None:
    """The end of the minimum recovery period after a positive RG decision, if any."""
    require(ws.actor, "case.read")
    with ws.uow() as session:
        _detail(ws, session, case_id)
        return session.scalar(select(NrmDecision.recovery_period_ends).where(
            NrmDecision.case_id == case_id, NrmDecision.kind == "reasonable_grounds"))


def mart_view(ws: Workspace, case_id: int) -> MartView:
    """The referral, exploitation details and NRM progress (audited view)."""
    require(ws.actor, "case.read")
    with ws.uow() as session:
        detail = _detail(ws, session, case_id)
        audit.record(ws, session, "view", "case", case_id)
        return _view(session, detail)


def _view(session: Session, detail: MartDetail) -> MartView:
    case = session.get(Case, detail.case_id)
    assert case is not None
    decisions = tuple(
        NrmDecisionView(d.id, d.kind, d.decided_on, d.positive, d.recovery_period_ends,
                        d.early_reason)
        for d in session.scalars(select(NrmDecision).where(
            NrmDecision.case_id == detail.case_id).order_by(NrmDecision.decided_on)))
    ends = next((d.recovery_period_ends for d in decisions if d.recovery_period_ends), None)
    codes = set(session.scalars(select(MartOutcome.outcome).where(
        MartOutcome.case_id == case.id)))
    if case.outcome:
        codes.add(case.outcome)
    outcomes = tuple(o for o in MART_OUTCOMES if o in codes)
    return MartView(referral_view_of(session, case), detail.exploitation_type, detail.is_child,
                    detail.nationality, detail.nrm_referred, detail.nrm_referred_on,
                    detail.duty_to_notify, detail.duty_to_notify_on, detail.informed_consent,
                    detail.first_responder, decisions, ends, detail.exploited_on,
                    child_at(_subject_dob(session, case.id),
                             detail.exploited_on or case.opened_on),
                    detail.age_override_reason, outcomes)
