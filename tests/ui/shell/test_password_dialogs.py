"""The desktop's new-database, recovery and change-password dialogs apply the password
rules, show the reason on the field and lose nothing typed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from casework.core.context import open_workspace
from tests.conftest import PASSWORD
from tests.ui.conftest import wait_ops
from ui.common.qt import QDialog
from ui.shell.newdb import ChangePasswordDialog, NewDatabaseDialog, RecoveryDialog

GOOD = "plum orbit lantern velvet"


def _fill(dlg: Any, **values: str) -> None:
    for name, value in values.items():
        dlg.form.fields[name].setText(value)


def test_new_database_dialog_refuses_short_common_and_nul_passwords(
        tmp_path: Path, qtbot: Any, app: Any) -> None:
    dlg = NewDatabaseDialog(None)
    qtbot.addWidget(dlg)
    target = tmp_path / "new.db"
    for weak, reason in (("short one", "too short"), ("password1234", "common"),
                         ("a long one\x00with nul", "NUL")):
        _fill(dlg, path=str(target), username="boss", display_name="Boss",
              password=weak, confirm=weak)
        dlg.on_submit()
        assert dlg.form.error_field == "password"
        assert reason in dlg.form.error.text()
        assert weak not in dlg.form.error.text()
        # nothing typed is lost
        assert dlg.form.fields["password"].text() == weak
        assert dlg.form.fields["username"].text() == "boss"
        assert dlg.form.fields["path"].text() == str(target)
    assert not target.exists()


def test_new_database_dialog_names_a_mismatch_then_creates(tmp_path: Path, qtbot: Any,
                                                           app: Any, monkeypatch: Any) -> None:
    import ui.shell.newdb as newdb_ui

    monkeypatch.setattr(newdb_ui.RecoveryKeyDialog, "exec", lambda self: 0)
    dlg = NewDatabaseDialog(None)
    qtbot.addWidget(dlg)
    target = tmp_path / "new.db"
    _fill(dlg, path=str(target), username="boss", display_name="Boss", password=GOOD,
          confirm=GOOD + "x")
    dlg.on_submit()
    assert dlg.form.error_field == "confirm"
    _fill(dlg, confirm=GOOD)
    with qtbot.waitSignal(dlg.created, timeout=60000) as got:
        dlg.on_submit()
    ws = got.args[1]
    ws.lock()
    wait_ops(qtbot)
    open_workspace(target, "boss", GOOD).lock()


def test_recovery_dialog_applies_the_rules(db: Any, qtbot: Any, app: Any) -> None:
    dlg = RecoveryDialog(None, str(db.path), "cm")
    qtbot.addWidget(dlg)
    _fill(dlg, recovery="AAAAAA-BBBBBB", password="tiny", confirm="tiny")
    dlg.on_submit()
    assert dlg.form.error_field == "password" and "too short" in dlg.form.error.text()
    assert dlg.form.fields["recovery"].text() == "AAAAAA-BBBBBB"


def test_change_password_dialog_shows_the_reason_then_changes(db: Any, qtbot: Any,
                                                              app: Any) -> None:
    ws = db.ws("cm")
    dlg = ChangePasswordDialog(None, ws)
    qtbot.addWidget(dlg)
    _fill(dlg, current=PASSWORD, password="letmein12345", confirm="letmein12345")
    dlg.on_submit()
    assert dlg.form.error_field == "password"
    assert "guess" in dlg.form.error.text()
    assert dlg.form.fields["current"].text() == PASSWORD
    assert dlg.form.fields["password"].text() == "letmein12345"
    _fill(dlg, password=GOOD, confirm=GOOD)
    dlg.on_submit()
    qtbot.waitUntil(lambda: dlg.result() == QDialog.DialogCode.Accepted, timeout=30000)
    wait_ops(qtbot)
    open_workspace(db.path, "cm", GOOD).lock()


def test_a_new_database_goes_to_the_users_data_folder_by_default(
        tmp_path: Path, qtbot: Any, app: Any, monkeypatch: Any) -> None:
    """On a locked-down laptop the program folder is read-only: unless the user picks a
    place, the database is made in their own data directory, created on demand."""
    import ui.shell.newdb as newdb_ui

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setattr(newdb_ui.RecoveryKeyDialog, "exec", lambda self: 0)
    dlg = NewDatabaseDialog(None)
    qtbot.addWidget(dlg)
    expected = tmp_path / "data" / "casework" / "casework.db"
    assert dlg.form.fields["path"].text() == str(expected)
    _fill(dlg, username="boss", display_name="Boss", password=GOOD, confirm=GOOD)
    with qtbot.waitSignal(dlg.created, timeout=60000) as got:
        dlg.on_submit()
    got.args[1].lock()
    wait_ops(qtbot)
    assert expected.exists() and expected.with_name("casework.db.keys").exists()
