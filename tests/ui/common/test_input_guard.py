"""Typed input is never lost: Enter retries after an error, closing with changes asks,
and the lock keeps what was open for the same user."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from casework.core import clock
from tests.conftest import PASSWORD
from tests.ui.cases.test_cases import _new_asb_case
from tests.ui.conftest import wait_ops
from ui.common import guard
from ui.common.qt import QApplication, QDate, QDialog, Qt


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """What the "Discard changes?" question answers (one per question, in order)."""
    given: list[bool] = []

    def fake(_parent: Any) -> bool:
        return given.pop(0) if given else False

    monkeypatch.setattr(guard, "confirm_discard", fake)
    return given


def test_enter_after_a_validation_error_retries_the_action(signed_in: Any,
                                                           qtbot: Any) -> None:
    _s, window = signed_in("cm")
    view = _new_asb_case(qtbot, window)
    view.buttons["incident"].click()
    dlg = view.dialog
    qtbot.waitUntil(dlg.isVisible, timeout=5000)
    today = clock.today()
    dlg.form.fields["occurred_on"].setDate(QDate(today))
    dlg.form.fields["reported_on"].setDate(QDate(today - timedelta(days=3)))
    qtbot.keyClicks(dlg.form.fields["location"], "Bus station")
    rejected: list[int] = []
    dlg.rejected.connect(lambda: rejected.append(1))
    qtbot.mouseClick(dlg.submit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dlg.form.error.isHidden(), timeout=10000)
    assert dlg.form.error_field == "reported_on"
    assert dlg.submit_button.isDefault()
    cancel = dlg.buttons.button(dlg.buttons.StandardButton.Cancel)
    assert not cancel.isDefault()
    # The user corrects the date and presses Enter: the incident is added.
    dlg.form.fields["reported_on"].setDate(QDate(today))
    with qtbot.waitSignal(dlg.accepted, timeout=15000):
        qtbot.keyClick(QApplication.focusWidget() or dlg, Qt.Key.Key_Return)
    assert rejected == []
    assert dlg.form.fields["location"].text() == "Bus station"
    wait_ops(qtbot)


def test_esc_on_a_half_filled_wizard_asks_first(signed_in: Any, qtbot: Any,
                                                answers: list[bool]) -> None:
    _s, window = signed_in("cm")
    cases = window.show_page("cases")
    wizard = cases.new_case("asb")
    qtbot.waitUntil(wizard.isVisible, timeout=5000)
    qtbot.keyClicks(wizard.person.fields["family_name"], "Hopper")
    answers.append(False)  # "Cancel": keep typing
    qtbot.keyClick(wizard, Qt.Key.Key_Escape)
    assert wizard.asked_discard == 1
    assert wizard.isVisible()
    assert wizard.person.fields["family_name"].text() == "Hopper"
    answers.append(True)  # "Discard"
    wizard.cancel_button.click()
    assert wizard.asked_discard == 2
    assert not wizard.isVisible()
    # An untouched wizard closes without a question.
    other = cases.new_case("asb")
    qtbot.waitUntil(other.isVisible, timeout=5000)
    qtbot.keyClick(other, Qt.Key.Key_Escape)
    assert other.asked_discard == 0 and not other.isVisible()
    wait_ops(qtbot)


def test_closing_a_changed_form_dialog_asks(signed_in: Any, qtbot: Any,
                                            answers: list[bool]) -> None:
    _s, window = signed_in("cm")
    view = _new_asb_case(qtbot, window)
    view.buttons["note"].click()
    dlg = view.dialog
    qtbot.waitUntil(dlg.isVisible, timeout=5000)
    qtbot.keyClicks(dlg.form.fields["body"], "Spoke to the landlord")
    answers.append(False)
    dlg.close()  # what the title bar's close button does
    assert dlg.isVisible() and dlg.asked_discard == 1
    answers.append(False)
    dlg.buttons.button(dlg.buttons.StandardButton.Cancel).click()
    assert dlg.isVisible() and dlg.asked_discard == 2
    answers.append(True)
    qtbot.keyClick(dlg, Qt.Key.Key_Escape)
    assert not dlg.isVisible() and dlg.asked_discard == 3


def _unlock(session: Any, db: Any, user: str) -> Any:
    from casework.core.context import open_workspace

    return session.open(open_workspace(db.path, user, PASSWORD))


def test_lock_keeps_dialogs_and_case_tabs_for_the_same_user(signed_in: Any, qtbot: Any,
                                                            db: Any) -> None:
    session, window = signed_in("cm")
    view = _new_asb_case(qtbot, window)
    view.buttons["note"].click()
    dlg = view.dialog
    qtbot.waitUntil(dlg.isVisible, timeout=5000)
    qtbot.keyClicks(dlg.form.fields["body"], "Half a note")
    old_store = session.ws.store
    session.lock("Locked.", "idle")
    assert old_store.is_locked
    assert not window.isVisible() and not dlg.isVisible()
    assert "kept for cm" in session.unlock_dialog.status.text()
    session.unlock_dialog.hide()
    again = _unlock(session, db, "cm")
    assert again is window and window.isVisible()
    assert dlg.isVisible() and dlg.form.fields["body"].toPlainText() == "Half a note"
    assert view.case_id in window.page("cases").views
    # the screens' workspace works again (it took over the new store)
    assert not view.ws.store.is_locked
    view.reload()
    wait_ops(qtbot)
    dlg.force_reject()


def test_lock_closes_what_was_open_for_anyone_else(signed_in: Any, qtbot: Any,
                                                   db: Any) -> None:
    session, window = signed_in("cm")
    view = _new_asb_case(qtbot, window)
    view.buttons["note"].click()
    dlg = view.dialog
    qtbot.waitUntil(dlg.isVisible, timeout=5000)
    qtbot.keyClicks(dlg.form.fields["body"], "Private")
    session.lock("Locked.", "manual")
    session.unlock_dialog.hide()
    other = _unlock(session, db, "cm2")
    assert other is not window
    assert "1 open dialog and 1 open case tab" in other.statusBar().currentMessage()
    assert dlg.result() == QDialog.DialogCode.Rejected
    assert "cases" not in other.pages or not other.pages["cases"].views
    wait_ops(qtbot)
