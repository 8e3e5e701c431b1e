"""Sanctuary jobs end to end: eligibility gate, survey, work lines, fire safety, feedback."""

from __future__ import annotations

from datetime import date

import pytest

from casework.core.errors import ValidationError
from casework.sanctuary import jobs as sanctuary
from tests.casework.wf_helpers import make_person, tasks_of

# Depends on what day it is: CI runs it on several (tests/conftest.py).
pytestmark = pytest.mark.dates


def _refer(db, **checks: bool) -> int:
    ws = db.ws("sanct")
    view = sanctuary.refer_sanctuary(ws, make_person(ws, "Vic", "Tim"), date(2026, 1, 5),
                                     "idva", lsoa_code="E01028522", risk_level="high",
                                     **checks)
    return view.header.id


def test_ordering_refused_while_any_eligibility_check_fails(db):
    ws = db.ws("sanct")
    case_id = _refer(db, victim_chose=True, perpetrator_not_resident=True)
    expected = ["right_to_occupy", "landlord_consent", "risk_assessment_done"]
    for field in expected:
        with pytest.raises(ValidationError) as exc:  # no survey before eligibility
            sanctuary.record_survey(ws, case_id, date(2026, 1, 8))
        assert exc.value.field == field
        sanctuary.record_eligibility(ws, case_id, **{field: True},
                                     checked_on=date(2026, 1, 7))
    view = sanctuary.record_survey(ws, case_id, date(2026, 1, 8))
    assert view.checked_on["risk_assessment_done"] == date(2026, 1, 7)
    assert view.checked_on["victim_chose"] == date(2026, 1, 5)  # passed at referral
    sanctuary.add_work_line(ws, case_id, "door_lock", "Two locks", 12_000)
    firm = sanctuary.add_contractor(ws, "SecureHomes Ltd")
    # a check withdrawn after the survey stops the order, and loses its date
    sanctuary.record_eligibility(ws, case_id, landlord_consent=False,
                                 checked_on=date(2026, 1, 8))
    with pytest.raises(ValidationError) as exc:
        sanctuary.order_work(ws, case_id, firm.id, date(2026, 1, 9))
    assert exc.value.field == "landlord_consent"
    assert sanctuary.sanctuary_view(ws, case_id).checked_on["landlord_consent"] is None
    sanctuary.record_eligibility(ws, case_id, landlord_consent=True,
                                 checked_on=date(2026, 1, 9))
    view = sanctuary.order_work(ws, case_id, firm.id, date(2026, 1, 9))
    assert view.eligible and view.contractor == "SecureHomes Ltd"


def test_survey_refused_before_eligibility_and_the_risk_assessment(db):
    # Bug: a survey could be recorded before eligibility and the risk assessment.
    ws = db.ws("sanct")
    case_id = _refer(db)
    with pytest.raises(ValidationError) as exc:
        sanctuary.record_survey(ws, case_id, date(2026, 1, 6))
    assert exc.value.field == "victim_chose"
    sanctuary.record_eligibility(ws, case_id, victim_chose=True, perpetrator_not_resident=True,
                                 right_to_occupy=True, landlord_consent=True,
                                 checked_on=date(2026, 1, 6))
    sanctuary.record_eligibility(ws, case_id, risk_assessment_done=True,
                                 checked_on=date(2026, 1, 9))
    with pytest.raises(ValidationError) as exc:  # the risk assessment is dated after it
        sanctuary.record_survey(ws, case_id, date(2026, 1, 8))
    assert exc.value.field == "risk_assessment_done" and "09 January 2026" in str(exc.value)
    with pytest.raises(ValidationError) as exc:  # a check cannot predate the referral
        sanctuary.record_eligibility(ws, case_id, right_to_occupy=True,
                                     checked_on=date(2026, 1, 4))
    assert exc.value.field == "checked_on"
    sanctuary.record_survey(ws, case_id, date(2026, 1, 9))


def test_referral_creates_its_survey_task_which_the_survey_completes(db):
    ws = db.ws("sanct")
    checks = dict.fromkeys(("victim_chose", "perpetrator_not_resident", "right_to_occupy",
                            "landlord_consent", "risk_assessment_done"), True)
    case_id = _refer(db, **checks)
    # Monday 5 January 2026 + 10 working days
    assert tasks_of(ws, case_id)[sanctuary.TASK_SURVEY] == [(date(2026, 1, 19), None)]
    sanctuary.record_survey(ws, case_id, date(2026, 1, 8))
    assert tasks_of(ws, case_id)[sanctuary.TASK_SURVEY] == [(date(2026, 1, 19),
                                                             date(2026, 1, 8))]


def test_survey_and_work_needed_before_order(db):
    ws = db.ws("sanct")
    checks = dict.fromkeys(("victim_chose", "perpetrator_not_resident", "right_to_occupy",
                            "landlord_consent", "risk_assessment_done"), True)
    case_id = _refer(db, **checks)
    firm = sanctuary.add_contractor(ws, "SecureHomes Ltd")
    with pytest.raises(ValidationError) as exc:
        sanctuary.order_work(ws, case_id, firm.id, date(2026, 1, 9))
    assert exc.value.field == "surveyed_on"
    sanctuary.record_survey(ws, case_id, date(2026, 1, 8))
    with pytest.raises(ValidationError) as exc:
        sanctuary.order_work(ws, case_id, firm.id, date(2026, 1, 9))
    assert exc.value.field == "work_lines"
    with pytest.raises(ValidationError):
        sanctuary.add_work_line(ws, case_id, "moat", "", 100)
    with pytest.raises(ValidationError):
        sanctuary.add_work_line(ws, case_id, "alarm", "", -1)


def test_full_job_with_fire_safety_and_feedback(db):
    ws = db.ws("sanct")
    checks = dict.fromkeys(("victim_chose", "perpetrator_not_resident", "right_to_occupy",
                            "landlord_consent", "risk_assessment_done"), True)
    case_id = _refer(db, **checks)
    sanctuary.record_survey(ws, case_id, date(2026, 1, 8))
    sanctuary.add_work_line(ws, case_id, "sanctuary_room", "Fire-rated door", 95_000)
    sanctuary.add_work_line(ws, case_id, "fireproof_letterbox", "", 8_500)
    firm = sanctuary.add_contractor(ws, "SecureHomes Ltd")
    sanctuary.order_work(ws, case_id, firm.id, date(2026, 1, 12))
    with pytest.raises(ValidationError) as exc:
        sanctuary.complete_job(ws, case_id, date(2026, 1, 30))
    assert exc.value.field == "fire_safety_checked_on"
    sanctuary.record_fire_safety_check(ws, case_id, date(2026, 1, 29))
    view = sanctuary.complete_job(ws, case_id, date(2026, 1, 30))
    assert view.total_cost_pence == 103_500
    assert (view.feedback_from, view.feedback_by) == (date(2026, 4, 30), date(2026, 7, 30))
    assert tasks_of(ws, case_id)[sanctuary.TASK_FEEDBACK] == [(date(2026, 7, 30), None)]
    with pytest.raises(ValidationError) as exc:
        sanctuary.record_feedback(ws, case_id, date(2026, 3, 1), True, False)
    assert exc.value.field == "collected_on"
    sanctuary.record_feedback(ws, case_id, date(2026, 5, 4), True, False, comments="Better.")
    assert tasks_of(ws, case_id)[sanctuary.TASK_FEEDBACK] == [
        (date(2026, 7, 30), date(2026, 5, 4))]
    full = sanctuary.sanctuary_view(ws, case_id)
    assert full.feedback[0].felt_safer is True and full.completed_on == date(2026, 1, 30)


def test_other_teams_cannot_see_jobs(db):
    case_id = _refer(db)
    for other in ("swip", "coord", "mart"):
        with pytest.raises(db.refused):  # refused by the role, or hidden by the server
            sanctuary.sanctuary_view(db.ws(other), case_id)
