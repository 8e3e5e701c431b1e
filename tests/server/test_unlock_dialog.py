"""Signing in to the team server through the desktop unlock dialog opens the main window
for that server user, through the same sign-in as ``casework-cli --server PROFILE``; a
sign-in that fails names its cause (no such database, a database not set up for casework,
TLS), keeps what was typed and puts the cursor back in the password. (A wrong password is
tested in tests/ui/shell/test_unlock_server.py: the test server trusts local logins.)"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from casework.server import profiles
from tests.server.conftest import PASSWORD
from tests.ui.conftest import app, wait_ops  # noqa: F401 - the app fixture
from ui.common.qt import QApplication, QLabel, QMessageBox, Qt


@pytest.fixture
def servers_file(tmp_path: Any, monkeypatch: Any) -> Any:
    path = tmp_path / "servers.json"
    monkeypatch.setenv("CASEWORK_SERVERS_FILE", str(path))
    return path


def _profile(team_server: Any, name: str = "council", **changes: Any) -> profiles.Profile:
    from sqlalchemy.engine import make_url

    u = make_url(team_server.db.admin_url)
    fields: dict[str, Any] = {"host": str(u.host), "database": team_server.db.name,
                              "user": team_server.login("cm"), "port": u.port or 5432,
                              "sslmode": "disable"}
    fields.update(changes)
    profile = profiles.Profile(name, **fields)
    profiles.save(profile)
    return profile


@pytest.fixture
def session(app: Any, qtbot: Any) -> Iterator[Any]:  # noqa: F811
    from ui.shell.session import Session

    s = Session("", "", idle_ms=0, remember=False)
    yield s
    if s.ws is not None:
        s.ws.lock()
    wait_ops(qtbot)


def _sign_in(qtbot: Any, session: Any, team_server: Any, user: str = "cm") -> Any:
    dlg = session.start()
    qtbot.addWidget(dlg)
    dlg.server_mode.click()
    dlg.user.setText(team_server.login(user))
    qtbot.keyClicks(dlg.password, PASSWORD)
    with qtbot.waitSignal(session.opened, timeout=30000):
        qtbot.keyClick(dlg.password, Qt.Key.Key_Return)  # Enter signs in
    qtbot.addWidget(session.window)
    return session.window


def test_sign_in_to_the_team_server_shows_the_case_list(team_server: Any, servers_file: Any,
                                                        session: Any, qtbot: Any) -> None:
    from ui.cases.caselist_model import COL_REFERENCE

    _profile(team_server)
    window = _sign_in(qtbot, session, team_server)
    assert session.ws.store.dialect == "postgresql"
    assert session.ws.actor.username == team_server.login("cm")
    assert session.server == "council" and session.db_path == ""
    assert "cases" in window.nav_keys()
    model = window.show_page("cases").list_view.model
    qtbot.waitUntil(lambda: model.rowCount() >= 1, timeout=15000)
    refs = {model.index(r, COL_REFERENCE).data() for r in range(model.rowCount())}
    # The server's policies: cm sees the North team's cases (other tests may add more of
    # them to the shared server), never another team's.
    assert "T-north" in refs and not refs & {"T-south", "T-east", "T-west"}


def _messages() -> list[str]:
    """Close every warning box that is open; their texts."""
    texts = []
    for w in QApplication.topLevelWidgets():
        if isinstance(w, QMessageBox) and w.isVisible():
            texts.append(w.text())
            w.close()
    return texts


@pytest.mark.parametrize("user", ["cm", "swipchair", "coord", "admin", "ig"])
def test_every_screen_opens_on_the_team_server(team_server: Any, servers_file: Any,
                                               session: Any, qtbot: Any, user: str) -> None:
    """Each screen of the role opens; what the server refuses is said in a sentence,
    never a traceback (pytest-qt fails the test on an exception in a slot)."""
    _profile(team_server)
    window = _sign_in(qtbot, session, team_server, user)
    said: list[str] = []
    for key in window.nav_keys():
        page = window.show_page(key)
        assert page is not None, key
        ready = getattr(page, "is_ready", None)
        if callable(ready):
            qtbot.waitUntil(lambda r=ready: r() or bool(_peek()), timeout=15000)
        tabs = getattr(page, "tabs", None)
        for n in range(tabs.count() if tabs is not None else 1):
            if tabs is not None:
                tabs.setCurrentIndex(n)
            wait_ops(qtbot)
            said += _messages()
            said += [f"{key}: {label.text()}" for label in page.findChildren(QLabel)
                     if label.isVisible() and label.text()]
    for text in said:
        assert "Something went wrong" not in text, text  # an error nobody classified
        assert PASSWORD not in text


def _peek() -> list[str]:
    return [w.text() for w in QApplication.topLevelWidgets()
            if isinstance(w, QMessageBox) and w.isVisible()]


def _failed_sign_in(qtbot: Any, dlg: Any, password: str) -> str:
    qtbot.keyClicks(dlg.password, password)
    dlg.try_unlock()
    qtbot.waitUntil(lambda: not dlg.form.error.isHidden(), timeout=20000)
    wait_ops(qtbot)
    text = str(dlg.form.error.text())
    assert password not in text
    assert dlg.password.text() == password  # what was typed stays
    assert dlg.focusWidget() is dlg.password  # the next try starts at the password
    return text


def _server_dialog(qtbot: Any, profile: str, user: str) -> Any:
    from ui.shell.unlock import UnlockDialog

    dlg = UnlockDialog(None, username=user, server=profile)
    qtbot.addWidget(dlg)
    dlg.show()
    assert dlg.server_mode.isChecked() and dlg.server_profile == profile
    return dlg


def test_a_database_that_is_not_there_is_said(team_server: Any, servers_file: Any,
                                              qtbot: Any, app: Any) -> None:  # noqa: F811
    _profile(team_server, "typo", database=f"{team_server.db.name}_typo")
    dlg = _server_dialog(qtbot, "typo", team_server.login("cm"))
    text = _failed_sign_in(qtbot, dlg, PASSWORD)
    assert "no database of the name in the profile" in text
    assert dlg.form.error_field == "profile"


def test_a_database_not_set_up_for_casework_is_said(team_server: Any, pg_empty: Any,
                                                    servers_file: Any, qtbot: Any,
                                                    app: Any) -> None:  # noqa: F811
    _profile(team_server, "empty", database=pg_empty.name)
    dlg = _server_dialog(qtbot, "empty", team_server.login("cm"))
    text = _failed_sign_in(qtbot, dlg, PASSWORD)
    assert "not set up for casework" in text and "casework-cli server init" in text
    assert dlg.form.error_field == "profile"


def test_tls_the_server_does_not_offer_is_said(team_server: Any, servers_file: Any,
                                               qtbot: Any, app: Any) -> None:  # noqa: F811
    import psycopg

    with psycopg.connect(team_server.db.admin_url) as conn:
        ssl = conn.execute("SHOW ssl").fetchone()
    if ssl is None or ssl[0] == "on":
        pytest.skip("this PostgreSQL offers TLS: the mismatch needs a server without it")
    _profile(team_server, "tls", sslmode="require")
    dlg = _server_dialog(qtbot, "tls", team_server.login("cm"))
    text = _failed_sign_in(qtbot, dlg, PASSWORD)
    assert "TLS settings do not match" in text
    assert dlg.form.error_field == "profile"
