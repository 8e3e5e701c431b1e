"""The report period is picked from lists, and a failure is shown as an error (red, the
old figures gone), never in green over the previous period's figures."""

from __future__ import annotations

from typing import Any

import pytest

from casework.core import clock
from casework.core.errors import ValidationError

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
