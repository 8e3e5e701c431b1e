"""Every dialog a screen opens fits 1280x720 logical pixels (1366x768 at 100%, 1920x1080
at 150%): each role's screens, every tab, every button that opens a dialog ("…"), with
the dialog's minimum size hint checked as it is shown. Bar charts keep whole labels."""

from __future__ import annotations

from typing import Any

import pytest

from tests.ui.conftest import wait_ops
from ui.common.qt import QDialog, QFileDialog, QPushButton, QTabWidget, QTimer, QWidget

WIDTH, HEIGHT = 1280, 720


def _open_dialogs(app: Any) -> list[QDialog]:
    return [w for w in app.topLevelWidgets() if isinstance(w, QDialog) and w.isVisible()]


def _sweep(app: Any, qtbot: Any, root: QWidget, what: str) -> list[str]:
    """Click each enabled "…" button under ``root``; every dialog it shows (modal or
    not) must fit. Returns the dialogs seen, as "ClassName"."""
    seen: list[str] = []
    problems: list[str] = []
    before = set(map(id, _open_dialogs(app)))

    def close_new() -> None:
        for dlg in _open_dialogs(app):
            if id(dlg) in before:
                continue
            hint = dlg.minimumSizeHint().expandedTo(dlg.minimumSize())
            seen.append(type(dlg).__name__)
            if not isinstance(dlg, QFileDialog) and (
                    hint.width() > WIDTH or hint.height() > HEIGHT):
                problems.append(f"{what}: {type(dlg).__name__} needs "
                                f"{hint.width()}x{hint.height()}")
            getattr(dlg, "force_reject", dlg.reject)()

    timer = QTimer()
    timer.timeout.connect(close_new)
    timer.start(30)
    try:
        buttons = [b for b in root.findChildren(QPushButton)
                   if b.isVisibleTo(root) and b.isEnabled() and b.text().endswith("…")]
        for button in buttons:
            if not button.isVisible() or not button.isEnabled():
                continue  # an earlier dialog changed the screen
            count = len(seen)
            button.click()
            try:
                qtbot.waitUntil(lambda count=count: len(seen) > count, timeout=3000)
            except Exception:  # noqa: BLE001 - a button may say "nothing to do" instead
                pass
            wait_ops(qtbot)
            close_new()
    finally:
        timer.stop()
    assert not problems, problems
    return seen


@pytest.mark.parametrize("user", ["cm", "swipchair", "coord", "ig", "admin"])
def test_every_dialog_of_every_screen_fits(signed_in: Any, qtbot: Any, app: Any,
                                           user: str) -> None:
    _s, window = signed_in(user)
    window.resize(WIDTH, HEIGHT)
    shown: list[str] = []
    for key in window.nav_keys():
        page = window.show_page(key)
        ready = getattr(page, "is_ready", None)
        if callable(ready):
            qtbot.waitUntil(ready, timeout=15000)
        tabsets = [t for t in page.findChildren(QTabWidget) if t.isVisibleTo(page)]
        shown += _sweep(app, qtbot, page, f"{user} {key}")
        for tabs in tabsets:
            for n in range(tabs.count()):
                tabs.setCurrentIndex(n)
                qtbot.wait(20)
                wait_ops(qtbot)
                shown += _sweep(app, qtbot, tabs.widget(n),
                                f"{user} {key} tab {tabs.tabText(n)!r}")
        assert window.width() <= WIDTH, f"{user} {key}: window widened"
    assert shown or user == "ig", f"{user}: no screen opened a dialog (the sweep found none)"
    wait_ops(qtbot)


def test_report_charts_keep_whole_labels_at_1280(signed_in: Any, qtbot: Any) -> None:
    _s, window = signed_in("coord")
    window.resize(WIDTH, HEIGHT)
    window.show()
    page = window.show_page("reports")
    qtbot.waitUntil(lambda: page.is_ready() and page.kpis is not None, timeout=15000)
    qtbot.wait(50)
    page.charts["steps"].set_values([("Closure order extensions (premises)", 1),
                                     ("Community protection warnings", 13)])
    for name, chart in page.charts.items():
        if not chart.values or not chart.isVisible():
            continue
        metrics = chart.fontMetrics()
        widest = max(metrics.horizontalAdvance(k) for k, _ in chart.values)
        assert chart.label_width() - 8 >= widest, f"{name}: labels are cut"
    wait_ops(qtbot)


def test_the_meeting_screen_and_a_referral_dialogs_fit(signed_in: Any, qtbot: Any,
                                                       app: Any) -> None:
    from datetime import timedelta

    from casework.core import clock
    from casework.panels.meetings import build_agenda, schedule_meetings
    from casework.panels.swip import refer

    session, window = signed_in("swipchair")
    ws = session.ws
    panel = min(ws.actor.panel_ids)
    referrals = [refer(ws, panel, "swip", None, clock.today() - timedelta(days=3 + n),
                       "Outreach", "sexual_health", "given", ["housing"], risk, ["police"],
                       location_concern=True).header
                 for n, risk in enumerate(("standard", "high"))]
    [meeting] = schedule_meetings(ws, panel, clock.today() + timedelta(days=2), 1,
                                  "Partnership Hub", "14:30")
    build_agenda(ws, meeting.id)
    window.resize(WIDTH, HEIGHT)
    page = window.show_page("panels")
    qtbot.waitUntil(lambda: page.is_ready() and page.meeting is not None
                    and page.agenda.rowCount() == 2, timeout=15000)
    # the meeting's date as every other date is shown (05 Mar 2026), with its weekday
    day = clock.today() + timedelta(days=2)
    assert f"{day:%a %d %b %Y} at 14:30" in page.meeting_title.text()
    page.agenda.selectRow(0)
    wait_ops(qtbot)
    seen = _sweep(app, qtbot, page, "meeting screen")
    assert {"DetailsDialog", "AttendanceDialog", "AddItemDialog"} <= set(seen), seen
    assert window.width() <= WIDTH
    window.open_case(referrals[0].id, referrals[0].reference)
    cases = window.page("cases")
    qtbot.waitUntil(lambda: referrals[0].id in cases.views
                    and cases.views[referrals[0].id].is_ready(), timeout=15000)
    view = cases.views[referrals[0].id]
    assert window.width() <= WIDTH, "an open referral widened the window"
    assert _sweep(app, qtbot, view, "SWIP referral"), "no referral dialog was opened"
    wait_ops(qtbot)
