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
from datetime import date

from casework.core import resources
from ui.common.qt import QApplication, QIcon

log = logging.getLogger(__name__)


def _stylesheet() -> str:
    return resources.read_text("style.qss")


def make_app(argv: Sequence[str] | None = None, palette: str | None = None) -> QApplication:
    """The QApplication with the house style (reuses one if it exists). ``palette``:
    "light", "dark" or "contrast" (None: follow the system, as Windows dark mode)."""
    from ui.common import theme

    app = QApplication.instance() or QApplication(list(argv or sys.argv[:1]))
    app.setApplicationName("casework")
    app.setApplicationDisplayName("casework")
    app.setOrganizationName("casework")
    app.setStyle("Fusion")
    theme.apply(app, palette, _stylesheet())  # type: ignore[arg-type]
    from ui.common.accessibility import install

    install(app)  # type: ignore[arg-type]
    with resources.as_path("icons/casework.svg") as icon:
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
    p.add_argument("--open", metavar="REFERENCE",
                   help="with --screenshot: open the case with this reference in a tab")
    p.add_argument("--meeting", metavar="YYYY-MM-DD|last", type=_meeting,
                   help="with --screenshot --page panels: show the meeting held on this day, "
                        "or 'last' for the most recent meeting held (default: the next "
                        "meeting, from today on)")
    p.add_argument("--referral", metavar="REFERENCE",
                   help="with --meeting: choose this referral on the agenda (default: the "
                        "first), so the minute panel shows it")
    p.add_argument("--size", metavar="WxH", type=_size, default=None,
                   help="with --screenshot: window size in logical pixels (e.g. 1366x768)")
    p.add_argument("--scale", metavar="F", type=float, default=None,
                   help="scale the interface (QT_SCALE_FACTOR), e.g. 1.5 for 150%%")
    p.add_argument("--palette", choices=("light", "dark", "contrast"), default=None,
                   help="colours: light, dark or contrast (default: the system's)")
    return p.parse_args(argv)


def _meeting(text: str) -> str:
    if text == "last":
        return text
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError("give the meeting as YYYY-MM-DD or 'last'") \
            from None


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError("give the size as WIDTHxHEIGHT, e.g. 1366x768") \
            from None
    if w < 200 or h < 200:
        raise argparse.ArgumentTypeError("the size must be at least 200x200")
    return w, h


def main(argv: Sequence[str] | None = None) -> int:
    """Run the desktop application."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        resources.check_installed()
    except resources.MissingResource as exc:
        print(f"casework: {exc}", file=sys.stderr)
        return 8
    if args.demo:
        from ui.shell.demo import ensure_demo

        demo = ensure_demo()
        if demo is None:
            return 1
        args.db, args.user = str(demo.path), demo.username
    from ui.common.documents import remove_stale

    remove_stale()  # decrypted copies that a crashed or killed run left behind
    if args.scale:
        if not 0.5 <= args.scale <= 4:
            print("casework: --scale must be between 0.5 and 4", file=sys.stderr)
            return 2
        os.environ["QT_SCALE_FACTOR"] = f"{args.scale:g}"  # read when the app starts
    app = make_app(palette=args.palette)
    if args.screenshot:
        from ui.shell.shot import screenshot

        return screenshot(app, args)
    from ui.common import remember
    from ui.shell.session import Session

    remember.log_to_file()
    server = ""
    if not args.db and not args.user:
        args.db, args.user = remember.last_sign_in()
        server = remember.last_server()  # the last choice: the file or a team server
    session = Session(args.db, args.user, server=server)
    session.start()
    return int(app.exec())


if __name__ == "__main__":
    sys.exit(main())
