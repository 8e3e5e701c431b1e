"""Every control has an accessible name (or a buddy label), and Tab follows the layout."""

from __future__ import annotations

from typing import Any

import pytest

from tests.ui.cases.test_cases import _new_asb_case
from tests.ui.conftest import wait_ops
from ui.common.accessibility import layout_order, unnamed
from ui.common.qt import QApplication, QDialog, Qt, QWidget


def _check_dialog(qtbot: Any, dlg: QDialog, where: str) -> None:
    if not dlg.isVisible():
        dlg.show()
    qtbot.waitUntil(dlg.isVisible, timeout=5000)
    assert unnamed(dlg) == [], f"{where}: {dlg.windowTitle()}"


def _close(dlg: QDialog) -> None:
    dlg.reject()


@pytest.mark.parametrize("user", ["cm", "swipchair", "coord", "admin"])
def test_every_screen_names_its_controls(signed_in: Any, qtbot: Any, user: str) -> None:
    _s, window = signed_in(user)
    assert unnamed(window) == []
    for key in window.nav_keys():
        page = window.show_page(key)
        ready = getattr(page, "is_ready", None)
        if callable(ready):
            qtbot.waitUntil(ready, timeout=15000)
        assert unnamed(page) == [], key
        for n in range(getattr(page, "tabs", None).count() if hasattr(page, "tabs") else 0):
            page.tabs.setCurrentIndex(n)
            assert unnamed(page) == [], f"{key} tab {n}"
    wait_ops(qtbot)


def test_every_case_dialog_and_wizard_names_its_controls(signed_in: Any,
                                                         qtbot: Any) -> None:
    _s, window = signed_in("cm")
    view = _new_asb_case(qtbot, window)
    assert unnamed(view) == []
    for key, button in view.buttons.items():
        # summary and bundle open the system file chooser, not a dialog of ours
        if not button.isEnabled() or key in ("open_document", "summary", "bundle"):
            continue
        view.dialog = None
        button.click()
        qtbot.waitUntil(lambda: view.dialog is not None, timeout=10000)
        _check_dialog(qtbot, view.dialog, key)
        _close(view.dialog)
    cases = window.page("cases")
    for case_type in ("asb", "trigger", "sanctuary"):
        wizard = cases.new_case(case_type)
        _check_dialog(qtbot, wizard, case_type)
        wizard.reject()
    page = window.show_page("people")
    record = view.people.records[0]
    window.open_person(record.person_id)
    qtbot.waitUntil(lambda: page.person is not None, timeout=10000)
    assert unnamed(page) == []
    for key in ("edit", "merge"):
        page.person_buttons[key].click()
        _check_dialog(qtbot, page.dialog, key)
        _close(page.dialog)
    wait_ops(qtbot)


def test_admin_and_unlock_dialogs_name_their_controls(signed_in: Any, qtbot: Any) -> None:
    from ui.admin import dialogs as dlg
    from ui.shell.newdb import NewDatabaseDialog, RecoveryDialog
    from ui.shell.unlock import UnlockDialog

    _s, window = signed_in("admin")
    page = window.show_page("admin")
    qtbot.waitUntil(page.is_ready, timeout=15000)
    for d in (dlg.AddUserDialog(page, page.ws), dlg.ResetPasswordDialog(page, page.ws, "cm"),
              dlg.TeamDialog(page, page.ws, True),
              dlg.SettingDialog(page, page.ws, "ui.idle_lock_minutes", "int", 10, "Idle"),
              UnlockDialog(None), RecoveryDialog(None, "", ""), NewDatabaseDialog(None)):
        _check_dialog(qtbot, d, type(d).__name__)
        _close(d)
    wait_ops(qtbot)


def _tab_walk(qtbot: Any, dlg: QWidget, first: QWidget, count: int) -> list[QWidget]:
    """Press Tab from ``first`` until ``count`` widgets have had focus; the widgets in the
    order they got it. (A date field takes Tab through its day, month and year first,
    as Qt date fields do, so repeats in a row count once.)"""
    dlg.activateWindow()
    first.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is first, timeout=5000)
    seen = [first]
    for _ in range(count * 4):
        if len(seen) >= count:
            break
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        now = QApplication.focusWidget()
        if now is not seen[-1]:
            seen.append(now)
    return seen


def test_tab_follows_the_layout_in_the_unlock_dialog(qtbot: Any, app: Any) -> None:
    from ui.shell.unlock import UnlockDialog

    dlg = UnlockDialog(None, db_path="/tmp/x.db", username="cm")
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    quit_button = next(b for b in dlg.findChildren(type(dlg.unlock_button))
                       if b.text() == "&Quit")
    buttons = sorted([dlg.unlock_button, dlg.recovery_button, dlg.new_button, quit_button],
                     key=lambda b: b.mapTo(dlg, b.rect().topLeft()).x())
    browse = next(b for b in dlg.findChildren(type(dlg.unlock_button))
                  if b.text() == "&Browse…")
    # The choice of file or team server is the first row; of its two radio buttons Tab
    # stops at the chosen one (the arrow keys move between them). The server's rows are
    # hidden and Tab never reaches them.
    expected = [dlg.file_mode, dlg.path, browse, dlg.user, dlg.password, *buttons]
    assert layout_order(dlg) == expected
    assert _tab_walk(qtbot, dlg, dlg.file_mode, len(expected) + 1) == [*expected,
                                                                       dlg.file_mode]
    dlg.reject()


def test_tab_follows_the_layout_in_the_unlock_dialog_for_a_team_server(
        qtbot: Any, app: Any, tmp_path: Any, monkeypatch: Any) -> None:
    from casework.server import profiles
    from ui.shell.unlock import UnlockDialog

    monkeypatch.setenv("CASEWORK_SERVERS_FILE", str(tmp_path / "servers.json"))
    profiles.save(profiles.Profile("council", "cw.council.example", "casework",
                                   user="officer1"))
    dlg = UnlockDialog(None, db_path="/tmp/x.db", username="cm")
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    # After the dialog was first shown, as a user clicks: the rows change places.
    qtbot.mouseClick(dlg.server_mode, Qt.MouseButton.LeftButton)
    quit_button = next(b for b in dlg.findChildren(type(dlg.unlock_button))
                       if b.text() == "&Quit")
    buttons = sorted([dlg.unlock_button, quit_button],
                     key=lambda b: b.mapTo(dlg, b.rect().topLeft()).x())
    expected = [dlg.server_mode, dlg.profile, dlg.profile_button, dlg.user, dlg.password,
                *buttons]
    assert layout_order(dlg) == expected
    assert _tab_walk(qtbot, dlg, dlg.server_mode, len(expected) + 1) == [*expected,
                                                                         dlg.server_mode]
    assert not dlg.path.isVisible() and not dlg.recovery_button.isVisible()
    qtbot.mouseClick(dlg.file_mode, Qt.MouseButton.LeftButton)  # and back again
    browse = next(b for b in dlg.findChildren(type(dlg.unlock_button))
                  if b.text() == "&Browse…")
    buttons = sorted([dlg.unlock_button, dlg.recovery_button, dlg.new_button, quit_button],
                     key=lambda b: b.mapTo(dlg, b.rect().topLeft()).x())
    expected = [dlg.file_mode, dlg.path, browse, dlg.user, dlg.password, *buttons]
    assert layout_order(dlg) == expected
    assert _tab_walk(qtbot, dlg, dlg.file_mode, len(expected)) == expected
    dlg.reject()


def test_tab_follows_the_layout_in_the_escalate_dialog(signed_in: Any, qtbot: Any) -> None:
    _s, window = signed_in("cm")
    view = _new_asb_case(qtbot, window)
    view.buttons["escalate"].click()
    qtbot.waitUntil(lambda: view.dialog is not None and view.dialog.isVisible(),
                    timeout=10000)
    dlg = view.dialog
    f = dlg.form.fields
    # every field shown, in the order the form lays them out (a letter's own fields are
    # shown only for the step whose letter needs them)
    fields = [w for w in f.values() if not w.isHidden()]
    assert f["action"] in fields and not any(
        f[n] in fields for n in ("requirements", "hearing_date", "contract_terms"))
    buttons = sorted(dlg.buttons.buttons(), key=lambda b: b.mapTo(dlg, b.rect().topLeft()).x())
    expected = [*fields, *buttons]
    assert layout_order(dlg) == expected
    walked = _tab_walk(qtbot, dlg, fields[0], len(expected))
    assert [w.objectName() or w.text() for w in walked] == [
        w.objectName() or w.text() for w in expected]
    dlg.reject()
    wait_ops(qtbot)
