"""A SWIP meeting: schedule, agenda, attendance, a minute with an action, the pack."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from casework.core import clock
from tests.ui.conftest import wait_ops
from ui.common.qt import Qt

# Depends on what day it is: CI runs it on several (tests/conftest.py).
pytestmark = pytest.mark.dates


def _submit(qtbot: Any, page: Any, fill: Any) -> None:
    dlg = page.dialog
    fill(dlg.form.fields)
    with qtbot.waitSignal(dlg.accepted, timeout=15000):
        qtbot.mouseClick(dlg.submit_button, Qt.MouseButton.LeftButton)
    wait_ops(qtbot)


def test_swip_meeting_with_minute_action_and_pack(signed_in: Any, qtbot: Any,
                                                  tmp_path: Path) -> None:
    from casework.panels.swip import refer

    session, window = signed_in("swipchair")
    ws = session.ws
    panel = min(ws.actor.panel_ids)
    referral = refer(ws, panel, "swip", None, clock.today() - timedelta(days=3), "Outreach",
                     "sexual_health", "given", ["housing"], "high", ["police"],
                     location_concern=True)
    page = window.show_page("panels")
    wait_ops(qtbot)
    page.schedule_button.click()
    _submit(qtbot, page, lambda f: f["first_on"].setDate(clock.today() + timedelta(days=2)))
    qtbot.waitUntil(lambda: page.meeting is not None, timeout=10000)
    assert page.list.count() == 4

    page.buttons["agenda"].click()
    qtbot.waitUntil(lambda: page.agenda.rowCount() == 1, timeout=10000)
    header = getattr(referral, "header", None) or referral.case
    assert page.agenda.item(0, 0).text() == header.reference

    page.buttons["attendance"].click()

    def attend(f: Any) -> None:
        f["attendee"].setText("Chair person")
        f["agency"].setText("Council")
    _submit(qtbot, page, attend)
    qtbot.waitUntil(lambda: page.attendees.rowCount() == 1, timeout=10000)
    assert page.attendees.rowCount() == 1, (page.status.text(), page.meeting)

    page.agenda.selectRow(0)
    page.buttons["minute"].click()

    def minute(f: Any) -> None:
        f["progress"].setPlainText("Engaging with outreach.")
        f["shareable"].setChecked(True)
        f["agency"].setCurrentIndex(f["agency"].findData("housing_options"))
        f["owner"].setText("Housing officer")
        f["description"].setText("Offer supported housing")
    _submit(qtbot, page, minute)
    qtbot.waitUntil(lambda: page.actions.rowCount() == 1, timeout=10000)
    assert page.actions.item(0, 1).text() == "Housing options"
    assert page.agenda.item(0, 4).text() == "Engaging with outreach."

    out = tmp_path / "pack.pdf"
    page.print_pack(str(out), "Chair person")
    qtbot.waitUntil(lambda: page.last_export is not None, timeout=30000)
    assert out.exists() and out.read_bytes().startswith(b"%PDF")
    assert "protocol version" in page.status.text()
