"""One change signal: a write on a case refreshes the case list and My work; buttons
reflect the case and say why they are greyed."""

from __future__ import annotations

from typing import Any

import pytest

from tests.ui.cases.test_cases import _new_asb_case
from tests.ui.conftest import wait_ops
from ui.common.changes import Change, bus
from ui.common.qt import Qt

pytestmark = pytest.mark.dates


def _list_row(lst: Any, case_id: int) -> Any:
    for row in range(lst.model.rowCount()):
        record = lst.model.row_at(row)
        if record is not None and record.id == case_id:
            return record
    return None


def test_escalation_shows_the_new_stage_in_the_open_case_list(signed_in: Any,
                                                              qtbot: Any) -> None:
    _s, window = signed_in("cm")
    view = _new_asb_case(qtbot, window)
    lst = window.page("cases").list_view
    qtbot.waitUntil(lambda: _list_row(lst, view.case_id) is not None, timeout=10000)
    assert _list_row(lst, view.case_id).stage == "Not escalated"
    seen: list[Any] = []
    bus().changed.connect(seen.append)
    view.escalate()
    qtbot.waitUntil(lambda: view.dialog is not None and view.dialog.isVisible(),
                    timeout=10000)
    dlg = view.dialog
    box = dlg.form.fields["action"]
    box.setCurrentIndex(box.findData("first_warning_letter"))
    with qtbot.waitSignal(dlg.accepted, timeout=20000):
        qtbot.mouseClick(dlg.submit_button, Qt.MouseButton.LeftButton)
    # nobody pressed F5: the list hears of the change and shows the new stage
    qtbot.waitUntil(lambda: _list_row(lst, view.case_id) is not None
                    and _list_row(lst, view.case_id).stage != "Not escalated", timeout=15000)
    assert _list_row(lst, view.case_id).stage.startswith("Stage 1")
    assert any(isinstance(c, Change) and view.case_id in c.case_ids for c in seen)
    bus().changed.disconnect(seen.append)
    wait_ops(qtbot)


def test_buttons_reflect_the_case_and_say_why(signed_in: Any, qtbot: Any) -> None:
    _s, window = signed_in("cm")
    view = _new_asb_case(qtbot, window)
    breach = view.buttons["breach"]
    assert not breach.isEnabled() and "Not now:" in breach.toolTip()
    assert not view.buttons["deescalate"].isEnabled()
    assert "not escalated" in view.buttons["deescalate"].toolTip()
    assert view.buttons["contact"].isEnabled()
    view.buttons["contact"].click()
    dlg = view.dialog
    qtbot.waitUntil(dlg.isVisible, timeout=5000)
    with qtbot.waitSignal(dlg.accepted, timeout=20000):
        qtbot.mouseClick(dlg.submit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not view.buttons["contact"].isEnabled(), timeout=15000)
    assert "first contact was made" in view.buttons["contact"].toolTip()
    # the header names the people, the officer and what is due next
    from ui.common.qt import QTextDocument

    doc = QTextDocument()
    doc.setHtml(view.case_header.text())
    shown = doc.toRawText()  # as drawn: a name's spaces do not break (U+00A0)
    assert "Ada\u00a0Lovelace" in shown and "Officer" in shown
    assert "Ada Lovelace" not in shown  # never "Ada" at a line's end, "Lovelace" below
    wait_ops(qtbot)
