"""Desktop conventions: menus and toolbar, F1 and the shortcut sheet, Ctrl+N/W/F, F5,
Enter on My work, no Alt clashes, and a case list that sorts, counts and clears right."""

from __future__ import annotations

from typing import Any

import pytest

from tests.ui.cases.test_cases import _new_asb_case
from tests.ui.conftest import wait_ops
from ui.cases.caselist_model import COL_OPENED, COL_TEAM
from ui.common.mnemonics import clashes
from ui.common.qt import QApplication, QMenu, Qt, QTableWidget

pytestmark = pytest.mark.dates


def _active(qtbot: Any, window: Any) -> None:
    """Keys reach a window's shortcuts only while it is the active window."""
    window.show()
    window.raise_()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)


def test_menus_toolbar_help_and_shortcut_sheet(signed_in: Any, qtbot: Any) -> None:
    _s, window = signed_in("cm")
    menus = [a.text() for a in window.menuBar().actions()]
    assert menus == ["File", "Case", "View", "Tools", "Help"]
    tools = window.commands.toolbar.actions()
    assert tools and all(not a.icon().isNull() for a in tools)
    window.show_page("cases")
    _active(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: getattr(window, "help_dialog", None) is not None, timeout=5000)
    assert window.help_dialog.windowTitle() == "Help: Cases"
    window.help_dialog.reject()
    window.commands["shortcuts"].trigger()
    sheet = window.help_dialog
    table = sheet.findChild(QTableWidget, "shortcutSheet")
    listed = {table.item(r, 0).text() for r in range(table.rowCount())}
    for key in ("Ctrl+N", "Ctrl+W", "Ctrl+F", "F5", "F1", "Ctrl+L", "Enter", "Alt+1"):
        assert key in listed, key
    sheet.reject()
    wait_ops(qtbot)


def test_ctrl_w_ctrl_n_ctrl_f_and_f5(signed_in: Any, qtbot: Any) -> None:
    _s, window = signed_in("cm")
    view = _new_asb_case(qtbot, window)
    cases = window.page("cases")
    assert cases.tabs.currentWidget() is view
    _active(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    assert view.case_id not in cases.views and cases.tabs.count() == 1
    qtbot.keyClick(window, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    assert cases.tabs.count() == 1  # the list itself never closes
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    menu = cases.new_button.menu()
    qtbot.waitUntil(menu.isVisible, timeout=5000)
    assert isinstance(menu, QMenu)
    menu.hide()
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is window.search
    generation = cases.list_view.model._generation
    qtbot.keyClick(window, Qt.Key.Key_F5)
    assert cases.list_view.model._generation == generation + 1
    wait_ops(qtbot)


def test_enter_on_my_work_opens_the_case(signed_in: Any, qtbot: Any) -> None:
    _s, window = signed_in("cm")
    view = _new_asb_case(qtbot, window)
    reference = view.header.reference
    from casework.cases.lifecycle import add_task, load_case
    from casework.core import clock

    with window.ws.uow() as session:
        add_task(session, load_case(window.ws, session, view.case_id), "manual",
                 "Call back today", clock.today())
    window.page("cases").close_tab(1)
    page = window.show_page("mywork")
    page.refresh()
    qtbot.waitUntil(lambda: page.loaded and (page.week.rowCount() or page.overdue.rowCount()),
                    timeout=10000)
    table = page.week if page.week.rowCount() else page.overdue
    _active(qtbot, window)
    table.setFocus()
    table.setCurrentCell(0, 0)
    qtbot.keyClick(table, Qt.Key.Key_Return)
    cases = window.page("cases")
    qtbot.waitUntil(lambda: window.current_page() is cases and cases.tabs.count() == 2,
                    timeout=10000)
    assert reference in cases.tabs.tabText(1)
    wait_ops(qtbot)


@pytest.mark.parametrize("user", ["cm", "swipchair", "coord", "admin", "ig"])
def test_no_alt_letter_clashes_on_any_screen(signed_in: Any, qtbot: Any, user: str) -> None:
    _s, window = signed_in(user)
    for key in window.nav_keys():
        page = window.show_page(key)
        ready = getattr(page, "is_ready", None)
        if callable(ready):
            qtbot.waitUntil(ready, timeout=15000)
        for n in range(page.tabs.count() if hasattr(page, "tabs") else 1):
            if hasattr(page, "tabs"):
                page.tabs.setCurrentIndex(n)
            assert clashes(window) == {}, f"{user} {key} tab {n}"
    wait_ops(qtbot)


def test_no_alt_letter_clashes_in_a_case_and_its_dialogs(signed_in: Any, qtbot: Any) -> None:
    _s, window = signed_in("cm")
    view = _new_asb_case(qtbot, window)
    for n in range(view.tabs.count()):
        view.tabs.setCurrentIndex(n)
        assert clashes(window) == {}, f"case tab {view.tabs.tabText(n)}"
    for key, button in view.buttons.items():
        # These open a document, or the system's file chooser, not a dialog of ours.
        if not button.isEnabled() or key in ("open_document", "summary", "bundle"):
            continue
        view.dialog = None
        button.click()
        qtbot.waitUntil(lambda: view.dialog is not None and view.dialog.isVisible(),
                        timeout=10000)
        assert clashes(view.dialog) == {}, key
        view.dialog.force_reject()
    cases = window.page("cases")
    for case_type in ("asb", "trigger", "sanctuary"):
        wizard = cases.new_case(case_type)
        qtbot.waitUntil(wizard.isVisible, timeout=5000)
        assert clashes(wizard) == {}, case_type
        wizard.force_reject()
    wait_ops(qtbot)


def test_case_list_sorts_counts_and_clears_like_it_says(signed_in: Any, qtbot: Any) -> None:
    _s, window = signed_in("cm")
    for given in ("Ada", "Grace", "Alan"):
        _new_asb_case(qtbot, window, given, "Testperson")
    cases = window.page("cases")
    cases.tabs.setCurrentIndex(0)
    lst = cases.list_view
    lst.model.page_size = 2  # three cases: two pages
    lst.refresh()
    qtbot.waitUntil(lambda: lst.model.total == 3, timeout=10000)
    # the whole list has rows from the start, so Ctrl+End reaches the last case
    assert lst.model.rowCount() == 3
    _active(qtbot, window)
    lst.table.setFocus()
    qtbot.keyClick(lst.table, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    assert lst.table.currentIndex().row() == 2
    qtbot.waitUntil(lambda: lst.model.row_at(2) is not None, timeout=10000)
    assert lst.model.index(2, 0).data().startswith("ASB-")
    assert "loaded" not in lst.count.text() and lst.count.text() == "3 cases"
    # a column the database cannot sort by keeps the arrow on the sorted column
    header = lst.table.horizontalHeader()
    header.setSortIndicator(COL_TEAM, Qt.SortOrder.AscendingOrder)
    assert header.sortIndicatorSection() == COL_OPENED
    # Clear filters goes back to the defaults (open cases), not "open or closed"
    lst.f_status.setCurrentIndex(0)
    lst.f_type.setCurrentIndex(lst.f_type.findData("trigger"))
    qtbot.waitUntil(lambda: lst.model.total == 0, timeout=10000)
    assert lst.empty.isVisible() and "No cases match" in lst.count.text()
    lst.clear_filters()
    assert lst.f_status.currentData() == "open"
    qtbot.waitUntil(lambda: lst.model.total == 3, timeout=10000)
    assert not lst.empty.isVisible()
    wait_ops(qtbot)
