"""Cases: the list pages, a new ASB case with a new person, escalation with its letter."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from casework.core import clock
from tests.ui.conftest import wait_ops
from ui.common.qt import QDialog, Qt


def _new_asb_case(qtbot: Any, window: Any, given: str = "Ada", family: str = "Lovelace"
                  ) -> Any:
    cases = window.show_page("cases")
    wizard = cases.new_case("asb")
    qtbot.keyClicks(wizard.person.fields["given_name"], given)
    qtbot.keyClicks(wizard.person.fields["family_name"], family)
    qtbot.keyClicks(wizard.person.fields["postcode"], "OX1 1AA")
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.step != 0, timeout=10000)
    if wizard.step == 1:  # possible matches: create a new person anyway
        wizard.matches_list.setCurrentRow(wizard.matches_list.count() - 1)
        wizard.next()
    assert wizard.step == 2
    wizard.case.fields["summary"].setPlainText("Loud music at night")
    with qtbot.waitSignal(wizard.created, timeout=15000) as blocker:
        qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    case_id, reference = blocker.args
    assert reference.startswith("ASB-")
    view = cases.views[case_id]
    qtbot.waitUntil(view.is_ready, timeout=15000)
    return view


def test_case_list_pages_and_filters(signed_in: Any, qtbot: Any) -> None:
    _session, window = signed_in("cm")
    _new_asb_case(qtbot, window)
    cases = window.page("cases")
    lst = cases.list_view
    qtbot.waitUntil(lst.is_ready, timeout=10000)
    qtbot.waitUntil(lambda: lst.model.rowCount() >= 1, timeout=10000)
    # The first page is shown before the total is counted (in the background).
    qtbot.waitUntil(lambda: lst.model.total == 1, timeout=10000)
    lst.f_type.setCurrentIndex(lst.f_type.findData("trigger"))
    qtbot.waitUntil(lambda: lst.model.total == 0, timeout=10000)
    lst.clear_filters()
    qtbot.waitUntil(lambda: lst.model.total == 1, timeout=10000)
    assert lst.count.text() == "1 case"  # no "(100 loaded)", and singular


def test_new_asb_case_with_new_person_shows_duplicates(signed_in: Any, qtbot: Any) -> None:
    _session, window = signed_in("cm")
    view = _new_asb_case(qtbot, window)
    assert view.people.rowCount() == 1
    assert view.people.item(0, 0).text() == "Ada Lovelace"
    # A second case for a similar name offers the existing person first.
    cases = window.page("cases")
    wizard = cases.new_case("asb")
    qtbot.keyClicks(wizard.person.fields["given_name"], "Ada")
    qtbot.keyClicks(wizard.person.fields["family_name"], "Lovelace")
    qtbot.keyClicks(wizard.person.fields["postcode"], "OX1 1AA")
    wizard.next()
    qtbot.waitUntil(lambda: wizard.step == 1, timeout=10000)
    assert "Ada Lovelace" in wizard.matches_list.item(0).text()
    wizard.next()
    with qtbot.waitSignal(wizard.created, timeout=15000):
        wizard.next()
    wait_ops(qtbot)


def test_escalate_to_stage_two_keeps_the_letter(signed_in: Any, qtbot: Any) -> None:
    _session, window = signed_in("cm")
    view = _new_asb_case(qtbot, window)
    for action in ("first_warning_letter", "second_warning_letter"):
        view.buttons["escalate"].click()
        qtbot.waitUntil(lambda: view.dialog is not None and view.dialog.isVisible(),
                        timeout=10000)
        dlg = view.dialog
        box = dlg.form.fields["action"]
        box.setCurrentIndex(box.findData(action))
        count = view.load_count
        with qtbot.waitSignal(dlg.accepted, timeout=15000):
            qtbot.mouseClick(dlg.submit_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda c=count: view.load_count > c, timeout=15000)
        view.dialog = None
    assert view.view.stage == 2
    assert view.summary.value("Stage") == "Stage 2"
    titles = [view.documents.item(r, 1).text() for r in range(view.documents.rowCount())]
    assert any("warning" in t.lower() for t in titles), titles
    assert view.steps.rowCount() == 2


def test_validation_error_marks_the_field_and_keeps_input(signed_in: Any,
                                                          qtbot: Any) -> None:
    _session, window = signed_in("cm")
    view = _new_asb_case(qtbot, window)
    view.buttons["incident"].click()
    dlg = view.dialog
    dlg.form.fields["occurred_on"].setDate(clock.today() + timedelta(days=3))
    dlg.form.fields["description"].setPlainText("Shouting in the street")
    qtbot.mouseClick(dlg.submit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dlg.form.error.isHidden(), timeout=10000)
    assert dlg.result() != QDialog.DialogCode.Accepted
    assert dlg.form.error_field in ("occurred_on", "reported_on")
    assert dlg.form.fields["description"].toPlainText() == "Shouting in the street"
    dlg.reject()
