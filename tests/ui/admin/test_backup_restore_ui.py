"""Administration → Backup and restore: back up now, the reminder, and a restore with its
confirmation that replaces the database and asks to sign in again."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from casework.core import clock, users
from casework.core.context import open_workspace
from db.models import Team
from tests.conftest import PASSWORD
from tests.ui.conftest import wait_ops
from ui.common.qt import Qt


def test_a_restore_through_the_window(signed_in: Any, qtbot: Any, db: Any,
                                      tmp_path: Path) -> None:
    session, window = signed_in("admin")
    page = window.show_page("admin")
    wait_ops(qtbot)
    tab = page.backups
    page.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: tab.loaded, timeout=10000)
    # no backup yet: the administrator is reminded
    assert "No backup of this database has been made yet" in tab.reminder.text()
    assert "No backup" in page.status.text()
    backup = tmp_path / "nightly.db"
    tab.backup_to(backup)
    wait_ops(qtbot)
    qtbot.waitUntil(lambda: "Backup written" in tab.result.text(), timeout=10000)
    wait_ops(qtbot)
    assert backup.is_file() and tab.reminder.text() == ""
    assert "Last backup:" in tab.last.text() and "none" not in tab.last.text()
    users.ensure_team(session.ws, "Team After The Backup", "asb")
    # restore, with the confirmation and the password
    dlg = tab.confirm_restore(backup)
    assert "nightly.db" in dlg.findChildren(type(tab.result))[0].text()
    dlg.password.setText(PASSWORD)
    with qtbot.waitSignal(session.locked, timeout=60000):
        qtbot.mouseClick(dlg.ok, Qt.MouseButton.LeftButton)
    assert tab.last_result is not None
    assert "Restored nightly.db" in " ".join(tab.last_result.lines())
    ws = open_workspace(db.path, "admin", PASSWORD)
    try:
        with ws.uow() as s:
            assert "Team After The Backup" not in set(s.scalars(select(Team.name)))
    finally:
        ws.lock()


def test_a_wrong_password_restores_nothing(signed_in: Any, qtbot: Any, tmp_path: Path) -> None:
    from casework.admin import backups

    session, window = signed_in("admin")
    page = window.show_page("admin")
    wait_ops(qtbot)
    backups.backup(session.ws, tmp_path / "b.db")
    tab = page.backups
    dlg = tab.confirm_restore(tmp_path / "b.db")
    dlg.password.setText("not the password at all")
    qtbot.mouseClick(dlg.ok, Qt.MouseButton.LeftButton)
    wait_ops(qtbot, timeout=60000)
    assert "Nothing was changed" in tab.result.text()
    assert session.ws is not None  # still signed in


def test_the_reminder_follows_the_configured_days(signed_in: Any, qtbot: Any,
                                                  tmp_path: Path) -> None:
    from casework.admin import backups

    session, window = signed_in("admin")
    backups.backup(session.ws, tmp_path / "b.db")
    with clock.frozen(clock.today() + timedelta(days=9)):
        page = window.show_page("admin")
        page.refresh()
        wait_ops(qtbot)
        qtbot.waitUntil(lambda: page.backups.loaded, timeout=10000)
        assert "more than 7 day(s) ago" in page.backups.reminder.text()
