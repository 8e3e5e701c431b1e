"""``casework --screenshot``: sign in, show a screen, wait for its data, save a PNG."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

from ui.common.qt import QApplication, QEventLoop, QTimer

TIMEOUT_S = 30.0


def _wait(app: QApplication, ready: object, timeout: float = TIMEOUT_S) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        if callable(ready) and ready():
            return True
        time.sleep(0.01)
    return False


def screenshot(app: QApplication, args: argparse.Namespace) -> int:
    """Sign in with CASEWORK_PASSWORD, show ``args.page``, save ``args.screenshot``."""
    from casework.core.context import open_workspace
    from casework.core.errors import CaseworkError
    from db.errors import StoreError

    password = os.environ.get("CASEWORK_PASSWORD")
    if not args.db or not args.user or password is None:
        print("casework: --screenshot needs --db, --user and CASEWORK_PASSWORD",
              file=sys.stderr)
        return 2
    try:
        ws = open_workspace(Path(args.db).expanduser(), args.user, password)
    except (CaseworkError, StoreError) as exc:
        print(f"casework: error: {exc}", file=sys.stderr)
        return 4
    failures: list[str] = []
    previous_hook = sys.excepthook

    def _record(kind: type[BaseException], exc: BaseException, tb: object) -> None:
        # An exception in a Qt slot (a screen that fails to build or load) is printed and
        # swallowed by Qt; a screenshot of what is left would look like success.
        failures.append(kind.__name__)
        previous_hook(kind, exc, tb)  # type: ignore[arg-type]

    sys.excepthook = _record
    try:
        return _shoot(app, args, ws, failures)
    finally:
        sys.excepthook = previous_hook


def _shoot(app: QApplication, args: argparse.Namespace, ws: Any, failures: list[str]) -> int:
    from ui.common.ops import active_count
    from ui.shell.session import Session

    session = Session(args.db, args.user, idle_ms=0)
    window = session.open(ws, args.page)
    window.resize(1500, 920)
    if args.case:
        window.open_case(args.case)
    tab = getattr(args, "tab", None)
    tabs = getattr(window.stack.currentWidget(), "tabs", None)
    if tab and tabs is not None:
        for i in range(tabs.count()):
            if tabs.tabText(i).replace("&", "").lower().startswith(tab.lower()):
                tabs.setCurrentIndex(i)
    # Let the screens load their first data (background operations) and lay out.
    if not _wait(app, lambda: active_count() == 0 and _ready(window), TIMEOUT_S):
        print("casework: error: the screen did not finish loading", file=sys.stderr)
        ws.lock()
        return 1
    if window.stack.currentWidget() is None or not window.items:
        print("casework: error: no screen to show for this user", file=sys.stderr)
        ws.lock()
        return 1
    page = window.page(args.page)
    if failures or page is None or window.stack.currentWidget() is not page:
        why = f" ({', '.join(failures)})" if failures else ""
        print(f"casework: error: the screen '{args.page}' could not be shown{why}",
              file=sys.stderr)
        ws.lock()
        return 1
    _wait(app, lambda: False, 0.3)
    out = Path(args.screenshot)
    ok = window.grab().save(str(out))
    if not ok:
        print("casework: error: could not write the screenshot", file=sys.stderr)
        return 1
    print(f"screenshot: {out}")
    ws.lock()
    QTimer.singleShot(0, app.quit)
    return 0


def _ready(window: object) -> bool:
    page = window.stack.currentWidget()  # type: ignore[attr-defined]
    ready = getattr(page, "is_ready", None)
    return bool(ready()) if callable(ready) else True
