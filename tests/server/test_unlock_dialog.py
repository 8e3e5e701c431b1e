"""Signing in to the team server through the desktop unlock dialog opens the main window
for that server user, through the same sign-in as ``casework-cli --server PROFILE``."""

from __future__ import annotations

from typing import Any

from casework.server import profiles
from tests.server.conftest import PASSWORD
from tests.ui.conftest import app, wait_ops  # noqa: F401 - the app fixture
from ui.common.qt import Qt


def test_sign_in_to_the_team_server_opens_the_main_window(team_server: Any, tmp_path: Any,
                                                          monkeypatch: Any, qtbot: Any,
                                                          app: Any) -> None:  # noqa: F811
    from sqlalchemy.engine import make_url

    from ui.shell.session import Session

    monkeypatch.setenv("CASEWORK_SERVERS_FILE", str(tmp_path / "servers.json"))
    u = make_url(team_server.db.admin_url)
    profiles.save(profiles.Profile("council", str(u.host), team_server.db.name,
                                   user=team_server.login("cm"), port=u.port or 5432,
                                   sslmode="disable"))
    session = Session("", "", idle_ms=0, remember=False)
    dlg = session.start()
    qtbot.addWidget(dlg)
    dlg.server_mode.click()
    assert dlg.server_profile == "council"
    assert dlg.user.text() == team_server.login("cm")
    qtbot.keyClicks(dlg.password, PASSWORD)
    with qtbot.waitSignal(session.opened, timeout=30000):
        qtbot.mouseClick(dlg.unlock_button, Qt.MouseButton.LeftButton)
    window = session.window
    qtbot.addWidget(window)
    assert session.ws.store.dialect == "postgresql"
    assert session.ws.actor.username == team_server.login("cm")
    assert "cases" in window.nav_keys()
    assert session.server == "council" and session.db_path == ""
    session.ws.lock()
    wait_ops(qtbot)
