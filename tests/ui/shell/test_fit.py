"""Every screen and dialog fits 1280x720 logical pixels (1366x768 at 100%, 1920x1080 at
150%): minimum size hints within it, and opening a case never forces the window wider."""

from __future__ import annotations

from typing import Any

import pytest

from tests.ui.cases.test_cases import _new_asb_case
from tests.ui.conftest import wait_ops
from ui.common.qt import QFontMetrics, QWidget

WIDTH, HEIGHT = 1280, 720


def _fits(widget: QWidget, what: str) -> None:
    hint = widget.minimumSizeHint().expandedTo(widget.minimumSize())
    assert hint.width() <= WIDTH and hint.height() <= HEIGHT, \
        f"{what}: needs {hint.width()}x{hint.height()}"


@pytest.mark.parametrize("user", ["cm", "swipchair", "coord", "admin"])
def test_every_screen_fits_a_laptop(signed_in: Any, qtbot: Any, user: str) -> None:
    _s, window = signed_in(user)
    window.resize(WIDTH, HEIGHT)
    for key in window.nav_keys():
        page = window.show_page(key)
        ready = getattr(page, "is_ready", None)
        if callable(ready):
            qtbot.waitUntil(ready, timeout=15000)
        for n in range(page.tabs.count() if hasattr(page, "tabs") else 1):
            if hasattr(page, "tabs"):
                page.tabs.setCurrentIndex(n)
            _fits(window, f"{user} {key} tab {n}")
            assert window.width() <= WIDTH, f"{user} {key}: window widened"
    wait_ops(qtbot)


def test_an_open_asb_case_and_its_dialogs_fit(signed_in: Any, qtbot: Any) -> None:
    _s, window = signed_in("cm")
    window.resize(WIDTH, HEIGHT)
    view = _new_asb_case(qtbot, window)
    qtbot.wait(50)
    _fits(window, "an open ASB case")
    assert window.width() <= WIDTH
    # every action button is on screen (the row wraps instead of running off the edge)
    right = view.mapTo(window, view.rect().topRight()).x()
    for key, button in view.buttons.items():
        edge = button.mapTo(window, button.rect().topRight()).x()
        assert edge <= right, f"{key} button falls off the right edge"
    for key, button in view.buttons.items():
        # summary and bundle open the system file chooser, not a dialog of ours
        if not button.isEnabled() or key in ("open_document", "summary", "bundle"):
            continue
        view.dialog = None
        button.click()
        qtbot.waitUntil(lambda: view.dialog is not None, timeout=10000)
        _fits(view.dialog, f"{key} dialog")
        view.dialog.force_reject()
    cases = window.page("cases")
    for case_type in ("asb", "trigger", "sanctuary"):
        wizard = cases.new_case(case_type)
        _fits(wizard, f"{case_type} wizard")
        wizard.force_reject()
    wait_ops(qtbot)


def test_create_case_button_text_is_not_clipped(signed_in: Any, qtbot: Any) -> None:
    _s, window = signed_in("cm")
    wizard = window.page("cases").new_case("asb") if window.show_page("cases") else None
    assert wizard is not None
    wizard.no_person.setChecked(True)
    wizard.next()
    qtbot.waitUntil(lambda: wizard.step == 2, timeout=5000)
    button = wizard.next_button
    qtbot.waitUntil(button.isVisible, timeout=5000)
    font = button.font()
    font.setBold(True)  # the widest the label is ever drawn
    needed = QFontMetrics(font).horizontalAdvance(button.text().replace("&", ""))
    assert button.width() >= needed + 8
    wizard.force_reject()
