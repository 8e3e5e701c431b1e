"""The report period is picked from lists, and a failure is shown as an error (red, the
old figures gone), never in green over the previous period's figures."""

from __future__ import annotations

from typing import Any

import pytest

from casework.core import clock
from casework.core.errors import ValidationError
from ui.common.qt import Qt

pytestmark = pytest.mark.dates


def test_period_picker_and_errors_shown_as_errors(signed_in: Any, qtbot: Any,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    _s, window = signed_in("coord")
    page = window.show_page("reports")
    qtbot.waitUntil(page.is_ready, timeout=15000)
    today = clock.today()
    assert page.period.code() == f"{today.year}Q{(today.month - 1) // 3 + 1}"
    assert page.kpis.period.label == page.period.code()
    page.period.kind.setCurrentIndex(page.period.kind.findData("year"))
    qtbot.waitUntil(lambda: page.kpis is not None and page.kpis.period.label == str(today.year),
                    timeout=15000)
    assert page.period.set_code(f"{today.year - 1}Q2")
    from casework.reporting import kpis

    def broken(_ws: Any, _period: str) -> Any:
        raise ValidationError("A period is a quarter (2026Q3), a year (2026) or a month.",
                              field="period")

    monkeypatch.setattr(kpis, "compute_kpis", broken)
    page.loaded = False
    page.refresh()
    qtbot.waitUntil(page.is_ready, timeout=15000)
    assert page.status.objectName() == "errorMessage"
    assert "could not be counted" in page.status.text()
    assert page.figures.text() == "" and page.kpis is None


def test_financial_years_custom_dates_and_a_bad_range(signed_in: Any, qtbot: Any) -> None:
    from casework.core import periods
    from ui.common import theme
    from ui.common.qt import QDate

    _s, window = signed_in("coord")
    page = window.show_page("reports")
    qtbot.waitUntil(page.is_ready, timeout=15000)
    fy = periods.financial_year_of(clock.today())
    page.period.kind.setCurrentIndex(page.period.kind.findData("fy"))
    qtbot.waitUntil(lambda: page.kpis is not None and page.kpis.period.label == f"FY{fy}",
                    timeout=15000)
    assert page.kpis.period.start.isoformat() == f"{fy}-04-01"
    # the heading names the period as people read it, with its dates; never the code
    assert f"Financial year {periods.fy_label(fy)} (01 Apr {fy} – 31 Mar {fy + 1})" \
        in page.figures.text()
    assert f"FY{fy}" not in page.figures.text()
    assert page.status.objectName() == "caseStatus" and page.figures.isEnabled()
    assert page.period.set_code(f"{fy}-05-01..{fy}-06-15")
    qtbot.waitUntil(lambda: page.kpis is not None
                    and page.kpis.period.label == f"{fy}-05-01..{fy}-06-15", timeout=15000)
    assert f"01 May {fy} to 15 Jun {fy}" in page.figures.text()
    assert page.figures.text().count("01 May") == 1  # the dates are not said twice
    # Counting another period: the figures on screen are greyed, the message not green.
    page.refresh()
    assert not page.figures.isEnabled() and page.status.objectName() != "caseStatus"
    qtbot.waitUntil(lambda: page.figures.isEnabled(), timeout=15000)
    # An end before the start is no period: an error in the palette's error colour, and
    # the figures of the previous choice go.
    page.period.end.setDate(QDate(fy, 4, 2))
    assert page.status.objectName() == "errorMessage"
    assert "ends before it starts" in page.status.text()
    assert page.kpis is None and page.figures.text() == ""
    assert all(chart.values == [] for chart in page.charts.values())
    assert page.status.palette().color(page.status.foregroundRole()) == theme.colour("error")
    qtbot.mouseClick(page.show_button, Qt.MouseButton.LeftButton)  # still an error
    assert page.status.objectName() == "errorMessage" and page.kpis is None
    page.export("kpi", out="unused.pdf")
    assert page.status.objectName() == "errorMessage"
    assert page.status.text().startswith("Nothing was exported")
    page.period.end.setDate(QDate(fy, 6, 30))
    qtbot.waitUntil(lambda: page.kpis is not None
                    and page.kpis.period.label == f"{fy}-05-01..{fy}-06-30", timeout=15000)
    assert page.status.objectName() == "caseStatus"
