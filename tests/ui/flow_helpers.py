"""Driving a case view's action dialogs in flow tests."""

from __future__ import annotations

from datetime import date
from typing import Any

from ui.common.qt import QDate, Qt


def open_view(qtbot: Any, window: Any, case_id: int, reference: str) -> Any:
    view = window.show_page("cases").open_case(case_id, reference)
    qtbot.waitUntil(view.is_ready, timeout=15000)
    return view


def set_date(widget: Any, day: date) -> None:
    widget.setDate(QDate(day.year, day.month, day.day))


def accept(qtbot: Any, view: Any, dlg: Any) -> None:
    """Submit a dialog that must be accepted, and wait for the case to reload."""
    count = view.load_count
    with qtbot.waitSignal(dlg.accepted, timeout=15000):
        qtbot.mouseClick(dlg.submit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.load_count > count, timeout=15000)


def refused(qtbot: Any, dlg: Any) -> str | None:
    """Submit a dialog that must be refused; the field the error names."""
    qtbot.mouseClick(dlg.submit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dlg.form.error.isHidden(), timeout=15000)
    assert dlg.isVisible()  # nothing typed is lost
    return dlg.form.error_field
