"""What the desktop remembers between runs, through QSettings: the window's place and
size, table column widths, the last database and user name, and each user's open case
tabs (case ids only). Nothing personal is written: no name, no search, no free text.

And the log file in the user's log directory, behind the log guard.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from ui.common.qt import QByteArray, QSettings, QWidget

MAX_TABS = 12


def store() -> QSettings:
    """The application's settings (organisation and name come from the QApplication)."""
    return QSettings()


def save_geometry(key: str, widget: QWidget) -> None:
    store().setValue(f"{key}/geometry", widget.saveGeometry())


def restore_geometry(key: str, widget: QWidget) -> bool:
    """Put the window back where it was, if that still fits a screen."""
    value = store().value(f"{key}/geometry")
    if isinstance(value, QByteArray | bytes) and value:
        return bool(widget.restoreGeometry(QByteArray(value)))
    return False


def save_header(key: str, header: Any) -> None:
    store().setValue(f"{key}/header", header.saveState())


def restore_header(key: str, header: Any) -> bool:
    value = store().value(f"{key}/header")
    if isinstance(value, QByteArray | bytes) and value:
        return bool(header.restoreState(QByteArray(value)))
    return False


def remember_sign_in(db_path: str, username: str) -> None:
    """The last database and user name (the password never); the file was the choice."""
    s = store()
    s.setValue("last/database", str(db_path))
    s.setValue("last/user", username)
    s.setValue("last/server", "")


def remember_server_sign_in(profile: str, username: str) -> None:
    """The team-server profile (its name only) and user name signed in with last; the
    last database file is kept for the next time the file is chosen."""
    s = store()
    s.setValue("last/server", profile)
    s.setValue("last/user", username)


def last_sign_in() -> tuple[str, str]:
    s = store()
    return str(s.value("last/database", "") or ""), str(s.value("last/user", "") or "")


def last_server() -> str:
    """The profile of the last sign-in if it was to a team server, else ""."""
    return str(store().value("last/server", "") or "")


def _tabs_key(db_path: str, username: str) -> str:
    import hashlib

    where = hashlib.sha256(str(Path(db_path).expanduser()).encode()).hexdigest()[:12]
    return f"tabs/{where}/{username}"


def save_tabs(db_path: str, username: str, case_ids: list[int]) -> None:
    """The user's open case tabs on this database, as case ids."""
    store().setValue(_tabs_key(db_path, username),
                     ",".join(str(int(c)) for c in case_ids[:MAX_TABS]))


def open_tabs(db_path: str, username: str) -> list[int]:
    text = str(store().value(_tabs_key(db_path, username), "") or "")
    return [int(c) for c in text.split(",") if c.strip().isdigit()][:MAX_TABS]


def log_to_file() -> Path | None:
    """Log warnings and errors to ``casework.log`` in the user's log directory, through
    the log guard (no SQL rows). Returns the file, or None if it cannot be written."""
    from platformdirs import user_log_dir

    from casework.core import logguard

    try:
        folder = Path(user_log_dir("casework", appauthor=False))
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "casework.log"
        handler = logging.FileHandler(path, encoding="utf-8")
    except OSError:
        return None
    handler.setLevel(logging.INFO)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(logguard.DropRowLogs())
    root = logging.getLogger()
    root.addHandler(handler)
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)
    logguard.install()
    return path
