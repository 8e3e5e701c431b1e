"""The Community Trigger return counts the applications of the period asked for (calendar
year or financial year from 1 April), and its protective marking is whatever the sharing
protocol says for this output (OFFICIAL by default: a published statistic)."""

from __future__ import annotations

import csv
from datetime import date

import pytest

from casework.sharing import protocol
from casework.trigger import annual_return
from tests.casework.lifecycle.test_trigger_people import _met

pytestmark = pytest.mark.dates


def _figures(path) -> dict[str, str]:
    with path.open(newline="", encoding="utf-8-sig") as fh:
        return {row[0]: row[1] for row in csv.reader(fh) if len(row) >= 2}


def test_the_return_by_calendar_and_by_financial_year(db, tmp_path) -> None:
    ws = db.ws("cm")
    for received in (date(2025, 12, 10), date(2026, 3, 20), date(2026, 5, 20),
                     date(2026, 6, 2), date(2026, 7, 8), date(2026, 8, 4), date(2026, 9, 1)):
        _met(ws, received)
    coord = db.ws("coord")
    runs = {("calendar", 2026): "6", ("financial", 2025): "2", ("financial", 2026): "5",
            ("calendar", 2025): "1"}
    for (period, year), expected in runs.items():
        out = tmp_path / f"{period}-{year}.csv"
        annual_return.export_trigger_return(coord, year, out, period=period)
        assert _figures(out)["Applications received"] == expected, (period, year)
    # the file says which period it counts
    assert _figures(tmp_path / "financial-2025.csv")["Period"] == \
        "Financial year 2025/26 (April to March)"
    assert _figures(tmp_path / "calendar-2026.csv")["Period"] == "Calendar year 2026"


def test_the_returns_marking_comes_from_the_protocol(db, tmp_path) -> None:
    ws = db.ws("cm")
    _met(ws, date(2026, 5, 20))
    coord, admin = db.ws("coord"), db.ws("admin")
    first = tmp_path / "first.csv"
    annual_return.export_trigger_return(coord, 2026, first)
    assert "OFFICIAL" in first.read_text() and "OFFICIAL-SENSITIVE" not in first.read_text()
    _version, definition = protocol.definition_of(admin)
    definition["outputs"]["trigger_return"]["marking"] = "OFFICIAL-SENSITIVE"
    protocol.new_version(admin, definition, "The return is held back this year")
    second = tmp_path / "second.csv"
    annual_return.export_trigger_return(coord, 2026, second)
    assert "OFFICIAL-SENSITIVE" in second.read_text()
