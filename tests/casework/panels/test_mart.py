"""MART referrals and the NRM: consent rules, Duty to Notify, RG task, recovery period."""

from __future__ import annotations

from datetime import date

import pytest

from casework.core.errors import ValidationError
from casework.panels import mart
from casework.panels import swip as panels
from tests.casework.wf_helpers import make_person, panel_id, tasks_of

# Depends on what day it is: CI runs it on several (tests/conftest.py).
pytestmark = pytest.mark.dates


def _refer(db, is_child: bool = False) -> int:
    ws = db.ws("mart")
    born = date(2010, 6, 1) if is_child else date(1990, 6, 1)
    view = mart.refer_mart(ws, panel_id(ws, "MART Panel"), make_person(ws, "Ana", "Test", born),
                           date(2026, 3, 20), "Coordinator", "police", "given",
                           "labour", is_child, "Romanian", "high", ["glaa", "police"])
    assert view.exploitation_type == "labour" and view.nationality == "Romanian"
    return view.referral.header.id


def test_adult_needs_informed_consent_else_duty_to_notify(db):
    ws = db.ws("mart")
    case_id = _refer(db)
    with pytest.raises(ValidationError) as exc:
        mart.refer_nrm(ws, case_id, date(2026, 3, 27), "Police", informed_consent=False)
    assert exc.value.field == "informed_consent"
    with pytest.raises(ValidationError):
        mart.refer_nrm(ws, case_id, date(2026, 3, 27), "Police")
    view = mart.notify_duty(ws, case_id, date(2026, 3, 27), "Police")
    assert view.duty_to_notify and not view.nrm_referred and view.informed_consent is False
    with pytest.raises(ValidationError):  # one route only
        mart.refer_nrm(ws, case_id, date(2026, 3, 28), "Police", informed_consent=True)


def test_child_referred_without_consent_and_never_duty_to_notify(db):
    ws = db.ws("mart")
    case_id = _refer(db, is_child=True)
    with pytest.raises(ValidationError) as exc:
        mart.notify_duty(ws, case_id, date(2026, 3, 27), "Police")
    assert exc.value.field == "is_child"
    view = mart.refer_nrm(ws, case_id, date(2026, 3, 27), "Local authority")
    assert view.nrm_referred and view.informed_consent is None


def test_rg_task_across_easter_and_recovery_period(db):
    ws = db.ws("mart")
    case_id = _refer(db)
    mart.refer_nrm(ws, case_id, date(2026, 4, 1), "Police", informed_consent=True)
    # 2 Apr, [3 Good Friday, weekend, 6 Easter Monday], 7, 8, 9, 10 -> 5th working day
    assert tasks_of(ws, case_id)[mart.TASK_RG] == [(date(2026, 4, 10), None)]
    with pytest.raises(ValidationError):  # CG needs a positive RG first
        mart.record_nrm_decision(ws, case_id, "conclusive_grounds", date(2026, 4, 9), True)
    rg = mart.record_nrm_decision(ws, case_id, "reasonable_grounds", date(2026, 4, 9), True)
    assert rg.recovery_period_ends == date(2026, 5, 9)
    assert mart.recovery_period_ends(ws, case_id) == date(2026, 5, 9)
    tasks = tasks_of(ws, case_id)
    assert tasks[mart.TASK_RG] == [(date(2026, 4, 10), date(2026, 4, 9))]
    assert tasks[mart.TASK_RECOVERY] == [(date(2026, 5, 9), None)]
    cg = mart.record_nrm_decision(ws, case_id, "conclusive_grounds", date(2026, 7, 1), True)
    assert cg.recovery_period_ends is None
    view = mart.mart_view(ws, case_id)
    assert [d.kind for d in view.decisions] == ["reasonable_grounds", "conclusive_grounds"]
    assert view.recovery_period_ends == date(2026, 5, 9)


def test_negative_rg_has_no_recovery_period(db):
    ws = db.ws("mart")
    case_id = _refer(db, is_child=True)
    mart.refer_nrm(ws, case_id, date(2026, 4, 1), "Police")
    rg = mart.record_nrm_decision(ws, case_id, "reasonable_grounds", date(2026, 4, 8), False)
    assert rg.recovery_period_ends is None
    assert mart.TASK_RECOVERY not in tasks_of(ws, case_id)


def test_mart_is_for_mart_panel_members_only(db):
    case_id = _refer(db)
    for other in ("swip", "swipchair", "cm", "sanct"):
        with pytest.raises(db.refused):
            mart.mart_view(db.ws(other), case_id)
    action = panels.add_action(db.ws("martchair"), case_id, "glaa", "Inspector",
                               "Visit the site.", date(2026, 4, 30))
    assert action.agency == "glaa"


# -- age group from the date of birth ------------------------------------------------------

def test_age_group_follows_the_date_of_birth_at_the_time_of_exploitation(db):
    # Bug: the child flag was not checked against the date of birth.
    ws = db.ws("mart")
    pid = make_person(ws, "Ola", "Young", date(2008, 5, 10))
    args = (ws, panel_id(ws, "MART Panel"), pid, date(2026, 11, 2), "R", "police",
            "given", "labour")
    # 18 on 10 May 2026; exploited in March 2026 -> a child, though an adult when referred
    view = mart.refer_mart(*args, exploited_on=date(2026, 3, 1))
    assert view.is_child and view.child_by_age and view.exploited_on == date(2026, 3, 1)
    with pytest.raises(ValidationError) as exc:  # recorded as an adult: needs a reason
        mart.refer_mart(*args, False, exploited_on=date(2026, 3, 1))
    assert exc.value.field == "age_override_reason" and "a child" in str(exc.value)
    disputed = mart.refer_mart(*args, False, exploited_on=date(2026, 3, 1),
                               age_override_reason="Age assessment by children's services")
    assert not disputed.is_child and disputed.child_by_age
    assert disputed.age_override_reason.startswith("Age assessment")
    later = mart.refer_mart(*args, exploited_on=date(2026, 6, 1))
    assert not later.is_child  # 18 by then
    with pytest.raises(ValidationError) as exc:  # correcting it later needs a reason too
        mart.set_mart_details(ws, later.referral.header.id, is_child=True)
    assert exc.value.field == "age_override_reason"
    fixed = mart.set_mart_details(ws, later.referral.header.id,
                                  exploited_on=date(2026, 4, 1))
    assert fixed.is_child and fixed.exploited_on == date(2026, 4, 1)


def test_age_group_without_a_date_of_birth_is_said(db):
    ws = db.ws("mart")
    pid = make_person(ws, "No", "Dob", None)
    with pytest.raises(ValidationError) as exc:
        mart.refer_mart(ws, panel_id(ws, "MART Panel"), pid, date(2026, 11, 2), "R",
                        "police", "given", "labour")
    assert exc.value.field == "is_child"
    view = mart.refer_mart(ws, panel_id(ws, "MART Panel"), pid, date(2026, 11, 2), "R",
                           "police", "given", "labour", True)
    assert view.is_child and view.child_by_age is None and view.age_override_reason == ""


def test_conclusive_grounds_not_before_the_minimum_recovery_period(db):
    # Bug: a CG decision was accepted one day after the RG decision.
    ws = db.ws("mart")
    case_id = _refer(db)
    mart.refer_nrm(ws, case_id, date(2026, 4, 1), "Police", informed_consent=True)
    mart.record_nrm_decision(ws, case_id, "reasonable_grounds", date(2026, 4, 9), True)
    with pytest.raises(ValidationError) as exc:
        mart.record_nrm_decision(ws, case_id, "conclusive_grounds", date(2026, 4, 10), True)
    assert exc.value.field == "early_reason" and "09 May 2026" in str(exc.value)
    with pytest.raises(ValidationError):  # the last day of the period is still inside it
        mart.record_nrm_decision(ws, case_id, "conclusive_grounds", date(2026, 5, 8), True)
    cg = mart.record_nrm_decision(ws, case_id, "conclusive_grounds", date(2026, 4, 20), True,
                                  early_reason="Person leaving the UK; decision expedited")
    assert cg.early_reason.startswith("Person leaving")
    view = mart.mart_view(ws, case_id)
    assert view.decisions[-1].early_reason == cg.early_reason
    assert tasks_of(ws, case_id)[mart.TASK_RECOVERY] == [(date(2026, 5, 9), date(2026, 4, 20))]


def test_conclusive_grounds_after_the_recovery_period_needs_no_reason(db):
    ws = db.ws("mart")
    case_id = _refer(db)
    mart.refer_nrm(ws, case_id, date(2026, 4, 1), "Police", informed_consent=True)
    mart.record_nrm_decision(ws, case_id, "reasonable_grounds", date(2026, 4, 9), True)
    cg = mart.record_nrm_decision(ws, case_id, "conclusive_grounds", date(2026, 5, 9), False,
                                  early_reason="not needed")
    assert cg.early_reason == ""


def test_duty_to_notify_needs_its_first_responder(db):
    # Bug: the Duty to Notify accepted a blank first responder.
    ws = db.ws("mart")
    case_id = _refer(db)
    for blank in ("", "   "):
        with pytest.raises(ValidationError) as exc:
            mart.notify_duty(ws, case_id, date(2026, 3, 27), blank)
        assert exc.value.field == "first_responder"
    view = mart.notify_duty(ws, case_id, date(2026, 3, 27), "Police")
    assert view.first_responder == "Police" and view.duty_to_notify_on == date(2026, 3, 27)


def test_a_case_holds_several_outcomes(db):
    # Bug: a MART case could hold only one outcome.
    ws = db.ws("mart")
    case_id = _refer(db)
    view = mart.record_outcomes(ws, case_id, ["housed", "benefits_in_place",
                                              "perpetrators_disrupted"], date(2026, 5, 1))
    assert view.outcomes == ("housed", "benefits_in_place", "perpetrators_disrupted")
    view = mart.record_outcomes(ws, case_id, ["housed", "prosecution"], date(2026, 6, 1))
    assert view.outcomes == ("housed", "prosecution")
    with pytest.raises(ValidationError) as exc:
        mart.record_outcomes(ws, case_id, ["housed", "moved_to_mars"])
    assert exc.value.field == "outcomes"
    assert mart.mart_view(ws, case_id).outcomes == ("housed", "prosecution")
