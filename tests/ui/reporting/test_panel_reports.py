"""A panel chair's Reports page shows their own panel's figures; a role that may see no
figures has no Reports page."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from casework.cases.lifecycle import close_case
from casework.core.errors import PermissionDenied
from casework.panels import mart
from casework.panels import swip as panels
from casework.reporting.panel_figures import panel_figures
from db.models import Meeting, PanelAction
from tests.casework.wf_helpers import make_person, panel_id

pytestmark = pytest.mark.dates


def _referrals(db: Any) -> tuple[int, int]:
    swip = db.ws("swip")
    pid = panel_id(swip, "SWIP Panel")
    for day in (2, 9, 16):
        ref = panels.refer(swip, pid, "swip", make_person(swip), date(2026, 7, day), "R",
                           "police", "given", ["health"], "high", [])
    close_case(swip, ref.header.id, "exited", date(2026, 9, 1))
    m = db.ws("mart")
    view = mart.refer_mart(m, panel_id(m, "MART Panel"), make_person(m), date(2026, 7, 3),
                           "R", "police", "not_sought", "county_lines", False)
    return ref.header.id, view.referral.header.id


def test_a_chair_counts_only_the_panels_they_chair(db: Any) -> None:
    swip_case, mart_case = _referrals(db)
    chair = db.ws("swipchair")
    pid = panel_id(chair, "SWIP Panel")
    with chair.uow() as session:  # set-up: meetings and actions as the chair recorded them
        session.add_all([Meeting(panel_id=pid, scheduled_on=date(2026, 8, 4), held=True),
                         Meeting(panel_id=pid, scheduled_on=date(2026, 9, 15), held=False),
                         Meeting(panel_id=pid, scheduled_on=date(2026, 10, 6), held=True)])
        for case_id, due, done in ((swip_case, date(2026, 8, 20), date(2026, 8, 18)),
                                   (swip_case, date(2026, 9, 20), None),
                                   (mart_case, date(2026, 9, 1), date(2026, 9, 2))):
            session.add(PanelAction(case_id=case_id, agency="police", description="Visit",
                                    due_on=due, completed_on=done))
    [swip] = panel_figures(chair, "2026Q3")
    assert (swip.panel, swip.referrals_received, swip.referrals_closed, swip.open_at_end) \
        == ("SWIP Panel", 3, 1, 2)
    assert (swip.meetings_held, swip.meetings_planned) == (1, 1)
    assert (swip.actions_set, swip.actions_completed, swip.actions_overdue) == (2, 1, 1)
    [mart_fig] = panel_figures(db.ws("martchair"), "2026Q3")
    assert mart_fig.referrals_received == 1
    for who in ("swip", "coord", "cm"):
        with pytest.raises(PermissionDenied):
            panel_figures(db.ws(who), "2026Q3")


def test_chair_sees_their_panel_figures_and_a_member_no_reports_page(
        db: Any, signed_in: Any, qtbot: Any) -> None:
    _referrals(db)
    _s, window = signed_in("swipchair")
    assert "reports" in window.nav_keys()
    page = window.show_page("reports")
    qtbot.waitUntil(page.is_ready, timeout=15000)
    page.loaded = False
    assert page.period.set_code("2026Q3")
    page.refresh()
    qtbot.waitUntil(lambda: page.is_ready() and page.panel_figures is not None
                    and page.figures.text().find("Q3 2026") >= 0, timeout=15000)
    text = page.figures.text()
    assert "2026Q3" not in text  # the period as people read it, not its code
    assert "SWIP Panel" in text and "3 referrals received" in text and "1 closed" in text
    assert "MART" not in text
    [chart] = page.charts.values()
    assert ("Referrals received", 3) in chart.values
    assert "Meetings held" in [k for k, _v in chart.values]
    assert "Actions completed" in [k for k, _v in chart.values]
    assert not page.export_buttons  # a chair exports packs from the panel's page
    _s, member = signed_in("swip")
    assert "reports" not in member.nav_keys()


def test_coordinator_exports_the_kpis_as_a_workbook(signed_in: Any, qtbot: Any,
                                                    tmp_path: Any) -> None:
    import openpyxl

    _s, window = signed_in("coord")
    page = window.show_page("reports")
    qtbot.waitUntil(page.is_ready, timeout=15000)
    out = tmp_path / "kpis.xlsx"
    page.export("kpi", str(out))
    qtbot.waitUntil(lambda: page.last_export is not None, timeout=60000)
    assert "protocol version" in page.status.text()
    wb = openpyxl.load_workbook(out, read_only=True)
    assert wb.sheetnames == ["About", "KPIs", "Trend"]
