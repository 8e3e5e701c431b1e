"""The task board: overdue and due this week, per user and per team, only for cases the
user may see; completing a task."""

from __future__ import annotations

from datetime import date

import pytest

from casework.asb import cases as asb
from casework.cases import tasks
from casework.core.errors import NotFound, PermissionDenied, ValidationError
from tests.casework import factories as f

# Depends on what day it is: CI runs it on several (tests/conftest.py).
pytestmark = pytest.mark.dates

OPENED = date(2025, 3, 3)  # Monday; first contact due 10 March, update due 17 March


def kinds(board: tasks.TaskBoard) -> tuple[list[str], list[str]]:
    return [t.kind for t in board.overdue], [t.kind for t in board.due_this_week]


def test_my_tasks_split_overdue_and_due_this_week(db):
    ws = db.ws("cm")
    case = f.asb_case(ws, OPENED)
    assert kinds(tasks.my_tasks(ws, date(2025, 3, 3))) == ([], [])  # 10 March is 7 days on
    assert kinds(tasks.my_tasks(ws, date(2025, 3, 4))) == ([], ["first_contact"])
    assert kinds(tasks.my_tasks(ws, date(2025, 3, 11))) == (
        ["first_contact"], ["complainant_update"])
    board = tasks.my_tasks(ws, date(2025, 3, 18))
    assert kinds(board) == (["first_contact", "complainant_update"], [])
    assert board.overdue[0].case_reference == case.header.reference
    assert board.overdue[0].days_overdue(date(2025, 3, 18)) == 8
    assert board.count == 2


def test_team_tasks_show_the_team_and_never_another_team(db):
    cm, cm2 = db.ws("cm"), db.ws("cm2")
    f.asb_case(cm, OPENED)
    f.asb_case(cm2, OPENED)
    mine = tasks.team_tasks(cm, date(2025, 3, 11))
    theirs = tasks.team_tasks(cm2, date(2025, 3, 11))
    assert mine.count == 2 and theirs.count == 2
    assert {t.case_id for t in mine.overdue}.isdisjoint({t.case_id for t in theirs.overdue})
    assert tasks.team_tasks(db.ws("sanct"), date(2025, 3, 11)).count == 0
    assert tasks.my_tasks(db.ws("swip"), date(2025, 3, 11)).count == 0


@pytest.mark.parametrize("user", ["coord", "admin"])
def test_roles_without_cases_have_no_task_board(db, user):
    with pytest.raises(PermissionDenied):
        tasks.my_tasks(db.ws(user))
    with pytest.raises(PermissionDenied):
        tasks.team_tasks(db.ws(user))


def test_complete_task(db):
    ws = db.ws("cm")
    f.asb_case(ws, OPENED)
    task = tasks.my_tasks(ws, date(2025, 3, 11)).overdue[0]
    with pytest.raises(db.refused):
        tasks.complete_task(db.ws("cm2"), task.id, date(2025, 3, 11))
    done = tasks.complete_task(ws, task.id, date(2025, 3, 11))
    assert done.completed_on == date(2025, 3, 11)
    assert task.id not in [t.id for t in tasks.my_tasks(ws, date(2025, 3, 11)).overdue]
    with pytest.raises(ValidationError):
        tasks.complete_task(ws, task.id, date(2025, 3, 11))
    with pytest.raises(NotFound):
        tasks.complete_task(ws, 99999)


def test_contact_moves_the_update_task_along(db):
    ws = db.ws("cm")
    case = f.asb_case(ws, OPENED)
    asb.record_contact(ws, case.header.id, date(2025, 3, 5))
    board = tasks.my_tasks(ws, date(2025, 3, 17))
    assert kinds(board) == ([], ["complainant_update"])
    assert board.due_this_week[0].due_on == date(2025, 3, 19)
