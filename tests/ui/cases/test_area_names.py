"""Areas are shown by name with their LSOA code, never as a bare code: a case's summary,
the ugly-mug list, and the area pickers (searchable by part of a name)."""

from __future__ import annotations

from typing import Any

from tests.ui.conftest import wait_ops
from ui.common.areas import area_name, lsoas
from ui.common.qt import QComboBox, Qt


def _pick_area(box: QComboBox, qtbot: Any, typed: str, code: str) -> None:
    """Type part of an area's name into a searchable picker and take the match."""
    box.setFocus()
    box.lineEdit().clear()
    qtbot.keyClicks(box.lineEdit(), typed)
    box.setCurrentIndex(box.findData(code))
    assert box.currentData() == code


def _first_code(dlg: Any) -> None:
    what = dlg.form.fields["code"]
    what.setCurrentIndex(next(i for i in range(what.count()) if what.itemData(i)))


def test_an_asb_case_summary_names_its_area(signed_in: Any, qtbot: Any) -> None:
    code, label = lsoas()[3]
    name = label.split(" (")[0]
    _s, window = signed_in("cm")
    cases = window.show_page("cases")
    wizard = cases.new_case("asb")
    wizard.no_person.setChecked(True)
    wizard.next()
    qtbot.waitUntil(lambda: wizard.step == 2, timeout=5000)
    area = wizard.case.fields["lsoa_code"]
    _pick_area(area, qtbot, name, code)
    wizard.case.fields["summary"].setPlainText("Shouting in the stairwell")
    with qtbot.waitSignal(wizard.created, timeout=15000) as blocker:
        qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    case_id, _reference = blocker.args
    view = cases.views[case_id]
    qtbot.waitUntil(view.is_ready, timeout=15000)
    shown = view.summary.value("Area")
    assert shown == f"{name} ({code})"
    assert shown == area_name(code)
    wait_ops(qtbot)


def test_ugly_mug_reports_take_and_show_areas_by_name(signed_in: Any, qtbot: Any) -> None:
    code, label = lsoas()[5]
    name = label.split(" (")[0]
    _s, window = signed_in("swipchair")
    page = window.show_page("panels")
    qtbot.waitUntil(page.is_ready, timeout=15000)
    mugs = page.ugly_mugs
    mugs.add()
    dlg = page.dialog
    area = dlg.form.fields["lsoa_code"]
    assert isinstance(area, QComboBox) and area.isEditable()  # a picker, not a code box
    _pick_area(area, qtbot, name[-4:], code)
    _first_code(dlg)
    with qtbot.waitSignal(dlg.accepted, timeout=15000):
        qtbot.mouseClick(dlg.submit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: mugs.table.rowCount() == 1, timeout=15000)
    column = [mugs.table.horizontalHeaderItem(c).text()
              for c in range(mugs.table.columnCount())].index("Area")
    assert mugs.table.item(0, column).text() == f"{name} ({code})"
    # no area is "not known", and the list says so rather than showing an empty code
    mugs.add()
    dlg = page.dialog
    assert dlg.form.fields["lsoa_code"].currentData() is None
    _first_code(dlg)
    with qtbot.waitSignal(dlg.accepted, timeout=15000):
        qtbot.mouseClick(dlg.submit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: mugs.table.rowCount() == 2, timeout=15000)
    areas = {mugs.table.item(r, column).text() for r in range(2)}
    assert areas == {f"{name} ({code})", "—"}
    wait_ops(qtbot)
