"""Idle lock, the lock button, the clipboard, and role-dependent navigation."""

from __future__ import annotations

from typing import Any

from tests.ui.conftest import wait_ops
from ui.common.qt import QGuiApplication
from ui.common.security import copy_sensitive


def test_idle_lock_hides_data_and_forgets_the_key(signed_in: Any, qtbot: Any) -> None:
    session, window = signed_in("cm", idle_ms=300)
    ws = session.ws
    wait_ops(qtbot)
    with qtbot.waitSignal(session.locked, timeout=5000):
        pass
    assert ws.store.is_locked
    assert session.window is None and session.ws is None
    dlg = session.unlock_dialog
    assert dlg.user.text() == "cm" and dlg.password.text() == ""
    assert "Locked" in dlg.status.text()
    # The lock is in the audit trail, with why it happened.
    from casework.core.context import open_workspace
    from tests.conftest import PASSWORD

    again = open_workspace(ws.store.path, "cm", PASSWORD)
    try:
        with again.uow() as s:
            from sqlalchemy import select

            from db.models import AuditEntry

            locks = s.scalars(select(AuditEntry.detail)
                              .where(AuditEntry.action == "lock")).all()
        assert any("idle" in d for d in locks)
    finally:
        again.lock()


def test_input_postpones_the_idle_lock(signed_in: Any, qtbot: Any) -> None:
    session, window = signed_in("cm", idle_ms=60_000)
    assert session.idle.active
    window.lock_button.click()
    assert session.ws is None
    assert session.unlock_dialog is not None


def test_copied_sensitive_value_is_cleared(qtbot: Any, app: Any) -> None:
    copy_sensitive("RECOVERY-KEY-1234", seconds=1)
    clipboard = QGuiApplication.clipboard()
    assert clipboard.text() == "RECOVERY-KEY-1234"
    qtbot.waitUntil(lambda: clipboard.text() == "", timeout=3000)


def test_roles_decide_the_screens(signed_in: Any, qtbot: Any) -> None:
    _s, admin = signed_in("admin")
    assert admin.nav_keys() == ["admin"]
    assert admin.search is None
    _s, coord = signed_in("coord")
    assert coord.nav_keys() == ["reports"]
    _s, chair = signed_in("swipchair")
    assert "panels" in chair.nav_keys() and "reports" in chair.nav_keys()
    wait_ops(qtbot)
