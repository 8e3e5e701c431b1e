"""MART referrals and the NRM: consent rules, Duty to Notify, RG task, recovery period."""

from __future__ import annotations

from datetime import date

import pytest

from casework.core.errors import PermissionDenied, ValidationError
from casework.panels import mart
from casework.panels import swip as panels
from tests.casework.wf_helpers import make_person, panel_id, tasks_of

# Depends on what day it is: CI runs it on several (tests/conftest.py).
pytestmark = pytest.mark.dates


def _refer(db, is_child: bool = False) -> int:
    ws = db.ws("mart")
    view = mart.refer_mart(ws, panel_id(ws, "MART Panel"), make_person(ws, "Ana", "Test"),
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
        with pytest.raises(PermissionDenied):
            mart.mart_view(db.ws(other), case_id)
    action = panels.add_action(db.ws("martchair"), case_id, "glaa", "Inspector",
                               "Visit the site.", date(2026, 4, 30))
    assert action.agency == "glaa"
