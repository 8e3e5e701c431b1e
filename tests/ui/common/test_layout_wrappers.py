"""Qt deletes layout items behind Python's back (a widget goes, its item goes). No screen
may leave a Python wrapper of a layout item alive: a later object at the same address
would come back wrapped as the item (a table's header view typed as a layout item)."""

from __future__ import annotations

from typing import Any

from shiboken6 import getAllValidWrappers

from tests.ui.cases.test_cases import _new_asb_case
from tests.ui.conftest import wait_ops
from ui.common.accessibility import layout_order
from ui.common.qt import QApplication, QPushButton, QVBoxLayout, QWidget

ITEM_TYPES = ("QWidgetItem", "QSpacerItem", "QLayoutItem", "QWidgetItemV2")


def _item_wrappers() -> list[str]:
    return [type(w).__name__ for w in getAllValidWrappers()
            if type(w).__name__ in ITEM_TYPES]


def test_screens_dialogs_and_the_case_view_keep_no_layout_item_wrappers(
        signed_in: Any, qtbot: Any) -> None:
    _s, window = signed_in("cm")
    for key in window.nav_keys():
        page = window.show_page(key)
        ready = getattr(page, "is_ready", None)
        if callable(ready):
            qtbot.waitUntil(ready, timeout=15000)
    view = _new_asb_case(qtbot, window)
    view.dialog = None
    view.buttons["note"].click()
    qtbot.waitUntil(lambda: view.dialog is not None, timeout=10000)
    view.dialog.reject()
    wait_ops(qtbot)
    QApplication.processEvents()
    assert _item_wrappers() == []
    # The case list's table still answers with its real header and viewport.
    table = window.page("cases").list_view.table
    assert type(table.horizontalHeader()).__name__ == "QHeaderView"
    assert isinstance(table.viewport(), QWidget)


def test_a_flow_bar_wraps_its_buttons_and_tab_follows_the_order_they_were_added(
        qtbot: Any) -> None:
    from ui.common.flow import FlowBar

    root = QWidget()
    qtbot.addWidget(root)
    box = QVBoxLayout(root)
    bar = FlowBar(spacing=6)
    buttons = [QPushButton(f"Action number {n}") for n in range(8)]
    for b in buttons:
        b.setAccessibleName(b.text())
        bar.addWidget(b)
    box.addWidget(bar)
    root.resize(1200, 300)
    root.show()
    qtbot.waitExposed(root)
    one_line = {b.y() for b in buttons}
    assert len(one_line) == 1  # wide enough: one row
    root.resize(260, 600)
    qtbot.waitUntil(lambda: len({b.y() for b in buttons}) > 1, timeout=5000)
    assert all(b.geometry().right() <= bar.width() for b in buttons)  # nothing cut off
    assert bar.height() >= buttons[-1].geometry().bottom()  # the wrapped rows fit
    assert layout_order(root) == buttons
    buttons[3].hide()  # a step that no longer applies
    assert layout_order(root) == buttons[:3] + buttons[4:]
    qtbot.waitUntil(lambda: buttons[4].pos() == buttons[3].pos() or
                    buttons[4].x() <= buttons[3].x(), timeout=5000)
    late = QPushButton("Added after showing")
    bar.addWidget(late)
    qtbot.waitUntil(late.isVisible, timeout=5000)
    late.deleteLater()
    qtbot.waitUntil(lambda: len(bar.widgets()) == len(buttons), timeout=5000)
    assert bar.widgets() == buttons
