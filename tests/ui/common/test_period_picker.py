"""The shared period picker: quarter, year, financial year, month and custom dates."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from casework.core import periods
from casework.core.errors import ValidationError
from ui.common.period import PeriodPicker
from ui.common.qt import QDate


@pytest.mark.dates
def test_period_codes_read_as_the_dates_they_mean(fixed_today: date) -> None:
    assert periods.parse("FY2026").start == date(2026, 4, 1)
    assert periods.parse("fy2026/27").end == date(2027, 3, 31)
    assert periods.parse("FY2026").label == "Financial year 2026/27"
    assert periods.financial_year_of(date(2027, 3, 31)) == 2026
    assert periods.financial_year_of(date(2027, 4, 1)) == 2027
    assert periods.parse("2026Q4").end == date(2026, 12, 31)
    assert periods.parse("2024-02").end == date(2024, 2, 29)
    span = periods.parse("2026-04-01..2026-06-30")
    assert (span.start, span.end) == (date(2026, 4, 1), date(2026, 6, 30))
    with pytest.raises(ValidationError, match="ends before it starts"):
        periods.parse("2026-06-30..2026-04-01")
    with pytest.raises(ValidationError, match="2026/27, not 2026/28"):
        periods.parse("FY2026/28")
    with pytest.raises(ValidationError, match="financial year"):
        periods.parse("last week")


@pytest.mark.dates
def test_the_picker_offers_financial_years_and_custom_dates(qtbot: Any, app: Any,
                                                            fixed_today: date) -> None:
    picker = PeriodPicker()
    qtbot.addWidget(picker)
    picker.show()
    fy = periods.financial_year_of(fixed_today)
    picker.kind.setCurrentIndex(picker.kind.findData("fy"))
    assert picker.code() == f"FY{fy}"  # the current financial year first
    assert picker.which.currentText().startswith(periods.fy_label(fy))
    assert picker.set_code(f"FY{fy - 1}") and picker.span().start == date(fy - 1, 4, 1)
    with qtbot.waitSignal(picker.changed) as got:
        picker.set_code("2026-01-05..2026-02-10")
    assert got.args == ["2026-01-05..2026-02-10"] and picker.start.isVisible()
    assert not picker.which.isVisible()
    picker.end.setDate(QDate(2025, 12, 1))  # before the start: an error, not a period
    assert picker.span() is None and picker.code() == ""
    assert picker.error.isVisible() and "ends before it starts" in picker.error.text()
    picker.end.setDate(QDate(2026, 3, 1))
    assert not picker.error.isVisible() and picker.code() == "2026-01-05..2026-03-01"
