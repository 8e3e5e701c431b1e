"""Three same-day reports of one event to three agencies count once after a person
confirms the suggestion; reports of other events are not suggested."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from casework.core.errors import ValidationError
from casework.trigger import applications as trigger
from casework.trigger import same_incident
from db.models import AuditEntry
from tests.casework.wf_helpers import make_person

pytestmark = pytest.mark.dates


def _application(db) -> int:
    ws = db.ws("cm")
    return trigger.open_trigger(ws, make_person(ws), date(2026, 11, 20),
                                lsoa_code="E01028522").id


def test_one_event_reported_to_three_agencies_is_suggested_and_counts_once(db):
    ws = db.ws("cm")
    cid = _application(db)
    add = trigger.add_complaint
    one = [add(ws, cid, date(2026, 10, 3), date(2026, 10, 3), "council",
               description="Group of youths throwing stones at windows", place="Rose Hill Park"),
           add(ws, cid, date(2026, 10, 3), date(2026, 10, 4), "police",
               description="Stones thrown at my windows by youths", place="rose hill park"),
           add(ws, cid, date(2026, 10, 4), date(2026, 10, 4), "housing_provider",
               description="Windows broken, youths with stones", place="Rosé Hill")]
    # Another event at the same place two months earlier: not suggested.
    add(ws, cid, date(2026, 8, 1), date(2026, 8, 2), "police",
        description="Loud music all night", place="Rose Hill Park")
    before = trigger.propose_threshold(ws, cid)
    assert before.met and before.qualifying == 4  # three "incidents" from one event
    suggestions = same_incident.suggest(ws, cid)
    assert [s.complaint_ids for s in suggestions] == [tuple(c.id for c in one)]
    s = suggestions[0]
    assert s.agencies == ("council", "housing_provider", "police")
    assert "similar description" in s.reasons and "same place" in s.reasons
    key = same_incident.confirm(ws, cid, s.complaint_ids)
    assert key
    after = trigger.propose_threshold(ws, cid)
    assert after.qualifying == 2 and not after.met
    assert same_incident.suggest(ws, cid) == []  # confirmed groups are not suggested again
    with ws.uow() as session:
        actions = session.scalars(select(AuditEntry.action).where(
            AuditEntry.record_id == str(cid))).all()
    assert "trigger.same_incident" in actions


def test_confirming_needs_two_complaints_of_the_application(db):
    ws = db.ws("cm")
    cid, other = _application(db), _application(db)
    a = trigger.add_complaint(ws, cid, date(2026, 10, 3), date(2026, 10, 3), "council",
                              description="Fly-tipping behind the shops")
    b = trigger.add_complaint(ws, other, date(2026, 10, 3), date(2026, 10, 3), "police",
                              description="Fly-tipping behind the shops")
    c = trigger.add_complaint(ws, cid, date(2026, 10, 3), date(2026, 10, 5), "council",
                              description="Fly-tipping behind the shops")
    # The same agency twice is one report each, and another application's is not here.
    assert same_incident.suggest(ws, cid) == []
    assert c.id
    with pytest.raises(ValidationError):
        same_incident.confirm(ws, cid, [a.id])
    with pytest.raises(ValidationError):
        same_incident.confirm(ws, cid, [a.id, b.id])


def test_a_rejected_suggestion_is_not_offered_again_and_each_report_counts(db):
    ws = db.ws("cm")
    cid = _application(db)
    add = trigger.add_complaint
    a = add(ws, cid, date(2026, 10, 3), date(2026, 10, 3), "council",
            description="Car revving engine late at night", place="Blackbird Leys Road")
    b = add(ws, cid, date(2026, 10, 3), date(2026, 10, 3), "police",
            description="Car revving its engine at night", place="Blackbird Leys Road")
    [s] = same_incident.suggest(ws, cid)
    assert s.complaint_ids == (a.id, b.id)
    assert s.reasons == ("same day", "same place", "similar description")
    same_incident.reject(ws, cid, s.complaint_ids)
    assert same_incident.suggest(ws, cid) == []
    assert trigger.propose_threshold(ws, cid).qualifying == 2  # still two incidents
    # A third report of the same night is offered with the first, not the rejected pair.
    c = add(ws, cid, date(2026, 10, 4), date(2026, 10, 4), "housing_provider",
            description="Engine revving car at night", place="Blackbird Leys Road")
    groups = same_incident.suggest(ws, cid)
    assert [g.complaint_ids for g in groups] == [(a.id, c.id)]
    with ws.uow() as session:
        actions = session.scalars(select(AuditEntry.action).where(
            AuditEntry.record_id == str(cid))).all()
    assert "trigger.not_same_incident" in actions


def test_group_compares_plain_data_before_anything_is_saved():
    one = same_incident.Reported(1, "council", date(2026, 10, 3), "Rose Hill Park",
                                 "Youths throwing stones at windows")
    two = same_incident.Reported(2, "police", date(2026, 10, 3), "Rose Hill Park",
                                 "Stones thrown at windows by youths")
    other = same_incident.Reported(3, "housing_provider", date(2026, 9, 1), "Rose Hill Park",
                                   "Stones thrown at windows by youths")
    [g] = same_incident.group([one, two, other])
    assert g.complaint_ids == (1, 2) and g.reasons[0] == "same day"
    assert same_incident.group([one, same_incident.Reported(
        2, "police", date(2026, 10, 3), "Rose Hill Park", "Stones", not_same_as=frozenset({1}))
    ]) == []


def test_decisions_made_as_the_application_is_entered_are_kept_and_audited(db):
    ws = db.ws("cm")
    New = trigger.NewComplaint
    day = date(2026, 11, 10)
    header = trigger.open_trigger(ws, make_person(ws), date(2026, 11, 20), complaints=[
        New(day, day, "council", "same-1", description="Stones at windows", place="Park"),
        New(day, day, "police", "same-1", description="Windows hit by stones", place="Park"),
        New(day, day, "housing_provider", description="Stones thrown at windows",
            place="Park", not_same_as=(0,)),
    ])
    assert trigger.propose_threshold(ws, header.id).qualifying == 2
    # the third was said to differ from the first: not suggested with it again
    assert same_incident.suggest(ws, header.id) == []
    with ws.uow() as session:
        entries = session.scalars(select(AuditEntry).where(
            AuditEntry.record_id == str(header.id))).all()
    actions = [e.action for e in entries]
    assert actions.count("trigger.complaint") == 3
    assert "trigger.same_incident" in actions and "trigger.not_same_incident" in actions


def test_an_application_with_a_complaint_after_it_is_not_recorded_at_all(db):
    ws = db.ws("cm")
    New = trigger.NewComplaint
    with pytest.raises(ValidationError) as err:
        trigger.open_trigger(ws, make_person(ws), date(2026, 11, 20), complaints=[
            New(date(2026, 11, 10), date(2026, 11, 10)),
            New(date(2026, 11, 21), date(2026, 11, 21))])
    assert err.value.field == "complained_on"
    from db.models import Case
    with ws.uow() as session:
        assert session.scalar(select(Case.id).where(Case.case_type == "trigger")) is None


@pytest.mark.parametrize("met", [True, False])
def test_once_the_threshold_is_decided_groups_can_no_longer_change_the_count(db, met):
    ws = db.ws("cm")
    cid = _application(db)
    add = trigger.add_complaint
    a = add(ws, cid, date(2026, 10, 3), date(2026, 10, 3), "council",
            description="Car revving engine late at night", place="Blackbird Leys Road")
    b = add(ws, cid, date(2026, 10, 3), date(2026, 10, 3), "police",
            description="Car revving its engine at night", place="Blackbird Leys Road")
    [s] = same_incident.suggest(ws, cid)
    assert s.complaint_ids == (a.id, b.id)
    trigger.decide_threshold(ws, cid, met, "Two incidents reported to two agencies",
                             date(2026, 11, 21))
    for decide in (same_incident.confirm, same_incident.reject):
        with pytest.raises(ValidationError) as err:
            decide(ws, cid, s.complaint_ids)
        assert str(err.value) == same_incident.DECIDED
        assert err.value.field == "threshold_met"
    view = trigger.trigger_view(ws, cid)
    assert {c.incident_key for c in view.complaints} == {""}  # nothing was grouped
    with ws.uow() as session:
        actions = session.scalars(select(AuditEntry.action).where(
            AuditEntry.record_id == str(cid))).all()
    assert "trigger.same_incident" not in actions
    assert "trigger.not_same_incident" not in actions
