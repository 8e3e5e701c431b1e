"""Reopen, transfer, reassign, linked cases; closing with open recommendations; tasks that
are superseded, recur, snooze and move; every open case has its review task."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from casework.asb import cases as asb
from casework.asb import ladder
from casework.cases import lifecycle, tasks, transitions
from casework.cases.caseview import case_tasks
from casework.core.errors import ValidationError
from casework.trigger import applications as trigger
from casework.trigger import review
from db.models import AuditEntry, Task, Team, TriggerRecommendation, User
from tests.casework import factories as f
from tests.casework.wf_helpers import make_person


def _ids(db):  # type: ignore[no-untyped-def]
    with db.ws("admin").uow() as s:
        north = s.scalar(select(Team.id).where(Team.name == "North ASB Team"))
        cm2 = s.scalar(select(User.id).where(User.username == db.login("cm2")))
        cm = s.scalar(select(User.id).where(User.username == db.login("cm")))
    return north, cm2, cm


def _actions(ws, case_id: int) -> list[str]:  # type: ignore[no-untyped-def]
    with ws.uow() as s:
        return list(s.scalars(select(AuditEntry.action).where(
            AuditEntry.record_type == "case", AuditEntry.record_id == str(case_id))))


def test_reopen_needs_a_reason_and_sets_a_review(db) -> None:
    ws = db.ws("cm")
    cid = f.asb_case(ws, opened_on=date(2026, 10, 1)).header.id
    lifecycle.close_case(ws, cid, "resolved", date(2026, 11, 1))
    with pytest.raises(ValidationError):
        transitions.reopen_case(ws, cid, " ")
    header = transitions.reopen_case(ws, cid, "New reports from the same address")
    assert (header.status, header.outcome, header.closed_on) == ("open", None, None)
    assert any(t.kind == "review" and t.completed_on is None for t in case_tasks(ws, cid))
    assert "case.reopen" in _actions(ws, cid)
    with pytest.raises(ValidationError):
        transitions.reopen_case(ws, cid, "again")


def test_transfer_moves_access_and_tasks_at_once(db) -> None:
    north, cm2_id, _ = _ids(db)
    ws, ws2 = db.ws("cm"), db.ws("cm2")
    cid = f.asb_case(ws, opened_on=date(2026, 10, 1)).header.id
    with pytest.raises(db.refused):
        asb.get_asb_case(ws2, cid)
    with pytest.raises(ValidationError) as err:
        transitions.transfer_case(ws, cid, north, _ids(db)[2], "Moved north")
    assert err.value.field == "owner_id"  # cm is not in the receiving team
    header = transitions.transfer_case(ws, cid, north, cm2_id, "Subject moved to the north")
    assert (header.team_id, header.owner_id) == (north, cm2_id)
    moved = asb.get_asb_case(ws2, cid).header
    assert (moved.owner_id, moved.team_id, moved.version) == (cm2_id, north, header.version)
    with pytest.raises(db.refused):  # refused, or (on a server) hidden
        asb.get_asb_case(ws, cid)
    assert {t.assigned_user_id for t in tasks.my_tasks(ws2, date(2027, 6, 1)).overdue
            if t.case_id == cid} == {cm2_id}
    assert "case.transfer" in _actions(ws2, cid)


def test_reassign_within_the_team(db) -> None:
    _north, cm2_id, cm_id = _ids(db)
    ws = db.ws("cm")
    cid = f.asb_case(ws, opened_on=date(2026, 10, 1)).header.id
    with pytest.raises(ValidationError):  # cm2 is in another team: that is a transfer
        transitions.reassign_owner(ws, cid, cm2_id, "Leave")
    with pytest.raises(ValidationError):
        transitions.reassign_owner(ws, cid, cm_id, "Already theirs")


def test_linked_cases_by_person_and_address_within_visibility(db) -> None:
    ws = db.ws("cm")
    first = f.asb_case(ws, opened_on=date(2026, 10, 1))
    subject = first.subject_person_id
    complainant = make_person(ws)
    second = asb.open_asb_case(ws, "nuisance", "noise", date(2026, 10, 5), f.LSOA,
                               complainant, subject, summary="Again")
    neighbour = f.person(ws, "Nina", "Nextdoor", date(1985, 1, 1), "OX4 3CC", "3 Iffley Road")
    third = asb.open_asb_case(ws, "nuisance", "noise", date(2026, 10, 6), f.LSOA,
                              make_person(ws), neighbour, summary="Same house")
    links = {lc.case_id: lc.via for lc in transitions.linked_cases(ws, first.header.id)}
    assert links[second.header.id].startswith("person")
    assert links[third.header.id] == "address"
    other_team = f.asb_case(db.ws("cm2"), opened_on=date(2026, 10, 1))
    assert other_team.header.id not in links


def test_closing_with_an_open_recommendation_asks_and_never_completes_silently(db) -> None:
    ws = db.ws("cm")
    cid = trigger.open_trigger(ws, make_person(ws), date(2026, 9, 1), on_behalf=False,
                               lsoa_code="E01028522").id
    for i, day in enumerate((3, 10, 17)):
        trigger.add_complaint(ws, cid, date(2026, 8, day), date(2026, 8, day + 1), "council",
                              f"K{i}")
    trigger.decide_threshold(ws, cid, True, "Three incidents", date(2026, 9, 8))
    review.record_review(ws, cid, date(2026, 9, 25), ["council", "police"], "Slow.")
    rec = review.add_recommendation(ws, cid, "police", "Share logs weekly.", date(2026, 12, 20))
    items = [i for i in lifecycle.open_items(ws, cid) if i.record == "recommendation"]
    assert len(items) == 1
    with pytest.raises(ValidationError) as err:
        lifecycle.close_case(ws, cid, "review_completed", date(2026, 11, 30))
    assert err.value.field == "decisions"
    lifecycle.close_case(ws, cid, "review_completed", date(2026, 11, 30),
                         decisions={items[0].task_id: "cancel"})
    with ws.uow() as s:
        assert s.get(TriggerRecommendation, rec.id).completed_on is None
        task = s.get(Task, items[0].task_id)
        assert task.closed_reason == "Cancelled when the case closed"


def test_superseded_expiry_tasks_close_with_the_reason(db) -> None:
    ws = db.ws("cm")
    cid = f.asb_case(ws).header.id
    extra = {"hearing_date": "6 March 2025", "hearing_time": "10:00"}
    ladder.escalate(ws, cid, "closure_notice", date(2025, 3, 4), "Drugs", duration_hours=48,
                    extra=extra)
    ladder.escalate(ws, cid, "closure_order", date(2025, 3, 5), expires_on=date(2025, 6, 5))
    ladder.escalate(ws, cid, "closure_order_extension", date(2025, 6, 1),
                    expires_on=date(2025, 9, 5))
    with ws.uow() as s:
        rows = {t.kind: t for t in s.scalars(select(Task).where(Task.case_id == cid))}
        notice, order = rows["closure_notice_expiry"], rows["closure_order_expiry"]
        assert notice.completed_on == date(2025, 3, 5)
        assert notice.closed_reason.startswith("Superseded by the closure order")
        assert order.completed_on == date(2025, 6, 1)
        assert "extension" in order.closed_reason
        assert rows["closure_order_extension_expiry"].completed_on is None


def test_a_case_without_a_risk_assessment_gets_its_review_task(db) -> None:
    ws = db.ws("cm")
    case = asb.open_asb_case(ws, "personal", "noise", date(2026, 11, 2), f.LSOA,
                             make_person(ws), None, summary="x")
    assert case.header.next_review_on == date(2026, 12, 28)
    assert [t.due_on for t in case_tasks(ws, case.header.id) if t.kind == "risk_review"] \
        == [date(2026, 12, 28)]


def test_complainant_updates_recur_until_the_case_closes(db) -> None:
    ws = db.ws("cm")
    cid = f.asb_case(ws, opened_on=date(2026, 11, 2)).header.id
    first = next(t for t in case_tasks(ws, cid) if t.kind == "complainant_update")
    tasks.complete_task(ws, first.id)
    following = [t for t in case_tasks(ws, cid)
                 if t.kind == "complainant_update" and t.completed_on is None]
    assert [t.due_on for t in following] == [date(2026, 12, 15)]
    lifecycle.close_case(ws, cid, "resolved")
    assert not [t for t in case_tasks(ws, cid) if t.completed_on is None]


def test_team_view_names_the_owner_and_tasks_snooze_and_move(db) -> None:
    ws = db.ws("cm")
    cid = f.asb_case(ws, opened_on=date(2026, 11, 2)).header.id
    board = tasks.team_tasks(ws, date(2026, 12, 1))
    mine = [t for t in board.overdue + board.due_this_week if t.case_id == cid]
    assert mine and {t.owner_name for t in mine} == {"Cm"}
    with pytest.raises(ValidationError):
        tasks.snooze_task(ws, mine[0].id, date(2026, 12, 8), "")
    tasks.snooze_task(ws, mine[0].id, date(2026, 12, 8), "Complainant on holiday")
    board = tasks.team_tasks(ws, date(2026, 12, 1))
    assert mine[0].id not in {t.id for t in board.overdue + board.due_this_week}
    _north, cm2_id, _cm = _ids(db)
    with pytest.raises(ValidationError):
        tasks.reassign_task(ws, mine[1].id if len(mine) > 1 else mine[0].id, cm2_id, "Leave")
