"""The unlock dialog's team-server route: saved profiles are listed, a new profile keeps
no password, the dialog has no Alt clashes and fits the screen, and failed connections
name their cause."""

from __future__ import annotations

import json
from typing import Any

import pytest

from casework.server import profiles
from ui.common.mnemonics import clashes
from ui.common.qt import QApplication, QDialog, Qt, QTimer
from ui.shell.unlock import UnlockDialog


@pytest.fixture
def servers_file(tmp_path: Any, monkeypatch: Any) -> Any:
    path = tmp_path / "servers.json"
    monkeypatch.setenv("CASEWORK_SERVERS_FILE", str(path))
    return path


def test_dialog_lists_profiles_and_switches_mode(servers_file: Any, qtbot: Any,
                                                 app: Any) -> None:
    profiles.save(profiles.Profile("partnership", "cw.council.example", "casework",
                                   user="officer1", sslmode="verify-full"))
    profiles.save(profiles.Profile("training", "127.0.0.1", "cwtrain", sslmode="disable"))
    dlg = UnlockDialog(None, db_path="", username="")
    qtbot.addWidget(dlg)
    dlg.show()
    assert dlg.file_mode.isChecked() and dlg.path.isVisible()
    assert not dlg.profile.isVisible()
    assert clashes(dlg) == {}
    dlg.raise_()
    dlg.activateWindow()  # Alt+letter reaches only the active window
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dlg, timeout=5000)
    qtbot.keyClick(dlg, Qt.Key.Key_T, Qt.KeyboardModifier.AltModifier)  # Alt+T: Team server
    qtbot.waitUntil(dlg.server_mode.isChecked, timeout=5000)  # a mnemonic animates a click
    assert dlg.profile.isVisible() and not dlg.path.isVisible()
    assert not dlg.recovery_button.isVisible()
    names = [dlg.profile.itemData(i) for i in range(dlg.profile.count())]
    assert names == ["partnership", "training"]
    assert "cw.council.example:5432/casework" in dlg.profile.itemText(0)
    assert dlg.user.text() == "officer1"  # the profile's user is offered
    assert clashes(dlg) == {}
    size = dlg.sizeHint()
    assert size.width() <= 1366 and size.height() <= 768


def test_new_profile_stores_no_password(servers_file: Any, qtbot: Any, app: Any) -> None:
    dlg = UnlockDialog(None, db_path="", username="", server="x")
    qtbot.addWidget(dlg)
    dlg.show()
    assert dlg.server_mode.isChecked()
    assert "No profiles yet" in dlg.profile.itemText(0)
    dlg.password.setText("typed before the profile 42")
    seen: dict[str, Any] = {}

    def fill() -> None:
        new = dlg.new_profile_dialog
        seen["clashes"] = clashes(new)
        new.submit_button.click()  # nothing typed yet: the name is asked for
        seen["first_error"] = new.form.error_field
        qtbot.keyClicks(new.name, "council")
        qtbot.keyClicks(new.host, "cw.council.example")
        qtbot.keyClicks(new.database, "casework")
        qtbot.keyClicks(new.user, "officer1")
        new.sslmode.setCurrentIndex(new.sslmode.findData("verify-full"))
        qtbot.keyClicks(new.sslrootcert, "/etc/casework/ca.pem")
        new.submit_button.click()

    QTimer.singleShot(0, fill)
    dlg.profile_button.click()  # the profile dialog runs modally until it is saved
    assert dlg.new_profile_dialog.result() == QDialog.DialogCode.Accepted
    assert seen == {"clashes": {}, "first_error": "name"}
    saved = servers_file.read_text(encoding="utf-8")
    assert "password" not in saved.lower() and "typed before the profile 42" not in saved
    assert json.loads(saved)["council"] == {
        "name": "council", "host": "cw.council.example", "database": "casework",
        "user": "officer1", "port": 5432, "sslmode": "verify-full",
        "sslrootcert": "/etc/casework/ca.pem", "sslcert": "", "sslkey": ""}
    assert dlg.server_profile == "council" and dlg.user.text() == "officer1"
    assert dlg.password.text() == "typed before the profile 42"  # nothing typed is lost


def test_unreachable_server_is_named_and_input_kept(servers_file: Any, qtbot: Any,
                                                    app: Any) -> None:
    profiles.save(profiles.Profile("nowhere", "127.0.0.1", "casework", port=1,
                                   sslmode="disable"))
    dlg = UnlockDialog(None, username="officer1", server="nowhere")
    qtbot.addWidget(dlg)
    qtbot.keyClicks(dlg.password, "a password")
    dlg.try_unlock()
    qtbot.waitUntil(lambda: not dlg.form.error.isHidden(), timeout=20000)
    assert "did not answer" in dlg.form.error.text()
    assert "a password" not in dlg.form.error.text()
    assert dlg.form.error_field == "profile"
    assert dlg.user.text() == "officer1" and dlg.password.text() == "a password"


def test_connection_failures_name_their_cause() -> None:
    from db.server.connect import (
        ServerNeedsTLS,
        ServerNotAnswering,
        ServerUnreachable,
        ServerWrongPassword,
        sign_in_failure,
    )

    fail = 'connection to server at "10.0.0.5", port 5432 failed: '
    assert sign_in_failure(fail + 'FATAL:  password authentication failed for user "a"') \
        is ServerWrongPassword
    assert sign_in_failure(fail + "server does not support SSL, but SSL was required") \
        is ServerNeedsTLS
    assert sign_in_failure(fail + 'FATAL:  no pg_hba.conf entry for host "10.0.0.9", '
                           'user "a", database "cw", no encryption') is ServerNeedsTLS
    assert sign_in_failure(fail + "Connection refused\n\tIs the server running on that "
                           "host and accepting TCP/IP connections?") is ServerNotAnswering
    assert sign_in_failure("failed to resolve host 'x.invalid'") is ServerNotAnswering
    assert sign_in_failure("something else") is ServerUnreachable
    assert "wrong user name or password" in str(ServerWrongPassword())
