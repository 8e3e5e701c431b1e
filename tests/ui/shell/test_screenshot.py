"""``casework --screenshot`` saves the screen asked for, and fails (exit 1) when that
screen cannot be shown: a CI smoke test of an installed build relies on the exit code."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PASSWORD
from ui.common.qt import QImage, isValid
from ui.shell import mainwindow, shot
from ui.shell.registry import NAV, NavItem


def _args(db: Any, out: Path, page: str = "cases", user: str = "cm") -> argparse.Namespace:
    return argparse.Namespace(db=str(db.path), user=user, screenshot=str(out), page=page,
                              case=None, tab=None)


@pytest.fixture(autouse=True)
def _password(monkeypatch: pytest.MonkeyPatch, app: Any, qtbot: Any) -> Any:
    monkeypatch.setenv("CASEWORK_PASSWORD", PASSWORD)
    yield
    for w in app.topLevelWidgets():
        if isinstance(w, mainwindow.MainWindow) and isValid(w):
            w.hide()
            w.deleteLater()


def test_a_screenshot_of_the_case_list(db: Any, app: Any, tmp_path: Path) -> None:
    out = tmp_path / "cases.png"
    assert shot.screenshot(app, _args(db, out)) == 0
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1500, 920)


class _Broken:
    def __init__(self, *args: Any) -> None:
        raise RuntimeError("this screen cannot be built")


@pytest.mark.qt_no_exception_capture  # the exception must reach casework's own hook
def test_a_screen_that_fails_to_build_exits_non_zero(
        db: Any, app: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    broken = tuple(NavItem(n.key, n.label, _Broken, n.allowed) if n.key == "cases" else n
                   for n in NAV)
    monkeypatch.setattr(mainwindow, "NAV", broken)
    out = tmp_path / "cases.png"
    assert shot.screenshot(app, _args(db, out)) == 1
    assert "the screen 'cases' could not be shown (RuntimeError)" in capsys.readouterr().err
    assert not out.exists()


def test_a_screen_the_role_lacks_exits_non_zero(
        db: Any, app: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "admin.png"
    assert shot.screenshot(app, _args(db, out, page="admin", user="cm")) == 1
    assert "no screen 'admin' for this user" in capsys.readouterr().err
    assert not out.exists()
