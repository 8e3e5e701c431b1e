"""The desktop remembers the window, column widths, the last sign-in and each user's open
case tabs through QSettings, and writes nothing personal there."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.ui.cases.test_cases import _new_asb_case
from tests.ui.conftest import wait_ops
from ui.common import remember
from ui.common.qt import QSettings


def test_open_tabs_and_window_come_back_for_the_same_user(signed_in: Any, qtbot: Any,
                                                          db: Any) -> None:
    _s, window = signed_in("cm")
    view = _new_asb_case(qtbot, window, "Ada", "Lovelace")
    window.resize(700, 520)  # within the offscreen test screen (800x600)
    window.page("cases").list_view.table.setColumnWidth(0, 222)
    window.close()  # saves
    assert remember.last_sign_in() == (str(db.path), "cm")
    _s2, again = signed_in("cm")
    cases = again.page("cases")
    qtbot.waitUntil(lambda: view.case_id in cases.views, timeout=10000)
    assert (again.width(), again.height()) == (700, 520)
    assert cases.list_view.table.columnWidth(0) == 222
    # another user does not get cm's tabs
    _s3, other = signed_in("cm2")
    other_cases = other.page("cases")
    assert other_cases is None or not other_cases.views
    wait_ops(qtbot)
    path = Path(QSettings().fileName())
    text = path.read_text(encoding="utf-8", errors="replace")
    assert "Lovelace" not in text and "Ada" not in text and "OX1" not in text
    assert str(view.case_id) in text
