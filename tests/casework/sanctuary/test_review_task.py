"""An open sanctuary job always has its next review task: set at referral, moved on by
each step (the one replaced closes as superseded, with why), replaced by the feedback task
when the work is fitted, and closed with the case."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from casework.cases import lifecycle
from casework.core import settings
from casework.sanctuary import jobs as sanctuary
from db.models import Case, Task
from tests.casework.wf_helpers import make_person

pytestmark = pytest.mark.dates

CHECKS = dict.fromkeys(("victim_chose", "perpetrator_not_resident", "right_to_occupy",
                        "landlord_consent", "risk_assessment_done"), True)


def _reviews(ws, case_id):
    with ws.uow() as s:
        return [(t.due_on, t.completed_on, t.closed_reason) for t in s.scalars(
            select(Task).where(Task.case_id == case_id, Task.kind == "review")
            .order_by(Task.id))]


def _open(ws, case_id):
    with ws.uow() as s:
        return sorted(t.kind for t in s.scalars(select(Task).where(
            Task.case_id == case_id, Task.completed_on.is_(None))))


def _next_review(ws, case_id):
    with ws.uow() as s:
        return s.get(Case, case_id).next_review_on


def test_each_step_moves_the_review_on_and_fitting_hands_it_to_feedback(db):
    ws = db.ws("sanct")
    case_id = sanctuary.refer_sanctuary(ws, make_person(ws, "Vic", "Tim"), date(2026, 1, 5),
                                        "idva", lsoa_code="E01028522", **CHECKS).header.id
    assert _reviews(ws, case_id) == [(date(2026, 2, 2), None, "")]  # referral + 28 days
    assert _next_review(ws, case_id) == date(2026, 2, 2)
    sanctuary.record_survey(ws, case_id, date(2026, 1, 8))
    first, second = _reviews(ws, case_id)
    assert first[:2] == (date(2026, 2, 2), date(2026, 1, 8)) and "superseded" in first[2]
    assert second == (date(2026, 2, 5), None, "")
    sanctuary.add_work_line(ws, case_id, "door_lock", "Front door", 12_000)
    firm = sanctuary.add_contractor(ws, "SecureHomes Ltd")
    sanctuary.order_work(ws, case_id, firm.id, date(2026, 1, 12))
    assert [r[1] for r in _reviews(ws, case_id)] == [date(2026, 1, 8), date(2026, 1, 12), None]
    assert _open(ws, case_id) == ["review"]
    sanctuary.complete_job(ws, case_id, date(2026, 1, 30))
    last = _reviews(ws, case_id)[-1]
    assert last[1] == date(2026, 1, 30)
    assert "feedback" in last[2] and "fitted" in last[2]
    # the feedback task is the job's next review now: exactly one open task
    assert _open(ws, case_id) == [sanctuary.TASK_FEEDBACK]
    assert _next_review(ws, case_id) == date(2026, 7, 30)
    sanctuary.record_feedback(ws, case_id, date(2026, 5, 4), True, False)
    assert _open(ws, case_id) == ["review"]
    assert _reviews(ws, case_id)[-1][:2] == (date(2026, 6, 1), None)
    lifecycle.close_case(ws, case_id, "completed", date(2026, 5, 6))
    assert _open(ws, case_id) == []
    assert _reviews(ws, case_id)[-1][1:] == (date(2026, 5, 6), "Case closed")


def test_the_review_interval_is_a_setting(db):
    with db.ws("admin").uow() as s:
        settings.set_value(s, settings.SANCTUARY_REVIEW_DAYS, 14, None)
    ws = db.ws("sanct")
    case_id = sanctuary.refer_sanctuary(ws, make_person(ws), date(2026, 1, 5),
                                        "police").header.id
    assert _reviews(ws, case_id) == [(date(2026, 1, 19), None, "")]
