"""``casework --screenshot`` with --size, --open, --tab and --palette; a screen that does
not load is an error (exit 1), not a picture of an error."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PASSWORD
from tests.ui.cases.test_cases import _new_asb_case
from tests.ui.conftest import wait_ops
from ui.common import theme
from ui.common.qt import QApplication, QImage
from ui.shell import app as app_module


@pytest.fixture
def shoot(db: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    monkeypatch.setenv("CASEWORK_PASSWORD", PASSWORD)

    def run(*extra: str) -> tuple[int, Path]:
        out = tmp_path / f"shot{len(list(tmp_path.iterdir()))}.png"
        rc = app_module.main(["--db", str(db.path), "--user", "cm", "--screenshot", str(out),
                              *extra])
        return rc, out

    yield run
    qapp = QApplication.instance()
    theme.apply(qapp, "light", app_module._stylesheet())  # type: ignore[arg-type]


def test_screenshot_of_a_case_tab_at_a_size_in_dark(signed_in: Any, qtbot: Any,
                                                    shoot: Any) -> None:
    _s, window = signed_in("cm")
    view = _new_asb_case(qtbot, window)
    reference = view.header.reference
    wait_ops(qtbot)
    rc, out = shoot("--size", "1366x768", "--palette", "dark", "--open", reference,
                    "--tab", "incidents")
    assert rc == 0
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1366, 768)
    assert theme.is_dark(QApplication.palette())
    # the window behind the tabs is dark: most of the picture is dark
    dark = sum(image.pixelColor(x, y).lightness() < 100
               for x in range(0, 1366, 40) for y in range(0, 768, 40))
    assert dark > 0.5 * (1366 // 40 + 1) * (768 // 40 + 1)


def test_screenshot_fails_for_what_cannot_be_shown(shoot: Any) -> None:
    rc, out = shoot("--page", "nosuchscreen")
    assert rc == 1 and not out.exists()
    rc, out = shoot("--open", "ASB-1999-999999")
    assert rc == 1 and not out.exists()
    rc, out = shoot("--tab", "nosuchtab")
    assert rc == 1 and not out.exists()


def test_size_option_is_checked(capsys: Any) -> None:
    with pytest.raises(SystemExit) as exc:
        app_module.parse_args(["--size", "big"])
    assert exc.value.code == 2
    assert "WIDTHxHEIGHT" in capsys.readouterr().err
