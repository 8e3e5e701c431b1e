"""No day is special: the demo builds on every day of a year, and what it makes is
consistent with the day it was made on (nothing held, done or opened after today)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from casework.admin import newdb
from casework.core import workdays
from casework.core.context import Workspace
from casework.demo import add_demo_users
from casework.demo.generator import fill

# Depends on what day it is: CI runs it on several (tests/conftest.py).
pytestmark = pytest.mark.dates

FIRST = date(2026, 12, 1)  # a Tuesday: the panels meet on Tuesdays
SPECIAL = (
    date(2026, 12, 25), date(2027, 1, 1), date(2027, 3, 29),  # Christmas, New Year, Easter Mon
    date(2027, 3, 31), date(2027, 6, 30), date(2027, 9, 30),  # last days of quarters
    date(2027, 12, 31), date(2028, 2, 29), date(2028, 3, 1),  # leap day and the day after
    date(2027, 5, 31), date(2027, 8, 30),  # spring and summer bank holidays
)
EVERY_DAY = tuple(FIRST + timedelta(days=n) for n in range(366)) + SPECIAL


class Discard(Exception):
    """Raised to roll a day's demo back, leaving the database empty for the next day."""


@pytest.fixture(scope="module")
def empty_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    path: Path = tmp_path_factory.mktemp("everyday") / "demo.db"
    ws, _recovery = newdb.init_database(path, "admin", "every day password")
    add_demo_users(ws, "every day password")
    yield ws
    ws.lock()


def _scalar(session: Any, sql: str, **params: Any) -> int:
    return int(session.execute(text(sql), params).scalar_one())


INVARIANTS = {
    "a case opened after today": "SELECT count(*) FROM cases WHERE opened_on > :today",
    "a case closed after today": "SELECT count(*) FROM cases WHERE closed_on > :today",
    "a task completed after today": "SELECT count(*) FROM tasks WHERE completed_on > :today",
    "a meeting held today or later":
        "SELECT count(*) FROM meetings WHERE held AND scheduled_on >= :today",
    "an item discussed at a meeting not yet held":
        "SELECT count(*) FROM meeting_items i JOIN meetings m ON m.id = i.meeting_id "
        "WHERE i.discussed AND NOT m.held",
    "an action completed after today":
        "SELECT count(*) FROM panel_actions WHERE completed_on > :today",
}


def _build(ws: Workspace, day: date, cases: int, seed: int) -> dict[str, int]:
    """Generate for ``day`` in a transaction, check it, roll it back; return facts."""
    facts: dict[str, int] = {}
    with pytest.raises(Discard), ws.uow() as session:
        fill(session, cases, seed, day, rebuild_indexes=False)
        for what, sql in INVARIANTS.items():
            facts[what] = _scalar(session, sql, today=day)
        facts["meetings today"] = _scalar(
            session, "SELECT count(*) FROM meetings WHERE scheduled_on = :today", today=day)
        facts["cases"] = _scalar(session, "SELECT count(*) FROM cases")
        raise Discard
    return facts


def test_the_demo_builds_on_every_day_of_a_year(empty_demo: Workspace) -> None:
    broken: list[str] = []
    meeting_days = 0
    for day in EVERY_DAY:
        facts = _build(empty_demo, day, 40, seed=day.toordinal())
        assert facts["cases"] == 40
        broken += [f"{day}: {what}" for what in INVARIANTS if facts[what]]
        meeting_days += facts["meetings today"] > 0
    assert broken == []
    # the sweep really met the days that broke it before: a meeting on "today"
    assert meeting_days >= 8
    holidays = [d for d in EVERY_DAY if d.weekday() < 5 and not workdays.is_working_day(d)]
    assert date(2026, 12, 25) in holidays and date(2027, 3, 29) in holidays


@pytest.mark.parametrize("seed", [2026, 5, 7, 8, 11])
def test_the_default_size_builds_on_a_panel_meeting_day(empty_demo: Workspace,
                                                         seed: int) -> None:
    facts = _build(empty_demo, FIRST, 400, seed)
    assert facts["cases"] == 400
    assert [w for w in INVARIANTS if facts[w]] == []
