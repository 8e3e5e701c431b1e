"""Entry point of the desktop application, and the controller of a signed-in session.

``casework`` shows the unlock dialog; ``casework --demo`` makes (once) and opens a demo
database of synthetic cases; ``casework --db PATH --user NAME --screenshot OUT.png``
signs in with ``CASEWORK_PASSWORD``, shows the case list, saves a screenshot and exits.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from casework import audit, settings
from ui.documents import forget_all
from ui.qt import QApplication, QDialog, QIcon, QObject, Signal
from ui.security import IdleWatcher, clear_clipboard_now

log = logging.getLogger(__name__)


def resource(name: str) -> Path:
    from casework.resources import path

    return path(name)


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
        from ui.unlock import UnlockDialog

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
        from ui.mainwindow import MainWindow

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


def _stylesheet() -> str:
    try:
        return resource("style.qss").read_text(encoding="utf-8")
    except OSError:
        return ""


def make_app(argv: Sequence[str] | None = None) -> QApplication:
    """The QApplication with the house style (reuses one if it exists)."""
    app = QApplication.instance() or QApplication(list(argv or sys.argv[:1]))
    app.setApplicationName("casework")
    app.setApplicationDisplayName("casework")
    app.setStyle("Fusion")
    app.setStyleSheet(_stylesheet())
    from ui.accessibility import install

    install(app)  # type: ignore[arg-type]
    icon = resource("icons/casework.svg")
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    return app  # type: ignore[return-value]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="casework", description="Community safety casework.")
    p.add_argument("--db", default=os.environ.get("CASEWORK_DB", ""), help="database file")
    p.add_argument("--user", default=os.environ.get("CASEWORK_USER", ""), help="user name")
    p.add_argument("--demo", action="store_true",
                   help="open (creating once) a demo database of synthetic cases")
    p.add_argument("--screenshot", metavar="PNG",
                   help="sign in with CASEWORK_PASSWORD, save a screenshot, exit")
    p.add_argument("--page", default="cases", help="screen for --screenshot (e.g. panels)")
    p.add_argument("--case", type=int, help="with --screenshot: open this case id")
    p.add_argument("--tab", help="with --screenshot: show the screen's tab of this name")
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the desktop application."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.demo:
        from ui.demo import ensure_demo

        demo = ensure_demo()
        if demo is None:
            return 1
        args.db, args.user = str(demo.path), demo.username
    app = make_app()
    if args.screenshot:
        from ui.shot import screenshot

        return screenshot(app, args)
    session = Session(args.db, args.user)
    session.start()
    return int(app.exec())


if __name__ == "__main__":
    sys.exit(main())
