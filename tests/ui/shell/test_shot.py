"""``casework --screenshot`` with --size, --open, --tab and --palette; a screen that does
not load is an error (exit 1), not a picture of an error."""

from __future__ import annotations

from datetime import timedelta
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


def test_screenshot_of_the_last_meeting_held_with_a_referral(
        signed_in: Any, qtbot: Any, db: Any, shoot: Any, tmp_path: Path) -> None:
    from casework.core import clock
    from casework.panels.meetings import build_agenda, record_minute, schedule_meetings
    from casework.panels.swip import refer

    session, _window = signed_in("swipchair")
    ws = session.ws
    panel = min(ws.actor.panel_ids)
    refs = [refer(ws, panel, "swip", None, clock.today() - timedelta(days=3 + n), "Outreach",
                  "sexual_health", "given", [], "medium", [],
                  location_concern=True).header for n in range(2)]
    held, _next = schedule_meetings(ws, panel, clock.today(), 2)
    build_agenda(ws, held.id)
    record_minute(ws, held.id, refs[0].id, "Engaging.")  # the meeting is held

    def run(*extra: str) -> tuple[int, Path]:
        out = tmp_path / f"meeting{len(list(tmp_path.iterdir()))}.png"
        return app_module.main(["--db", str(db.path), "--user", "swipchair", "--screenshot",
                                str(out), "--page", "panels", *extra]), out

    rc, out = run("--meeting", "last", "--referral", refs[1].reference)
    assert rc == 0 and out.exists()
    rc, out = run("--meeting", f"{clock.today():%Y-%m-%d}", "--referral", "SWIP-1999-999999")
    assert rc == 1 and not out.exists()  # not on that agenda
    rc, out = run("--meeting", f"{clock.today() - timedelta(days=1):%Y-%m-%d}")
    assert rc == 1 and not out.exists()  # no meeting that day
    # --meeting belongs to the meetings screen; --referral to --meeting
    rc, out = shoot("--meeting", "last")
    assert rc == 1 and not out.exists()
    rc, out = shoot("--referral", refs[1].reference)
    assert rc == 1 and not out.exists()


def test_meeting_option_is_checked(capsys: Any) -> None:
    assert app_module.parse_args(["--meeting", "2026-12-01"]).meeting == "2026-12-01"
    assert app_module.parse_args(["--meeting", "last"]).meeting == "last"
    with pytest.raises(SystemExit) as exc:
        app_module.parse_args(["--meeting", "tuesday"])
    assert exc.value.code == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err
