"""Community Trigger, sanctuary and referral workflows, driven through the real widgets."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from casework.core import clock
from ui.common.qt import Qt

# Depends on what day it is: CI runs it on several (tests/conftest.py).
pytestmark = pytest.mark.dates


def _wizard(qtbot: Any, window: Any, case_type: str, given: str, family: str) -> Any:
    cases = window.show_page("cases")
    wizard = cases.new_case(case_type)
    qtbot.keyClicks(wizard.person.fields["given_name"], given)
    qtbot.keyClicks(wizard.person.fields["family_name"], family)
    wizard.next()
    qtbot.waitUntil(lambda: wizard.step != 0, timeout=10000)
    if wizard.step == 1:
        wizard.matches_list.setCurrentRow(wizard.matches_list.count() - 1)
        wizard.next()
    return cases, wizard


def _create(qtbot: Any, cases: Any, wizard: Any) -> Any:
    with qtbot.waitSignal(wizard.created, timeout=15000) as blocker:
        qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: blocker.signal_triggered or not wizard.case.error.isHidden(),
                        timeout=15000)
        assert wizard.case.error.isHidden(), wizard.case.error.text()
    view = cases.views[blocker.args[0]]
    qtbot.waitUntil(view.is_ready, timeout=15000)
    return view


def _act(qtbot: Any, view: Any, key: str, fill: Any) -> None:
    """Click an action button, fill its dialog, submit, wait for the case to reload."""
    view.dialog = None
    view.buttons[key].click()
    qtbot.waitUntil(lambda: view.dialog is not None, timeout=10000)
    dlg = view.dialog
    fill(dlg.form.fields)
    count = view.load_count
    with qtbot.waitSignal(dlg.accepted, timeout=15000):
        qtbot.mouseClick(dlg.submit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.load_count > count, timeout=15000)


def test_trigger_with_three_complaints_and_confirmed_threshold(signed_in: Any,
                                                               qtbot: Any) -> None:
    _s, window = signed_in("cm")
    cases, wizard = _wizard(qtbot, window, "trigger", "Grace", "Hopper")
    view = _create(qtbot, cases, wizard)
    assert view.header.reference.startswith("CT-")
    for n in range(3):
        day = clock.today() - timedelta(days=10 * (n + 1))

        def fill(f: Any, day: Any = day, n: int = n) -> None:
            f["behaviour_on"].setDate(day)
            f["complained_on"].setDate(day)
            f["incident_key"].setText(f"incident-{n}")
        _act(qtbot, view, "complaint", fill)
    assert view.complaints.rowCount() == 3

    def decide(f: Any) -> None:
        assert f["met"].currentData() is True  # the proposal: met
        f["reasons"].setPlainText("Three qualifying complaints in six months.")
    _act(qtbot, view, "threshold", decide)
    assert view.view.threshold_met is True
    assert view.summary.value("Threshold decision") == "Met"
    assert view.buttons["review"].isEnabled()


def test_sanctuary_work_line(signed_in: Any, qtbot: Any) -> None:
    _s, window = signed_in("sanct")
    cases, wizard = _wizard(qtbot, window, "sanctuary", "Mary", "Somerville")
    view = _create(qtbot, cases, wizard)

    def fill(f: Any) -> None:
        f["kind"].setCurrentIndex(f["kind"].findData("door_lock"))
        f["description"].setText("Front and back doors")
        f["cost_pence"].setValue(120.50)
    _act(qtbot, view, "work_line", fill)
    assert view.work.rowCount() == 1
    assert view.work.item(0, 2).text() == "£120.50"
    assert view.summary.value("Total cost") == "£120.50"


def test_swip_referral_action(signed_in: Any, qtbot: Any) -> None:
    _s, window = signed_in("swip")
    cases, wizard = _wizard(qtbot, window, "swip", "Ann", "Example")
    wizard.case.fields["referrer_name"].setText("Outreach worker")
    agency = wizard.case.fields["referrer_agency"]
    agency.setCurrentIndex(agency.findData("sexual_health"))
    view = _create(qtbot, cases, wizard)

    def fill(f: Any) -> None:
        f["agency"].setCurrentIndex(f["agency"].findData("housing_options"))
        f["owner"].setText("Housing officer")
        f["description"].setPlainText("Assess for supported housing")
    _act(qtbot, view, "action", fill)
    assert view.actions.rowCount() == 1
