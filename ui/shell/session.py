"""A signed-in session: unlock, the main window, and the lock.

The lock hides every window and forgets the key. What was open (the main window, its
case tabs, half-filled dialogs) is kept hidden: the same user unlocking gets it back as
it was; anyone else signing in is told, and it is closed.
"""

from __future__ import annotations

import logging
from typing import Any

from ui.common.documents import forget_all
from ui.common.qt import QApplication, QDialog, QObject, QTimer, Signal, isValid
from ui.common.security import IdleWatcher, clear_clipboard_now

log = logging.getLogger(__name__)


_PRELOADED = False
PRELOAD_AFTER_MS = 150


def preload() -> None:
    """Import the storage and the main window while the user types the password (the
    unlock dialog is shown before any of it loads: start-up feels quick)."""
    global _PRELOADED
    if _PRELOADED:
        return
    _PRELOADED = True
    import threading

    def work() -> None:
        try:
            import casework.core.audit  # noqa: F401 - loads SQLAlchemy, the store, models
            import casework.core.settings  # noqa: F401

            # The screens (class definitions only: no widget is made by an import), while
            # the password is typed and its key derived.
            import ui.shell.mainwindow  # noqa: F401
        except Exception:  # noqa: BLE001 - the real import later reports any problem
            log.debug("Preloading failed; the modules load when first used.")

    threading.Thread(target=work, name="preload", daemon=True).start()


class Session(QObject):
    """Unlock -> main window -> (idle or Lock) -> every window closed, key forgotten ->
    unlock again. ``idle_ms`` overrides the idle-lock setting (tests use a tiny one)."""

    locked = Signal()
    opened = Signal(object)

    def __init__(self, db_path: str = "", username: str = "", *, server: str = "",
                 idle_ms: int | None = None, remember: bool = True) -> None:
        super().__init__()
        self.remember = remember  # window place, open tabs (off for screenshots)
        self.db_path = db_path
        self.username = username
        self.server = server  # the team-server profile signed in through, if any
        self.idle_ms = idle_ms
        self.ws: Any = None
        self.window: Any = None
        self.unlock_dialog: Any = None
        self.locked_once = False
        self.kept: Kept | None = None
        self.idle = IdleWatcher(0, self)
        self.idle.idle.connect(lambda: self.lock("Locked after a time without use.", "idle"))

    def start(self, message: str = "") -> Any:
        """Show the unlock dialog (non-modal; the event loop keeps running)."""
        from ui.shell.unlock import UnlockDialog

        if self.kept is not None and self.kept.open_items():
            message = (f"{message} " if message else "") + (
                f"{self.kept.open_items()} kept for {self.kept.username}; signing in as "
                "anyone else closes them.")
        dlg = UnlockDialog(None, db_path=self.db_path, username=self.username,
                           message=message, server=self.server)
        dlg.unlocked.connect(lambda _ws: self._note_server(dlg))
        dlg.unlocked.connect(self.open)
        dlg.rejected.connect(self._unlock_rejected)
        self.unlock_dialog = dlg
        dlg.show()
        dlg.raise_()
        dlg.activateWindow()
        # After the dialog's first paint: importing in parallel would slow the paint down.
        QTimer.singleShot(PRELOAD_AFTER_MS, preload)
        return dlg

    def _note_server(self, dlg: Any) -> None:
        self.server = dlg.server_profile

    def _unlock_rejected(self) -> None:
        if self.ws is None:
            QApplication.quit()

    def open(self, ws: Any, page: str | None = None) -> Any:
        """Show the main window for a signed-in workspace and arm the idle lock."""
        from casework.core import audit
        from ui.shell.mainwindow import MainWindow

        relocked = self.locked_once and self.username == ws.actor.username
        kept, self.kept = self.kept, None
        if kept is not None:
            if kept.belongs_to(ws):
                return self._restore(kept, ws)
            told = kept.open_items()
            kept.discard()
            window = self.open(ws, page)
            if told:
                window.statusBar().showMessage(
                    f"The previous user's {told} were closed when you signed in.", 30_000)
                window.closed_notice = told
            return window
        self.ws = ws
        self.username = ws.actor.username
        if relocked:
            audit.record_unlock(ws)
        if not _on_server(ws):  # a server's path is local state, not a file to offer
            self.db_path = str(ws.store.path)
        self.unlock_dialog = None
        self.window = MainWindow(ws, remember=self.remember)
        self.window.lock_requested.connect(lambda: self.lock("Locked."))
        if self.remember:
            from ui.common import remember

            if _on_server(ws):
                remember.remember_server_sign_in(self.server, self.username)
            else:
                remember.remember_sign_in(self.db_path, self.username)
            self.window.restore_state()
        if page:
            self.window.show_page(page)
        self.window.show()
        self._arm_idle(ws)
        self.opened.emit(self.window)
        return self.window

    def _arm_idle(self, ws: Any) -> None:
        from casework.core import settings

        ms = self.idle_ms
        if ms is None:
            try:
                ms = int(settings.read(ws, settings.IDLE_LOCK_MINUTES)) * 60_000
            except Exception:  # noqa: BLE001 - a safe default rather than no lock
                ms = 10 * 60_000
        self.idle.set_interval(ms)
        self.idle.start()

    def _restore(self, kept: Kept, ws: Any) -> Any:
        """The same user unlocked: the hidden window and dialogs come back as they were.
        The screens keep their workspace object; it takes over the new unlocked store."""
        from casework.core import audit

        vars(kept.ws).update(vars(ws))
        self.ws = kept.ws
        self.username = ws.actor.username
        if not _on_server(ws):  # a server's path is local state, not a file to offer
            self.db_path = str(ws.store.path)
        self.unlock_dialog = None
        audit.record_unlock(self.ws)
        self.window = kept.window
        self.window.show()
        for dlg in kept.dialogs:
            if isValid(dlg):
                dlg.show()
                dlg.raise_()
        self._arm_idle(self.ws)
        self.opened.emit(self.window)
        return self.window

    def lock(self, message: str = "Locked.", why: str = "manual") -> None:
        """Hide every window and forget the key; then ask to unlock again."""
        if self.ws is None:
            return
        from casework.core import audit

        self.idle.stop()
        self.locked_once = True
        try:
            audit.record_lock(self.ws, why)
        except Exception:  # noqa: BLE001 - locking must never fail because of the record
            log.warning("The lock could not be recorded in the audit trail.")
        clear_clipboard_now()
        forget_all()
        dialogs = [w for w in QApplication.topLevelWidgets()
                   if isinstance(w, QDialog) and w.isVisible() and w is not self.unlock_dialog]
        for w in dialogs:
            w.hide()
        if self.window is not None:
            if self.remember:
                self.window.save_state()
            self.window.hide()
            self.kept = Kept(self.ws, self.window, dialogs)
            self.window = None
        for w in QApplication.topLevelWidgets():
            if w.isVisible() and w is not self.unlock_dialog:
                w.close()
        ws, self.ws = self.ws, None
        ws.lock()
        self.locked.emit()
        self.start(message)


def _on_server(ws: Any) -> bool:
    return getattr(ws.store, "dialect", "sqlite") == "postgresql"


class Kept:
    """What was open when the session locked: the workspace object the screens hold, the
    hidden main window and the hidden dialogs."""

    def __init__(self, ws: Any, window: Any, dialogs: list[QDialog]) -> None:
        self.ws = ws
        self.username = ws.actor.username
        self.db_path = str(ws.store.path)
        self.window = window
        self.dialogs = dialogs

    def case_tabs(self) -> int:
        cases = getattr(self.window, "pages", {}).get("cases")
        return len(getattr(cases, "views", {})) if cases is not None else 0

    def open_items(self) -> str:
        """"2 open dialogs and 3 case tabs" (empty when nothing but the window is open)."""
        parts = []
        n = len([d for d in self.dialogs if isValid(d)])
        if n:
            parts.append(f"{n} open dialog{'s' if n != 1 else ''}")
        t = self.case_tabs()
        if t:
            parts.append(f"{t} open case tab{'s' if t != 1 else ''}")
        return " and ".join(parts)

    def belongs_to(self, ws: Any) -> bool:
        return ws.actor.username == self.username and str(ws.store.path) == self.db_path \
            and isValid(self.window)

    def discard(self) -> None:
        """Close everything kept, without asking (another user signed in)."""
        for dlg in self.dialogs:
            if isValid(dlg):
                force = getattr(dlg, "force_reject", None)
                force() if callable(force) else dlg.reject()
        if isValid(self.window):
            self.window.close_data()
            self.window.deleteLater()
        self.dialogs = []
