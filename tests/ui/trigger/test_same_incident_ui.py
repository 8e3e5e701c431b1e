"""Same-incident suggestions in the Community Trigger case view: three reports of one
event to three agencies are suggested with why, the officer confirms, and the threshold
counts one incident; a rejected suggestion is not offered again."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from casework.core import clock
from db.models import AuditEntry
from tests.ui.cases.test_workflows import _act, _create, _wizard
from ui.common.qt import Qt

pytestmark = pytest.mark.dates


def _complaint(qtbot: Any, view: Any, day: Any, agency: str, place: str, what: str) -> None:
    def fill(f: Any) -> None:
        f["behaviour_on"].setDate(day)
        f["complained_on"].setDate(day)
        f["agency"].setCurrentIndex(f["agency"].findData(agency))
        assert f["agency"].currentData() == agency
        f["place"].setText(place)
        f["description"].setPlainText(what)
    _act(qtbot, view, "complaint", fill)


def _click(qtbot: Any, view: Any, button: Any) -> None:
    count = view.load_count
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.load_count > count, timeout=15000)


def _proposal(qtbot: Any, view: Any) -> tuple[Any, str]:
    """Open the threshold decision: the proposal it shows and its text; then cancel."""
    from ui.common.qt import QLabel

    view.dialog = None
    view.buttons["threshold"].click()
    qtbot.waitUntil(lambda: view.dialog is not None and view.dialog.isVisible(),
                    timeout=10000)
    dlg = view.dialog
    text = "\n".join(label.text() for label in dlg.findChildren(QLabel))
    dlg.force_reject()
    return dlg.proposal, text


def _actions(ws: Any, case_id: int) -> list[str]:
    with ws.uow() as s:
        return list(s.scalars(select(AuditEntry.action).where(
            AuditEntry.record_type == "case", AuditEntry.record_id == str(case_id))))


def test_three_reports_of_one_event_are_confirmed_and_count_once(signed_in: Any,
                                                                 qtbot: Any) -> None:
    _s, window = signed_in("cm")
    cases, wizard = _wizard(qtbot, window, "trigger", "Ada", "Byron")
    view = _create(qtbot, cases, wizard)
    day = clock.today() - timedelta(days=7)
    _complaint(qtbot, view, day, "council", "Rose Hill Park",
               "Group of youths throwing stones at windows")
    _complaint(qtbot, view, day, "police", "Rose Hill Park",
               "Stones thrown at my windows by youths")
    _complaint(qtbot, view, day, "housing_provider", "rose hill park",
               "Windows broken, youths with stones")
    panel = view.same_incident
    view.tabs.setCurrentWidget(panel)
    assert view.tabs.tabText(view.tabs.currentIndex()) == "Same incident? (1)"
    assert panel.table.rowCount() == 1
    why = panel.table.item(0, 1).text()
    assert why == "same day, same place, similar description"
    assert panel.table.item(0, 0).text().count("\n") == 2  # the three complaints, a line each
    assert panel.table.item(0, 2).text() == "Council, Housing provider, Police"
    assert view.summary.value("Suggested same incidents") == "1"
    assert panel.confirm_button.isEnabled()
    before, text = _proposal(qtbot, view)
    assert before.qualifying == 3 and "not yet confirmed or rejected" in text
    _click(qtbot, view, panel.confirm_button)
    assert "count once" in view.status.text()
    assert panel.table.rowCount() == 0 and not panel.confirm_button.isEnabled()
    keys = {c.incident_key for c in view.view.complaints}
    assert len(keys) == 1 and "" not in keys
    assert view.complaints.rowCount() == 3
    after, text = _proposal(qtbot, view)
    assert after.qualifying == 1 and after.met is False
    assert "Qualifying complaints: 1." in text and "not yet confirmed" not in text
    assert "trigger.same_incident" in _actions(view.ws, view.case_id)


def test_a_rejected_suggestion_is_not_offered_again(signed_in: Any, qtbot: Any) -> None:
    _s, window = signed_in("cm")
    cases, wizard = _wizard(qtbot, window, "trigger", "Alan", "Turing")
    view = _create(qtbot, cases, wizard)
    day = clock.today() - timedelta(days=3)
    _complaint(qtbot, view, day, "council", "Cowley Road", "Loud music from the flat")
    _complaint(qtbot, view, day, "police", "Cowley Road", "Shouting in the street")
    panel = view.same_incident
    assert panel.table.rowCount() == 1
    assert panel.table.item(0, 1).text() == "same day, same place"
    _click(qtbot, view, panel.reject_button)
    assert "separate incidents" in view.status.text()
    assert panel.table.rowCount() == 0
    count = view.load_count
    view.reload()
    qtbot.waitUntil(lambda: view.load_count > count, timeout=15000)
    assert panel.table.rowCount() == 0
    assert _proposal(qtbot, view)[0].qualifying == 2
    assert "trigger.not_same_incident" in _actions(view.ws, view.case_id)


def _pending(qtbot: Any, wizard: Any, day: Any, agency: str, place: str, what: str) -> None:
    wizard.dialog = None
    qtbot.mouseClick(wizard.add_complaint_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.dialog is not None and wizard.dialog.isVisible(),
                    timeout=10000)
    dlg = wizard.dialog
    f = dlg.form.fields
    f["behaviour_on"].setDate(day)
    f["complained_on"].setDate(day)
    f["agency"].setCurrentIndex(f["agency"].findData(agency))
    f["place"].setText(place)
    f["description"].setPlainText(what)
    with qtbot.waitSignal(dlg.accepted, timeout=10000):
        qtbot.mouseClick(dlg.submit_button, Qt.MouseButton.LeftButton)


def test_the_wizard_suggests_as_complaints_are_entered_and_keeps_the_decision(
        signed_in: Any, qtbot: Any) -> None:
    _s, window = signed_in("cm")
    cases, wizard = _wizard(qtbot, window, "trigger", "Mary", "Seacole")
    day = clock.today() - timedelta(days=5)
    _pending(qtbot, wizard, day, "council", "Iffley Road", "Fireworks thrown at the bus stop")
    panel = wizard.same_incident
    assert panel.table.rowCount() == 0
    _pending(qtbot, wizard, day, "police", "Iffley Road", "Fireworks thrown at a bus stop")
    _pending(qtbot, wizard, day, "housing_provider", "Iffley Road",
             "Fireworks at the bus stop")
    assert wizard.complaint_table.rowCount() == 3
    assert panel.table.rowCount() == 1
    assert panel.table.item(0, 1).text() == "same day, same place, similar description"
    qtbot.mouseClick(panel.confirm_button, Qt.MouseButton.LeftButton)
    assert panel.table.rowCount() == 0
    assert len({c.incident_key for c in wizard.pending}) == 1
    # A complaint after the application is refused in the form, nothing is added.
    wizard.dialog = None
    qtbot.mouseClick(wizard.add_complaint_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.dialog is not None and wizard.dialog.isVisible(),
                    timeout=10000)
    late = wizard.dialog
    late.form.fields["behaviour_on"].setDate(clock.today() + timedelta(days=1))
    late.form.fields["complained_on"].setDate(clock.today() + timedelta(days=1))
    qtbot.mouseClick(late.submit_button, Qt.MouseButton.LeftButton)
    assert late.isVisible() and late.form.error_field == "complained_on"
    late.force_reject()
    assert wizard.complaint_table.rowCount() == 3
    view = _create(qtbot, cases, wizard)
    assert view.complaints.rowCount() == 3
    assert view.same_incident.table.rowCount() == 0
    assert len({c.incident_key for c in view.view.complaints}) == 1
    proposal, _text = _proposal(qtbot, view)
    assert proposal.qualifying == 1
    assert "trigger.same_incident" in _actions(view.ws, view.case_id)


def test_after_the_threshold_decision_the_tab_says_why_it_cannot_change_and_f1_helps(
        signed_in: Any, qtbot: Any) -> None:
    from casework.trigger.applications import decide_threshold
    from casework.trigger.same_incident import DECIDED
    from tests.ui.shell.test_conventions import _active
    from ui.common.qt import QTextBrowser

    _s, window = signed_in("cm")
    cases, wizard = _wizard(qtbot, window, "trigger", "Grace", "Hopper")
    view = _create(qtbot, cases, wizard)
    day = clock.today() - timedelta(days=4)
    _complaint(qtbot, view, day, "council", "Cowley Road", "Loud music from the flat")
    _complaint(qtbot, view, day, "police", "Cowley Road", "Loud music from a flat")
    panel = view.same_incident
    view.tabs.setCurrentWidget(panel)
    assert panel.table.rowCount() == 1 and panel.confirm_button.isEnabled()
    assert panel.locked.isHidden()
    # F1 on a Community Trigger case opens its own help, which explains the tab.
    _active(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: getattr(window, "help_dialog", None) is not None, timeout=5000)
    assert window.help_dialog.windowTitle() == "Help: Community Trigger case"
    text = window.help_dialog.findChild(QTextBrowser).toPlainText()
    assert "Same incident?" in text and "Confirm same incident" in text
    assert "Not the same incident" in text and "count once" in text
    window.help_dialog.reject()
    decide_threshold(view.ws, view.case_id, True, "Repeated incidents reported")
    count = view.load_count
    view.reload()
    qtbot.waitUntil(lambda: view.load_count > count, timeout=15000)
    assert panel.table.rowCount() == 1  # still shown, for the record
    assert not panel.confirm_button.isEnabled() and not panel.reject_button.isEnabled()
    assert panel.confirm_button.toolTip() == DECIDED
    assert not panel.locked.isHidden() and panel.locked.text() == DECIDED
