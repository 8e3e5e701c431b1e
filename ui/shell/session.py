"""A signed-in session: unlock, the main window, and the lock that closes every window."""

from __future__ import annotations

import logging
from typing import Any

from casework.core import audit, settings
from ui.common.documents import forget_all
from ui.common.qt import QApplication, QDialog, QObject, Signal
from ui.common.security import IdleWatcher, clear_clipboard_now

log = logging.getLogger(__name__)


class Session(QObject):
    """Unlock -> main window -> (idle or Lock) -> every window closed, key forgotten ->
    unlock again. ``idle_ms`` overrides the idle-lock setting (tests use a tiny one)."""

    locked = Signal()
    opened = Signal(object)

    def __init__(self, db_path: str = "", username: str = "", *,
                 idle_ms: int | None = None) -> None:
        super().__init__()
        self.db_path = db_path
        self.username = username
        self.idle_ms = idle_ms
        self.ws: Any = None
        self.window: Any = None
        self.unlock_dialog: Any = None
        self.locked_once = False
        self.idle = IdleWatcher(0, self)
        self.idle.idle.connect(lambda: self.lock("Locked after a time without use.", "idle"))

    def start(self, message: str = "") -> Any:
        """Show the unlock dialog (non-modal; the event loop keeps running)."""
        from ui.shell.unlock import UnlockDialog

        dlg = UnlockDialog(None, db_path=self.db_path, username=self.username,
                           message=message)
        dlg.unlocked.connect(self.open)
        dlg.rejected.connect(self._unlock_rejected)
        self.unlock_dialog = dlg
        dlg.show()
        dlg.raise_()
        dlg.activateWindow()
        return dlg

    def _unlock_rejected(self) -> None:
        if self.ws is None:
            QApplication.quit()

    def open(self, ws: Any, page: str | None = None) -> Any:
        """Show the main window for a signed-in workspace and arm the idle lock."""
        from ui.shell.mainwindow import MainWindow

        relocked = self.locked_once and self.username == ws.actor.username
        self.ws = ws
        self.username = ws.actor.username
        if relocked:
            audit.record_unlock(ws)
        self.db_path = str(ws.store.path)
        self.unlock_dialog = None
        self.window = MainWindow(ws)
        self.window.lock_requested.connect(lambda: self.lock("Locked."))
        if page:
            self.window.show_page(page)
        self.window.show()
        ms = self.idle_ms
        if ms is None:
            try:
                ms = int(settings.read(ws, settings.IDLE_LOCK_MINUTES)) * 60_000
            except Exception:  # noqa: BLE001 - a safe default rather than no lock
                ms = 10 * 60_000
        self.idle.set_interval(ms)
        self.idle.start()
        self.opened.emit(self.window)
        return self.window

    def lock(self, message: str = "Locked.", why: str = "manual") -> None:
        """Close every window's data and forget the key; then ask to unlock again."""
        if self.ws is None:
            return
        self.idle.stop()
        self.locked_once = True
        try:
            audit.record_lock(self.ws, why)
        except Exception:  # noqa: BLE001 - locking must never fail because of the record
            log.warning("The lock could not be recorded in the audit trail.")
        clear_clipboard_now()
        forget_all()
        for w in QApplication.topLevelWidgets():
            if isinstance(w, QDialog) and w.isVisible():
                w.reject()
        if self.window is not None:
            self.window.close_data()
            self.window.hide()
            self.window.deleteLater()
            self.window = None
        for w in QApplication.topLevelWidgets():
            if w.isVisible() and w is not self.unlock_dialog:
                w.close()
        ws, self.ws = self.ws, None
        ws.lock()
        self.locked.emit()
        self.start(message)
