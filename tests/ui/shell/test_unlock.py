"""The unlock dialog: a right password opens the app; a wrong one says so and waits."""

from __future__ import annotations

from typing import Any

from tests.conftest import PASSWORD
from tests.ui.conftest import wait_ops
from ui.common.qt import Qt
from ui.shell.unlock import UnlockDialog, local_delay


def test_unlock_opens_the_main_window(db: Any, qtbot: Any, app: Any) -> None:
    from ui.shell.session import Session

    session = Session(str(db.path), "cm", idle_ms=0)
    dlg = session.start()
    qtbot.addWidget(dlg)
    assert dlg.user.text() == "cm"
    qtbot.keyClicks(dlg.password, PASSWORD)
    with qtbot.waitSignal(session.opened, timeout=20000):
        qtbot.mouseClick(dlg.unlock_button, Qt.MouseButton.LeftButton)
    window = session.window
    qtbot.addWidget(window)
    assert window.nav_keys() == ["mywork", "cases", "people", "reports"]
    session.ws.lock()
    wait_ops(qtbot)


def test_wrong_password_keeps_input_and_names_the_field(db: Any, qtbot: Any,
                                                        app: Any) -> None:
    dlg = UnlockDialog(None, db_path=str(db.path), username="cm")
    qtbot.addWidget(dlg)
    qtbot.keyClicks(dlg.password, "not the password")
    dlg.try_unlock()
    qtbot.waitUntil(lambda: not dlg.form.error.isHidden(), timeout=20000)
    assert "Wrong user name or password" in dlg.form.error.text()
    assert dlg.form.error_field == "password"
    assert dlg.user.text() == "cm"
    assert dlg.password.text() == "not the password"


def test_repeated_failures_make_the_user_wait(db: Any, qtbot: Any, app: Any) -> None:
    dlg = UnlockDialog(None, db_path=str(db.path), username="cm")
    qtbot.addWidget(dlg)
    dlg.password.setText("wrong")
    for n in range(1, 4):
        qtbot.waitUntil(lambda: dlg.unlock_button.isEnabled(), timeout=10000)
        dlg.try_unlock()
        qtbot.waitUntil(lambda n=n: dlg.failures == n, timeout=20000)
    assert not dlg.unlock_button.isEnabled()
    assert "try again in" in dlg.status.text()
    assert local_delay(1) == 0 and local_delay(5) > local_delay(4)


def test_empty_fields_are_named(qtbot: Any, app: Any) -> None:
    dlg = UnlockDialog(None, db_path="", username="")
    qtbot.addWidget(dlg)
    dlg.try_unlock()
    assert dlg.form.error_field == "path"


def test_demo_database_is_made_once(tmp_path: Any, capsys: Any) -> None:
    from ui.shell.demo import ensure_demo

    path = tmp_path / "demo.db"
    demo = ensure_demo(path, cases=30)
    assert demo is not None and path.exists() and demo.username == "asb1"
    assert "demo-only-synthetic-data" in capsys.readouterr().out
    assert ensure_demo(path, cases=30) == demo
