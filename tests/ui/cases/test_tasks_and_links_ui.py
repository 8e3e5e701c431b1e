"""My work snoozes, reassigns and completes tasks; a case lists the cases linked to it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from casework.cases import tasks
from casework.core import clock, users
from tests.casework.factories import asb_case
from tests.conftest import PASSWORD
from tests.ui.conftest import wait_ops
from ui.common.qt import QDate


def _board_titles(ws: Any) -> list[str]:
    board = tasks.my_tasks(ws)
    return [t.title for t in board.overdue + board.due_this_week]


def test_my_work_snoozes_reassigns_and_completes_tasks(signed_in: Any, qtbot: Any,
                                                       db: Any) -> None:
    users.add_user(db.ws("admin"), "cm3", PASSWORD, "case_manager", display_name="Cee Three",
                   team="ASB Team")
    for _ in range(3):
        asb_case(db.ws("cm"), opened_on=clock.today() - timedelta(days=1))
    _s, window = signed_in("cm")
    page = window.show_page("mywork")
    qtbot.waitUntil(page.is_ready, timeout=15000)
    start = page.overdue.rowCount() + page.week.rowCount()
    assert start >= 3
    # Nothing chosen: the buttons say so instead of acting on a guess.
    page.overdue.clearSelection()
    page.week.clearSelection()
    page.task_buttons["done"].click()
    assert page.status.text() == "Choose a task first."

    def choose_first() -> Any:
        table = page.overdue if page.overdue.rowCount() else page.week
        table.selectRow(0)
        return page.current_task()

    task = choose_first()
    dlg = page.snooze()
    dlg.form.fields["reason"].setPlainText("")
    dlg.on_submit()
    wait_ops(qtbot)
    assert dlg.isVisible() and "reason" in dlg.form.error.text().lower()  # nothing lost
    dlg.form.fields["until"].setDate(QDate(clock.today() + timedelta(days=14)))
    dlg.form.fields["reason"].setPlainText("Complainant away until then")
    with qtbot.waitSignal(dlg.accepted, timeout=15000):
        dlg.on_submit()
    qtbot.waitUntil(lambda: page.overdue.rowCount() + page.week.rowCount() == start - 1,
                    timeout=15000)
    assert page.status.text() == f"Snoozed: {task.title}."

    task = choose_first()
    page.task_buttons["reassign"].click()
    qtbot.waitUntil(lambda: page.dialog is not None and page.dialog.isVisible(),
                    timeout=15000)
    dlg = page.dialog
    picker = dlg.form.fields["user_id"]
    picker.lineEdit().setText("three")
    picker.lineEdit().editingFinished.emit()
    assert picker.currentText() == "Cee Three"
    dlg.form.fields["reason"].setPlainText("Covering the patch")
    with qtbot.waitSignal(dlg.accepted, timeout=15000):
        dlg.on_submit()
    wait_ops(qtbot)
    assert task.title in _board_titles(db.ws("cm3"))

    qtbot.waitUntil(lambda: page.overdue.rowCount() + page.week.rowCount() == start - 2,
                    timeout=15000)
    task = choose_first()
    page.task_buttons["done"].click()
    wait_ops(qtbot)
    assert page.status.text() == f"Done: {task.title}."
    qtbot.waitUntil(lambda: page.overdue.rowCount() + page.week.rowCount() == start - 3,
                    timeout=15000)


def test_the_case_view_lists_cases_sharing_a_person_or_address(signed_in: Any, qtbot: Any,
                                                               db: Any) -> None:
    ws = db.ws("cm")
    first = asb_case(ws, opened_on=date(2026, 1, 5))
    second = asb_case(ws, opened_on=date(2026, 2, 5))  # the same street addresses
    _s, window = signed_in("cm")
    cases = window.show_page("cases")
    view = cases.open_case(second.header.id, second.header.reference)
    qtbot.waitUntil(view.is_ready, timeout=15000)
    assert view.linked.rowCount() == 1
    assert view.linked.item(0, 0).text() == first.header.reference
    assert view.linked.item(0, 4).text() == "Address"
    index = view.tabs.indexOf(view.linked)
    assert view.tabs.tabText(index) == "Linked cases (1)"
    view.linked.selectRow(0)
    view._open_linked()
    qtbot.waitUntil(lambda: first.header.id in cases.views, timeout=15000)
