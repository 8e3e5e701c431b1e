"""One clock: nothing in the product reads the system clock except ``db/clock.py``."""

from __future__ import annotations

import ast
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from casework.core import clock

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("casework", "ui", "db", "benchmarks")
ALLOWED = {Path("db/clock.py")}
# (object, attribute) calls that read the machine's clock
FORBIDDEN = {
    ("date", "today"), ("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today"),
    ("time", "time"), ("time", "localtime"), ("time", "gmtime"), ("time", "time_ns"),
    ("QDate", "currentDate"), ("QDateTime", "currentDateTime"), ("QTime", "currentTime"),
    ("QDateTime", "currentSecsSinceEpoch"), ("QDateTime", "currentMSecsSinceEpoch"),
}


def _readers(source: str) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name | ast.Attribute):
            owner = node.value.id if isinstance(node.value, ast.Name) else node.value.attr
            if (owner, node.attr) in FORBIDDEN:
                found.append((node.lineno, f"{owner}.{node.attr}"))
    return found


def test_nothing_but_the_clock_reads_the_system_time() -> None:
    files = [p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")]
    assert len(files) > 100
    offenders = [f"{p.relative_to(ROOT)}:{line} {what}" for p in files
                 if p.relative_to(ROOT) not in ALLOWED
                 for line, what in _readers(p.read_text(encoding="utf-8"))]
    assert offenders == []


def test_the_scan_catches_each_way_of_reading_the_time() -> None:
    bad = ("import datetime as dt\nfrom datetime import date, datetime\nimport time\n"
           "a = date.today()\nb = datetime.now()\nc = dt.datetime.utcnow()\nd = time.time()\n"
           "e = QDate.currentDate()\n")
    assert [w for _l, w in _readers(bad)] == [
        "date.today", "datetime.now", "datetime.utcnow", "time.time", "QDate.currentDate"]


def test_a_fixed_clock_sets_today_and_moves_on() -> None:
    with clock.frozen(date(2028, 2, 29), ticking=False) as fixed:
        assert clock.today() == date(2028, 2, 29)
        before = clock.utcnow()
        fixed.advance(timedelta(days=1))
        assert clock.today() == date(2028, 3, 1)
        assert clock.utcnow() - before == timedelta(days=1)
        assert clock.now_utc().tzinfo is UTC


def test_the_suite_runs_on_the_day_it_was_told(fixed_today: date) -> None:
    assert clock.today() == fixed_today


def test_rows_are_stamped_by_the_same_clock() -> None:
    from db.models import utcnow

    with clock.frozen(datetime(2027, 1, 1, 9, 30, tzinfo=UTC), ticking=False):
        assert utcnow() == datetime(2027, 1, 1, 9, 30)
