"""Chairing a SWIP meeting in the window: schedule with a time and place, build and
order the agenda, pick attendance from the membership, minute two referrals inline, and
print the pack and the minutes (one stamped copy per attendee)."""

from __future__ import annotations

import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from casework.core import clock
from tests.ui.conftest import wait_ops
from ui.common.mnemonics import clashes
from ui.common.qt import Qt

# Depends on what day it is: CI runs it on several (tests/conftest.py).
pytestmark = pytest.mark.dates


def _submit(qtbot: Any, page: Any, fill: Any) -> None:
    dlg = page.dialog
    fill(dlg)
    with qtbot.waitSignal(dlg.accepted, timeout=15000):
        qtbot.mouseClick(dlg.submit_button, Qt.MouseButton.LeftButton)
    wait_ops(qtbot)


def _open(qtbot: Any, page: Any, key: str) -> Any:
    page.dialog = None
    page.buttons[key].click()
    qtbot.waitUntil(lambda: page.dialog is not None and page.dialog.isVisible(),
                    timeout=10000)
    return page.dialog


def test_chairing_a_meeting(signed_in: Any, qtbot: Any, tmp_path: Path) -> None:
    from casework.panels.swip import refer

    session, window = signed_in("swipchair")
    ws = session.ws
    panel = min(ws.actor.panel_ids)
    refs = [refer(ws, panel, "swip", None, clock.today() - timedelta(days=3 + n), "Outreach",
                  "sexual_health", "given", ["housing"], risk, ["police"],
                  location_concern=True).header.reference
            for n, risk in enumerate(("standard", "high"))]
    page = window.show_page("panels")
    wait_ops(qtbot)
    page.schedule_button.click()

    def schedule(dlg: Any) -> None:
        dlg.form.fields["first_on"].setDate(clock.today() + timedelta(days=2))
        dlg.form.fields["starts_at"].setText("14:30")
        dlg.form.fields["location"].setText("Partnership Hub")
    _submit(qtbot, page, schedule)
    qtbot.waitUntil(lambda: page.meeting is not None, timeout=10000)
    assert page.list.count() == 4 and "14:30" in page.meeting_title.text()

    # The agenda: the referrals due, high risk first; the chair moves the second up.
    page.buttons["agenda"].click()
    qtbot.waitUntil(lambda: page.agenda.rowCount() == 2, timeout=10000)
    assert [page.agenda.item(r, 1).text() for r in range(2)] == [refs[1], refs[0]]
    page.agenda.selectRow(1)
    page.buttons["up"].click()
    wait_ops(qtbot)
    qtbot.waitUntil(lambda: page.agenda.item(0, 1).text() == refs[0], timeout=10000)

    # Attendance from the membership: a check list, plus a guest.
    dlg = _open(qtbot, page, "attendance")
    assert clashes(dlg) == {}
    assert dlg.table.rowCount() >= 2
    dlg.set_status(0, "present")
    dlg.set_status(1, "apologies")
    dlg.guest_name.setText("Visiting Nurse")
    dlg.guest_agency.setCurrentIndex(dlg.guest_agency.findData("sexual_health"))
    dlg.add_guest()
    assert dlg.guests.rowCount() == 1
    with qtbot.waitSignal(dlg.accepted, timeout=15000):
        qtbot.mouseClick(dlg.submit_button, Qt.MouseButton.LeftButton)
    wait_ops(qtbot)
    qtbot.waitUntil(lambda: page.attendees.rowCount() == 3, timeout=10000)
    assert sorted(page.attendees.item(r, 3).text() for r in range(3)) == [
        "Apologies", "Present", "Present"]

    # Minute both referrals inline: save moves on to the next one.
    panel_ = page.minute_panel
    for n, (progress, decision) in enumerate((("Engaging with outreach.", "Keep open"),
                                              ("Not seen this period.", "Outreach to try"))):
        page.agenda.selectRow(n)
        assert panel_.title.text() == f"Minute: {page.agenda.item(n, 1).text()}"
        panel_.form.fields["progress"].setPlainText(progress)
        panel_.form.fields["decision"].setText(decision)
        panel_.form.fields["shareable"].setChecked(True)
        if n == 0:
            box = panel_.form.fields["agency"]
            box.setCurrentIndex(box.findData("housing_options"))
            panel_.form.fields["description"].setText("Offer supported housing")
            panel_.form.fields["action_shareable"].setChecked(True)
        qtbot.mouseClick(panel_.save_button, Qt.MouseButton.LeftButton)
        wait_ops(qtbot)
        qtbot.waitUntil(lambda n=n: page.agenda.item(n, 5).text() != "", timeout=10000)
    assert page.agenda.item(0, 6).text() == "Engaging with outreach."
    assert page.actions.rowCount() == 1 and page.actions.item(0, 1).text() == "Housing options"
    assert clashes(window) == {}

    for document, printer in (("pack", page.print_pack), ("minutes", page.print_minutes)):
        out = tmp_path / document
        page.last_export = None
        printer(str(out))
        qtbot.waitUntil(lambda: page.last_export is not None, timeout=30000)
        files = sorted(out.glob("*.pdf"))
        assert len(files) == 2, page.status.text()  # two present: one stamped copy each
        text = subprocess.run(["pdftotext", "-layout", str(files[0]), "-"], check=True,
                              capture_output=True, text=True).stdout
        assert "Attendance" in text and "Apologies" in text
        assert "Visiting Nurse" not in text  # the anonymised copy prints roles and agencies
        if document == "minutes":
            assert "Keep open" in text and "Offer supported housing" in text
    wait_ops(qtbot)


def test_closing_a_referral_asks_what_happens_to_its_actions(signed_in: Any,
                                                             qtbot: Any) -> None:
    from casework.cases.lifecycle import open_items
    from casework.panels.swip import add_action, refer, referral_view
    from ui.cases.dialogs import CloseDialog

    session, _window = signed_in("swipchair")
    ws = session.ws
    panel = min(ws.actor.panel_ids)
    closing, keeping = (refer(ws, panel, "swip", None, clock.today() - timedelta(days=9),
                              "Outreach", "sexual_health", "given", [], "medium", [],
                              location_concern=True).header for _ in range(2))
    action = add_action(ws, closing.id, "police", "", "Welfare check.",
                        clock.today() + timedelta(days=7))
    dlg = CloseDialog(None, ws, closing.id, "swip", open_items(ws, closing.id))
    qtbot.addWidget(dlg)
    dlg.show()
    assert clashes(dlg) == {}
    [name] = dlg.decision_fields.values()
    decide = dlg.form.fields[name]
    decide.setCurrentIndex(decide.findData("reassign"))
    target = dlg.form.fields["reassign_to"]
    assert target.findData(closing.id) == -1  # the closing referral is not offered
    target.setCurrentIndex(target.findData(keeping.id))
    dlg.form.fields["outcome"].setCurrentIndex(1)
    with qtbot.waitSignal(dlg.accepted, timeout=15000):
        qtbot.mouseClick(dlg.submit_button, Qt.MouseButton.LeftButton)
    wait_ops(qtbot)
    assert [a.id for a in referral_view(ws, keeping.id).actions] == [action.id]
