"""``casework --screenshot``: sign in, show a screen, wait for its data, save a PNG."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

from ui.common.qt import QApplication, QEventLoop, QTimer, QWidget

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

    session = Session(args.db, args.user, idle_ms=0, remember=False)
    window = session.open(ws, args.page)
    if failures:
        print(f"casework: error: the screen '{args.page}' could not be shown "
              f"({', '.join(failures)})", file=sys.stderr)
        ws.lock()
        return 1
    if args.page and window.page(args.page) is None:
        print(f"casework: error: no screen {args.page!r} for this user (screens: "
              f"{', '.join(window.nav_keys())})", file=sys.stderr)
        ws.lock()
        return 1
    size = getattr(args, "size", None) or (1500, 920)
    window.resize(*size)
    reference = getattr(args, "open", None)
    if reference:
        case_id = _case_id(ws, reference)
        if case_id is None:
            print(f"casework: error: no case {reference} visible to {args.user}",
                  file=sys.stderr)
            ws.lock()
            return 1
        window.open_case(case_id, reference)
    elif args.case:
        window.open_case(args.case)
    # Let the screens load their first data (background operations) and lay out.
    if not _wait(app, lambda: active_count() == 0 and _ready(window), TIMEOUT_S):
        print("casework: error: the screen did not finish loading", file=sys.stderr)
        ws.lock()
        return 1
    problem = _choose_meeting(app, window, args)
    if problem:
        print(f"casework: error: {problem}", file=sys.stderr)
        ws.lock()
        return 1
    tab = getattr(args, "tab", None)
    if tab and not _show_tab(window, tab):
        print(f"casework: error: no tab {tab!r} on this screen", file=sys.stderr)
        ws.lock()
        return 1
    _wait(app, lambda: active_count() == 0 and _ready(window), TIMEOUT_S)
    failed = _failures(window)
    if failed:
        print(f"casework: error: {failed}", file=sys.stderr)
        ws.lock()
        return 1
    if window.stack.currentWidget() is None or not window.items:
        print("casework: error: no screen to show for this user", file=sys.stderr)
        ws.lock()
        return 1
    if failures:
        print(f"casework: error: the screen '{args.page}' could not be shown "
              f"({', '.join(failures)})", file=sys.stderr)
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


def _choose_meeting(app: QApplication, window: Any, args: argparse.Namespace) -> str:
    """With --meeting (and --referral): show that meeting and choose that agenda item on
    the meetings screen; what went wrong, or an empty string."""
    from datetime import date

    from ui.common.ops import active_count

    when = getattr(args, "meeting", None)
    reference = getattr(args, "referral", None)
    if not when:
        return "--referral needs --meeting" if reference else ""
    page = window.stack.currentWidget()
    if not callable(getattr(page, "choose_meeting", None)):
        return "--meeting needs --page panels"
    day = None if when == "last" else date.fromisoformat(when)
    if not page.choose_meeting(day):
        return ("no meeting has been held yet" if day is None
                else f"no meeting on {day:%d %b %Y} in this panel's schedule")
    if not _wait(app, lambda: active_count() == 0 and _ready(window), TIMEOUT_S):
        return "the meeting did not finish loading"
    if reference and not page.choose_referral(reference):
        return f"no referral {reference} on the agenda of this meeting"
    return ""


def _case_id(ws: object, reference: str) -> int | None:
    from casework.cases import caselist

    flt = caselist.CaseFilter(status=None, reference_prefix=reference)
    rows = caselist.fetch_cases(ws, flt, 0, 5, "reference", False)  # type: ignore[arg-type]
    return next((r.id for r in rows if r.reference == reference), None)


def _show_tab(window: object, name: str) -> bool:
    """Pick the tab whose label starts with ``name`` on the shown screen or case."""
    page = window.stack.currentWidget()  # type: ignore[attr-defined]
    candidates = []
    current = getattr(getattr(page, "tabs", None), "currentWidget", lambda: None)()
    if current is not None and getattr(current, "tabs", None) is not None:
        candidates.append(current.tabs)  # an open case's own tabs first
    if getattr(page, "tabs", None) is not None:
        candidates.append(page.tabs)
    for tabs in candidates:
        for i in range(tabs.count()):
            if tabs.tabText(i).replace("&", "").lower().startswith(name.lower()):
                tabs.setCurrentIndex(i)
                return True
    return False


def _failures(window: object) -> str:
    """What failed to load on the shown screen (empty when everything loaded)."""
    page = window.stack.currentWidget()  # type: ignore[attr-defined]
    problems = []
    for w in [page, *page.findChildren(QWidget)]:
        text = getattr(w, "load_error", None)
        if text and w.isVisible():
            problems.append(str(text))
    return "; ".join(problems)


def _ready(window: object) -> bool:
    page = window.stack.currentWidget()  # type: ignore[attr-defined]
    ready = getattr(page, "is_ready", None)
    return bool(ready()) if callable(ready) else True
