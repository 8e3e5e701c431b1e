"""Community Trigger end to end: deadlines, threshold rules at their boundaries, review."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from casework.core import settings
from casework.core.errors import ValidationError
from casework.trigger import applications as trigger
from casework.trigger import review
from db.models import AuditEntry, Document
from tests.casework.wf_helpers import make_person, tasks_of

# Depends on what day it is: CI runs it on several (tests/conftest.py).
pytestmark = pytest.mark.dates


def _open(db, received: date) -> int:
    ws = db.ws("cm")
    applicant = make_person(ws)
    return trigger.open_trigger(ws, applicant, received, on_behalf=False,
                                lsoa_code="E01028522").id


def test_deadlines_across_christmas(db):
    case_id = _open(db, date(2025, 12, 22))  # Monday before Christmas
    tasks = tasks_of(db.ws("cm"), case_id)
    # 23, 24 | 25, 26 bank holidays, weekend | 29, 30, 31 -> 5th working day
    assert tasks[trigger.TASK_ACK] == [(date(2025, 12, 31), None)]
    # 1 Jan bank holiday; 2, 5, 6, 7, 8 Jan -> 10th working day
    assert tasks[trigger.TASK_DECISION] == [(date(2026, 1, 8), None)]
    assert tasks[trigger.TASK_OUTCOME] == [(date(2026, 1, 29), None)]


def test_deadlines_across_easter(db):
    case_id = _open(db, date(2026, 4, 2))  # Maundy Thursday 2026
    tasks = tasks_of(db.ws("cm"), case_id)
    # Good Friday 3 Apr, weekend, Easter Monday 6 Apr; 7, 8, 9, 10, 13 Apr
    assert tasks[trigger.TASK_ACK] == [(date(2026, 4, 13), None)]
    assert tasks[trigger.TASK_DECISION] == [(date(2026, 4, 20), None)]


def test_window_boundary_exactly_six_months(db):
    ws = db.ws("cm")
    case_id = _open(db, date(2026, 9, 15))
    trigger.add_complaint(ws, case_id, date(2026, 3, 1), date(2026, 3, 15), "council", "A")
    trigger.add_complaint(ws, case_id, date(2026, 5, 1), date(2026, 5, 2), "police", "B")
    trigger.add_complaint(ws, case_id, date(2026, 7, 1), date(2026, 7, 2), "housing_provider", "C")
    proposal = trigger.propose_threshold(ws, case_id)
    assert proposal.met and proposal.qualifying == 3  # 15 March is exactly 6 months before

    other = _open(db, date(2026, 9, 16))  # the first complaint is now one day too old
    trigger.add_complaint(ws, other, date(2026, 3, 1), date(2026, 3, 15), "council", "A")
    trigger.add_complaint(ws, other, date(2026, 5, 1), date(2026, 5, 2), "police", "B")
    trigger.add_complaint(ws, other, date(2026, 7, 1), date(2026, 7, 2), "housing_provider", "C")
    proposal = trigger.propose_threshold(ws, other)
    assert not proposal.met and proposal.qualifying == 2
    assert any("outside" in r for r in proposal.reasons)


def test_complaint_32_days_after_behaviour_does_not_qualify(db):
    ws = db.ws("cm")
    case_id = _open(db, date(2026, 9, 1))
    trigger.add_complaint(ws, case_id, date(2026, 5, 1), date(2026, 6, 1), "council", "A")  # 31
    trigger.add_complaint(ws, case_id, date(2026, 6, 10), date(2026, 6, 11), "police", "B")
    trigger.add_complaint(ws, case_id, date(2026, 7, 1), date(2026, 8, 2), "council", "C")  # 32
    proposal = trigger.propose_threshold(ws, case_id)
    assert proposal.qualifying == 2 and not proposal.met
    assert any("more than 1 month" in r for r in proposal.reasons)


def test_one_incident_reported_to_three_agencies_counts_once(db):
    ws = db.ws("cm")
    case_id = _open(db, date(2026, 9, 1))
    for agency in ("council", "police", "housing_provider"):
        trigger.add_complaint(ws, case_id, date(2026, 8, 1), date(2026, 8, 3), agency, "INC-7")
    trigger.add_complaint(ws, case_id, date(2026, 8, 10), date(2026, 8, 11), "council", "INC-8")
    proposal = trigger.propose_threshold(ws, case_id)
    assert proposal.qualifying == 2 and not proposal.met
    assert any("same incident" in r for r in proposal.reasons)
    trigger.add_complaint(ws, case_id, date(2026, 8, 20), date(2026, 8, 21), "police", "INC-9")
    assert trigger.propose_threshold(ws, case_id).met


def test_local_extras_hate_incident_and_individuals(db):
    ws = db.ws("cm")
    case_id = _open(db, date(2026, 9, 1))
    trigger.add_complaint(ws, case_id, date(2026, 8, 1), date(2026, 8, 2), "police", "H",
                          hate_related=True)
    proposal = trigger.propose_threshold(ws, case_id)
    assert proposal.met and proposal.qualifying == 1
    assert any("hate" in r for r in proposal.reasons)

    with db.ws("admin").uow() as session:
        settings.set_value(session, settings.TRIGGER_HATE_ONE, False, None)
        settings.set_value(session, settings.TRIGGER_INDIVIDUALS, 2, None)
    assert not trigger.propose_threshold(ws, case_id).met
    neighbour = make_person(ws, "Sam", "Neighbour")
    trigger.add_complaint(ws, case_id, date(2026, 8, 5), date(2026, 8, 6), "council", "N",
                          complainant_person_id=neighbour)
    proposal = trigger.propose_threshold(ws, case_id)
    assert proposal.met and any("individuals" in r for r in proposal.reasons)


def test_complaint_validation(db):
    ws = db.ws("cm")
    case_id = _open(db, date(2026, 9, 1))
    with pytest.raises(ValidationError) as exc:
        trigger.add_complaint(ws, case_id, date(2026, 8, 2), date(2026, 8, 1), "council")
    assert exc.value.field == "complained_on"


def test_full_review_workflow(db):
    ws = db.ws("cm")
    case_id = _open(db, date(2026, 9, 1))
    for i, day in enumerate((3, 10, 17)):
        trigger.add_complaint(ws, case_id, date(2026, 8, day), date(2026, 8, day + 1),
                              "council", f"K{i}")
    view = trigger.acknowledge(ws, case_id, date(2026, 9, 2))
    assert view.acknowledged_on == date(2026, 9, 2)
    with pytest.raises(ValidationError) as exc:
        trigger.decide_threshold(ws, case_id, True, "  ", date(2026, 9, 8))
    assert exc.value.field == "reasons"
    view = trigger.decide_threshold(ws, case_id, True, "Three separate incidents reported "
                                    "promptly.", date(2026, 9, 8))
    assert view.threshold_met is True and view.proposed_threshold_met is True
    held = review.record_review(ws, case_id, date(2026, 9, 25), ["council", "police"],
                                   "Response was slow to join up.")
    assert held.bodies == ("council", "police")
    rec = review.add_recommendation(ws, case_id, "police", "Share incident logs weekly.",
                                     date(2026, 12, 1))
    review.send_outcome(ws, case_id, date(2026, 10, 2))
    review.record_applicant_response(ws, case_id, "Satisfied in part.")
    review.record_appeal(ws, case_id, date(2026, 10, 20))
    view = review.decide_appeal(ws, case_id, "not_upheld", date(2026, 11, 10))
    assert view.appeal_outcome == "not_upheld"
    done = review.complete_recommendation(ws, rec.id, date(2026, 11, 15))
    assert done.completed_on == date(2026, 11, 15)
    with pytest.raises(ValidationError) as err:  # done once, like a task or an action
        review.complete_recommendation(ws, rec.id, date(2026, 11, 16))
    assert err.value.field == "completed_on"

    tasks = tasks_of(ws, case_id)
    assert tasks[trigger.TASK_ACK][0][1] == date(2026, 9, 2)
    assert tasks[trigger.TASK_DECISION][0][1] == date(2026, 9, 8)
    assert tasks[trigger.TASK_OUTCOME][0][1] == date(2026, 10, 2)
    assert tasks[trigger.TASK_RECOMMENDATION] == [(date(2026, 12, 1), date(2026, 11, 15))]
    full = trigger.trigger_view(ws, case_id)
    assert len(full.complaints) == 3 and len(full.recommendations) == 1
    with ws.uow() as session:
        actions = set(session.scalars(select(AuditEntry.action).where(
            AuditEntry.record_id == str(case_id))))
        letters = session.scalar(select(Document.id).where(Document.case_id == case_id)
                                 .limit(1))
    assert {"trigger.open", "trigger.threshold", "trigger.review", "trigger.outcome",
            "view"} <= actions
    assert letters is not None
    assert [d.title.split(" (")[0] for d in full.letters] == [
        "Community Trigger: acknowledgement of your application",
        "Community Trigger: threshold decision",
        "Community Trigger: outcome of the case review",
        "Community Trigger: outcome of your appeal"]


def test_threshold_not_met_closes_and_blocks_review(db):
    ws = db.ws("cm")
    case_id = _open(db, date(2026, 9, 1))
    trigger.add_complaint(ws, case_id, date(2026, 8, 1), date(2026, 8, 2), "council", "A")
    view = trigger.decide_threshold(ws, case_id, False, "One complaint only.", date(2026, 9, 5))
    assert view.header.status == "closed" and view.header.outcome == "threshold_not_met"
    assert len(view.letters) == 1 and view.letters[0].kind == "letter"
    assert all(done is not None for rows in tasks_of(ws, case_id).values()
               for _due, done in rows)
    with pytest.raises(ValidationError):
        review.record_review(ws, case_id, date(2026, 9, 20), ["council"], "n/a")


def test_only_the_team_sees_the_application(db):
    case_id = _open(db, date(2026, 9, 1))
    for other in ("cm2", "swip", "coord"):
        with pytest.raises(db.refused):
            trigger.trigger_view(db.ws(other), case_id)
