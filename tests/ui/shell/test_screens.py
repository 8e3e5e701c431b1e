"""Search as you type, people, reports with an export, and administration."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from casework.core import clock
from tests.ui.cases.test_cases import _new_asb_case
from tests.ui.conftest import wait_ops
from ui.common.qt import Qt


def test_search_as_you_type_opens_a_person(signed_in: Any, qtbot: Any) -> None:
    _s, window = signed_in("cm")
    _new_asb_case(qtbot, window, "Ada", "Lovelace")
    box = window.search
    with qtbot.waitSignal(box.results_shown, timeout=10000):
        qtbot.keyClicks(box, "Lovel")
    kinds = [h.kind for h in box.hits]
    assert "person" in kinds
    person = next(h for h in box.hits if h.kind == "person")
    box.open_hit(person)
    page = window.page("people")
    qtbot.waitUntil(lambda: page.person is not None, timeout=10000)
    assert page.name.text() == "Ada Lovelace"
    assert page.cases.rowCount() == 1


def test_reports_show_kpis_and_export(signed_in: Any, qtbot: Any, tmp_path: Path) -> None:
    _s, window = signed_in("coord")
    page = window.show_page("reports")
    qtbot.waitUntil(page.is_ready, timeout=15000)
    assert page.kpis is not None
    assert "ASB cases opened" in page.figures.text()
    out = tmp_path / "return.csv"
    page.export("trigger", str(out))
    qtbot.waitUntil(lambda: page.last_export is not None, timeout=30000)
    assert out.exists()
    assert "protocol version" in page.status.text()


def test_admin_adds_a_user_and_sees_slots_and_protocol(signed_in: Any, qtbot: Any) -> None:
    _s, window = signed_in("admin")
    page = window.show_page("admin")
    qtbot.waitUntil(page.is_ready, timeout=15000)
    before = page.users.rowCount()
    assert page.slots.rowCount() >= before
    assert "Current version" in page.protocol.text()
    page.tabs.setCurrentIndex(0)
    from ui.admin.dialogs import AddUserDialog

    dlg = page._open(AddUserDialog(page, page.ws), "User added.")
    qtbot.keyClicks(dlg.form.fields["username"], "newbie")
    dlg.form.fields["role"].setCurrentIndex(dlg.form.fields["role"].findData("coordinator"))
    qtbot.keyClicks(dlg.form.fields["team"], "Partnership Team")
    qtbot.mouseClick(dlg.submit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dlg.form.error.isHidden(), timeout=10000)
    assert dlg.form.error_field == "password"  # empty password: named, input kept
    assert dlg.form.fields["username"].text() == "newbie"
    qtbot.keyClicks(dlg.form.fields["password"], "a long new password")
    with qtbot.waitSignal(dlg.accepted, timeout=20000):
        qtbot.mouseClick(dlg.submit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.users.rowCount() == before + 1, timeout=15000)
    wait_ops(qtbot)


def test_my_work_lists_deadline_tasks(signed_in: Any, qtbot: Any) -> None:
    _s, window = signed_in("cm")
    view = _new_asb_case(qtbot, window)
    page = window.show_page("mywork")
    page.refresh()
    qtbot.waitUntil(page.is_ready, timeout=10000)
    # First contact is due in 5 working days: a week away, so not yet "due this week".
    assert page.overdue.rowCount() + page.week.rowCount() == 0
    page.loaded = False
    with clock.frozen(view.view.first_contact_due):  # on the day it is due, it is
        page.refresh()
        qtbot.waitUntil(page.is_ready, timeout=10000)
    assert page.overdue.rowCount() == 0 and page.week.rowCount() == 1
