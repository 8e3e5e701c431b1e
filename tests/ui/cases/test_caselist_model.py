"""The case list model: no reference is lost on None (a binding bug), paging, sort roles."""

from __future__ import annotations

import sys
from typing import Any

from tests.ui.cases.test_cases import _new_asb_case
from ui.cases.caselist_model import COL_REFERENCE, COL_RISK, IdRole, SortRole
from ui.common.qt import Qt


def test_data_returning_nothing_keeps_none_alive(signed_in: Any, qtbot: Any) -> None:
    _s, window = signed_in("cm")
    _new_asb_case(qtbot, window)
    model = window.page("cases").list_view.model
    qtbot.waitUntil(lambda: model.rowCount() == 1, timeout=10000)
    index = model.index(0, COL_REFERENCE)
    before = sys.getrefcount(None)
    for _ in range(500):
        index.data(Qt.ItemDataRole.DecorationRole)  # no value for this role
    assert sys.getrefcount(None) >= before
    assert isinstance(index.data(IdRole), int)
    assert model.index(0, COL_RISK).data(SortRole) in (0, 1, 2)
