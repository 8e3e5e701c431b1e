"""Fixtures for driving the real widgets: a signed-in session on a copy of the test db."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import PASSWORD
from ui.common import ops
from ui.shell.app import make_app
from ui.shell.session import Session


@pytest.fixture
def app(qapp: Any, tmp_path_factory: Any) -> Any:
    """The application, with its QSettings in a fresh folder (never the user's own)."""
    from ui.common.qt import QSettings

    folder = tmp_path_factory.mktemp("qsettings")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    return make_app()


def _top_levels() -> dict[int, Any]:
    import shiboken6
    from PySide6.QtWidgets import QApplication

    if QApplication.instance() is None:
        return {}
    return {shiboken6.getCppPointer(w)[0]: w for w in QApplication.topLevelWidgets()}


@pytest.fixture(autouse=True)
def _widgets_go_with_their_test() -> Iterator[None]:
    """The windows and dialogs a test opened are deleted after it (torn down last, after
    ``signed_in``). ``deleteLater`` alone deletes nothing outside a running event loop:
    without this every test's widgets stay alive for the rest of the process, and each
    ``make_app`` (``setStyleSheet``) repolishes all of them (seconds per test by the end
    of a run). Widgets that were open before the test are left as they were."""
    before = _top_levels()
    yield
    from PySide6.QtCore import QCoreApplication, QEvent

    for key, widget in _top_levels().items():
        if key not in before:
            widget.hide()
            widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture(autouse=True)
def _no_own_server_profiles(tmp_path: Any, monkeypatch: Any) -> None:
    """The unlock dialog lists team-server profiles: from a file of the test's, never
    the profiles of whoever runs the tests."""
    monkeypatch.setenv("CASEWORK_SERVERS_FILE", str(tmp_path / "servers.json"))


def wait_ops(qtbot: Any, timeout: int = 15000) -> None:
    """Wait until every background operation has called back."""
    qtbot.waitUntil(lambda: ops.active_count() == 0, timeout=timeout)


@pytest.fixture
def signed_in(db: Any, qtbot: Any, app: Any) -> Iterator[Any]:
    """A factory: ``signed_in("cm")`` returns (session, main window) for that user."""
    sessions: list[Session] = []

    def make(user: str = "cm", idle_ms: int = 0) -> tuple[Session, Any]:
        from casework.core.context import open_workspace

        ws = open_workspace(db.path, user, PASSWORD)
        session = Session(str(db.path), user, idle_ms=idle_ms)
        window = session.open(ws)
        sessions.append(session)
        return session, window

    yield make
    wait_ops(qtbot)
    from ui.common.qt import isValid

    for s in sessions:
        s.idle.stop()
        for w in (s.window, s.unlock_dialog):
            if w is not None and isValid(w):
                w.hide()
                w.deleteLater()
        if s.ws is not None:
            s.ws.lock()
