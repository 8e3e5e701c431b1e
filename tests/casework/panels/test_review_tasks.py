"""Every open panel case has its next review task, and a minute moves it on (the old one
closes as superseded, never left as a false overdue item)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from casework.panels import swip as panels
from db.models import Task
from tests.casework.wf_helpers import make_person, panel_id

pytestmark = pytest.mark.dates


def review_tasks(ws, case_id):
    with ws.uow() as session:
        return [(t.due_on, t.completed_on, t.closed_reason) for t in session.scalars(
            select(Task).where(Task.case_id == case_id, Task.kind == "review")
            .order_by(Task.id))]


def test_a_referral_has_a_review_task_and_a_minute_moves_it_on(db):
    ws, chair = db.ws("swip"), db.ws("swipchair")
    case_id = panels.refer(ws, panel_id(ws, "SWIP Panel"), "swip", make_person(ws, "Jo"),
                           date(2026, 11, 2), "A. Outreach", "sexual_health", "given",
                           ["housing"], "medium", ["police"]).header.id
    assert review_tasks(ws, case_id) == [(date(2026, 11, 2), None, "")]
    meeting = panels.schedule_meetings(chair, panel_id(chair, "SWIP Panel"),
                                       date(2026, 12, 1), 1, "Town Hall")[0].id
    panels.build_agenda(chair, meeting)
    panels.record_minute(chair, meeting, case_id, "Engaging.")
    tasks = review_tasks(ws, case_id)
    assert len(tasks) == 2
    (old_due, old_done, why), (new_due, new_done, _w) = tasks
    assert old_due == date(2026, 11, 2) and old_done == date(2026, 12, 1)
    assert why and "superseded" in why
    assert new_due == date(2027, 1, 12) and new_done is None  # 1 Dec + 42 days
