"""An ASB case's tabs, with their counts, all show at 1280x720 logical pixels (1366x768
at 100%, 1920x1080 at 150%): no tab hidden behind scroll buttons, none cut short."""

from __future__ import annotations

from typing import Any

from tests.ui.cases.test_cases import _new_asb_case
from tests.ui.conftest import wait_ops
from ui.common.mnemonics import clashes


def test_every_asb_case_tab_shows_at_1280(signed_in: Any, qtbot: Any) -> None:
    _session, window = signed_in("cm")
    view = _new_asb_case(qtbot, window)
    window.resize(1280, 720)
    window.show()
    wait_ops(qtbot)
    tabs = view.tabs
    bar = tabs.tabBar()
    qtbot.waitUntil(lambda: bar.isVisible() and tabs.width() <= 1280, timeout=10000)
    # two-digit counts, as a busy case has: the widest labels the bar must hold
    view._count_tabs()
    for i in range(tabs.count()):
        text = tabs.tabText(i)
        if text.endswith(")"):
            tabs.setTabText(i, text[:text.rindex("(")] + "(88)")
    tabs.setCurrentIndex(3)  # the widest label, in the bold of the chosen tab
    qtbot.wait(50)
    labels = [tabs.tabText(i).replace("&", "") for i in range(tabs.count())]
    assert labels[:4] == ["Summary", "People (88)", "Incidents (88)",
                          "Stages and steps (88)"], labels
    assert {"Linked cases (88)", "Evidence (88)", "History"} <= set(labels)
    for i in range(tabs.count()):
        rect = bar.tabRect(i)
        assert rect.left() >= 0 and rect.right() < bar.width(), (labels[i], rect, bar.width())
        # the whole label is drawn: the tab is not squeezed below the size its text needs
        need = bar.tabSizeHint(i).width()
        assert rect.width() >= need, (labels[i], rect.width(), need)
    buttons = [b for b in bar.children() if b.metaObject().className() == "QToolButton"]
    assert not any(b.isVisible() for b in buttons), "scroll buttons shown"
    assert clashes(window) == {}
