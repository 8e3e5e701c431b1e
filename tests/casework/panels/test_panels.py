"""SWIP referrals through a meeting cycle: schedule, agenda, attendance, minutes, actions."""

from __future__ import annotations

from datetime import date

import pytest

from casework.core.errors import PermissionDenied, ValidationError
from casework.panels import swip as panels
from tests.casework.wf_helpers import make_person, panel_id, tasks_of

# Depends on what day it is: CI runs it on several (tests/conftest.py).
pytestmark = pytest.mark.dates


def _refer(db, referred_on: date = date(2026, 6, 1), risk: str = "medium") -> int:
    ws = db.ws("swip")
    person = make_person(ws, "Jo", "Sample")
    view = panels.refer(ws, panel_id(ws, "SWIP Panel"), "swip", person, referred_on,
                        "A. Outreach", "sexual_health", "given",
                        ["housing", "substance_use"], risk, ["police", "housing_options"])
    return view.header.id


def test_referral_records_consent_needs_agencies(db):
    case_id = _refer(db)
    view = panels.referral_view(db.ws("swip"), case_id)
    assert view.consent == "given"
    assert view.needs == ("housing", "substance_use")
    assert view.agencies_engaged == ("housing_options", "police")
    assert view.header.reference.startswith("SWIP-2026-")
    with pytest.raises(ValidationError) as exc:
        panels.refer(db.ws("swip"), panel_id(db.ws("swip"), "SWIP Panel"), "swip", None,
                     date(2026, 6, 1), "x", "police", "given", ["gambling"], "high", [])
    assert exc.value.field in ("person_id", "needs")


def test_only_panel_members_see_referrals(db):
    case_id = _refer(db)
    for other in ("mart", "martchair", "cm", "coord"):
        with pytest.raises(db.refused):  # on a server the referral is hidden: not found
            panels.referral_view(db.ws(other), case_id)
    with pytest.raises(ValidationError):  # a MART panel does not take SWIP referrals
        panels.refer(db.ws("swip"), panel_id(db.ws("swip"), "MART Panel"), "swip",
                     make_person(db.ws("swip")), date(2026, 6, 1), "x", "police", "given",
                     [], "standard", [])


def test_meeting_cycle_with_carried_actions(db):
    chair = db.ws("swipchair")
    swip = panel_id(chair, "SWIP Panel")
    first, second = _refer(db, date(2026, 6, 1), "high"), _refer(db, date(2026, 6, 3))
    meetings = panels.schedule_meetings(chair, swip, date(2026, 6, 10), 3, "Town Hall")
    assert [m.scheduled_on for m in meetings] == [date(2026, 6, 10), date(2026, 7, 22),
                                                  date(2026, 9, 2)]
    m1, m2, m3 = (m.id for m in meetings)

    view = panels.build_agenda(chair, m1)
    assert [(i.case_id, i.reason) for i in view.items] == [(first, "new"), (second, "new")]
    assert panels.build_agenda(chair, m1).items == view.items  # idempotent

    panels.record_attendance(chair, m1, "P. Officer", "police")
    panels.record_attendance(chair, m1, "H. Worker", "housing", present=False)
    panels.record_minute(chair, m1, first, "Engaging with outreach.", shareable=True)
    panels.record_minute(chair, m1, second, "Not seen this period.")
    done = panels.add_action(chair, first, "housing_options", "H. Worker", "Find a hostel place.",
                             date(2026, 7, 1), meeting_id=m1, shareable=True)
    open_action = panels.add_action(chair, second, "police", "P. Officer",
                                    "Welfare check.", date(2026, 7, 1), meeting_id=m1)
    panels.complete_action(chair, done.id, date(2026, 6, 30))

    view = panels.meeting_view(chair, m1)
    assert view.held and len(view.attendance) == 2 and len(view.actions) == 2
    assert all(i.discussed for i in view.items)

    # Next meeting: both due for review (next_review_on = 10 Jun + 42 days = 22 Jul)
    view2 = panels.build_agenda(chair, m2)
    assert {i.case_id: i.reason for i in view2.items} == {first: "review_due",
                                                           second: "review_due"}
    assert [a.id for a in panels.carried_actions(chair, m2)] == [open_action.id]
    assert [a.id for a in view2.carried] == [open_action.id]

    # Third meeting before reviews are due again (minute only one at m2):
    panels.record_minute(chair, m2, first, "Housed.")
    panels.record_minute(chair, m2, second, "Still hard to reach.")
    with db.ws("swipchair").uow() as session:  # bring m3 forward to test the carry rule
        from db.models import Meeting
        session.get(Meeting, m3).scheduled_on = date(2026, 8, 5)
    view3 = panels.build_agenda(chair, m3)
    # Outstanding actions alone do not put a referral on the agenda: they are carried.
    assert view3.items == ()
    assert [a.id for a in view3.carried] == [open_action.id]

    tasks = tasks_of(chair, second)
    assert tasks[panels.TASK_ACTION] == [(date(2026, 7, 1), None)]
    assert tasks_of(chair, first)[panels.TASK_ACTION] == [(date(2026, 7, 1), date(2026, 6, 30))]
    with pytest.raises(ValidationError) as exc:
        panels.complete_action(chair, done.id, date(2026, 7, 1))
    assert exc.value.field == "completed_on"


def test_meeting_management_needs_the_chair(db):
    swip_member = db.ws("swip")
    swip = panel_id(swip_member, "SWIP Panel")
    with pytest.raises(PermissionDenied):
        panels.schedule_meetings(swip_member, swip, date(2026, 6, 10), 1)
    with pytest.raises(PermissionDenied):  # chair of another panel
        panels.schedule_meetings(db.ws("martchair"), swip, date(2026, 6, 10), 1)
    [meeting] = panels.schedule_meetings(db.ws("swipchair"), swip, date(2026, 6, 10), 1)
    assert panels.meeting_view(swip_member, meeting.id).panel_name == "SWIP Panel"
    with pytest.raises(db.refused):  # another panel's meeting: hidden on a server
        panels.meeting_view(db.ws("mart"), meeting.id)


def test_reprs_show_identifiers_only(db):
    case_id = _refer(db)
    view = panels.referral_view(db.ws("swip"), case_id)
    text = repr(view)
    assert "Outreach" not in text and "Sexual health" not in text
    assert f"case_id={case_id}" in text
