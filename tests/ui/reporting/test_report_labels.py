"""The Reports page names escalation steps as the KPI report does: a case closure never
reads as a closure order."""

from __future__ import annotations

from typing import Any

import pytest

from casework.asb import ladder
from casework.core import clock
from casework.reporting.kpi_release import STEP_LABELS
from tests.casework.factories import asb_case

pytestmark = pytest.mark.dates


def test_steps_chart_uses_the_reports_labels(db: Any, signed_in: Any, qtbot: Any) -> None:
    cm = db.ws("cm")
    today = clock.today()
    quarter_start = today.replace(month=3 * ((today.month - 1) // 3) + 1, day=1)
    case = asb_case(cm, opened_on=quarter_start)
    ladder.escalate(cm, case.header.id, "verbal_warning", quarter_start)
    _s, window = signed_in("coord")
    page = window.show_page("reports")
    qtbot.waitUntil(page.is_ready, timeout=15000)
    steps = page.kpis.asb.steps_by_action
    assert steps, "the warning is counted among the steps"
    labels = [label for label, _v in page.charts["steps"].values]
    assert labels == [STEP_LABELS[key] for key in sorted(steps)]
    assert "Verbal warnings" in labels
