"""The meeting screen as a chair meets it on a 1366x768 laptop: the agenda fits its width
(no sideways scrolling, the referral in full), and the minute form of the chosen referral
shows without scrolling. A meeting and a referral can be chosen (as --screenshot does)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from casework.core import clock
from tests.ui.conftest import wait_ops
from tests.ui.panels.test_meetings import _submit
from ui.common.mnemonics import clashes

pytestmark = pytest.mark.dates


def test_agenda_and_minute_fit_at_1366(signed_in: Any, qtbot: Any) -> None:
    from casework.panels.swip import refer

    session, window = signed_in("swipchair")
    ws = session.ws
    panel = min(ws.actor.panel_ids)
    refs = [refer(ws, panel, "swip", None, clock.today() - timedelta(days=3 + n), "Outreach",
                  "sexual_health", "given", ["housing"], risk, ["police"],
                  location_concern=True).header.reference
            for n, risk in enumerate(("standard", "high", "medium"))]
    window.resize(1366, 768)
    window.show()
    page = window.show_page("panels")
    wait_ops(qtbot)
    first = clock.today() + timedelta(days=2)
    page.schedule_button.click()
    _submit(qtbot, page, lambda dlg: dlg.form.fields["first_on"].setDate(first))
    qtbot.waitUntil(lambda: page.meeting is not None, timeout=10000)
    assert not page.choose_meeting(None)  # nothing held yet: no "last meeting"
    assert not page.choose_meeting(first - timedelta(days=1))
    later = page.meetings[1].scheduled_on
    assert page.choose_meeting(later)
    qtbot.waitUntil(lambda: page.meeting.scheduled_on == later and page.is_ready(),
                    timeout=10000)
    assert page.choose_meeting(first)
    qtbot.waitUntil(lambda: page.meeting.scheduled_on == first and page.is_ready(),
                    timeout=10000)
    page.buttons["agenda"].click()
    qtbot.waitUntil(lambda: page.agenda.rowCount() == 3, timeout=10000)
    wait_ops(qtbot)
    assert page.choose_referral(refs[2])
    assert page.minute_panel.title.text() == f"Minute: {refs[2]}"
    assert not page.choose_referral("SWIP-1999-999999")
    qtbot.wait(50)

    agenda = page.agenda
    header = agenda.horizontalHeader()
    total = sum(header.sectionSize(c) for c in range(agenda.columnCount()))
    widths = [header.sectionSize(c) for c in range(agenda.columnCount())]
    assert total <= agenda.viewport().width() + 1, (widths, agenda.viewport().width())
    assert header.sectionSize(1) >= agenda.sizeHintForColumn(1)  # the referral in full
    assert all(header.sectionSize(c) >= 36 for c in range(agenda.columnCount()))
    assert agenda.item(0, 1).toolTip() == agenda.item(0, 1).text()
    # the minute form: every field and the save button in view, no scrolling
    scroll = page.minute_panel.parentWidget().parentWidget()
    assert scroll.verticalScrollBar().maximum() == 0
    assert scroll.horizontalScrollBar().maximum() == 0
    bar = page.lower.tabBar()
    assert all(bar.tabRect(i).right() < bar.width() for i in range(bar.count()))
    assert clashes(window) == {}


def test_a_narrow_agenda_keeps_the_reference_whole(qtbot: Any) -> None:
    """At 150% scaling with the minute form open the agenda is narrow: the reason, the
    headings wider than their cells and the risk give way (full text in a tooltip) before
    the reference the panel reads out is cut."""
    from types import SimpleNamespace

    from ui.panels.screen import AgendaTable

    columns = [("No.", lambda i: i.order), ("Referral", lambda i: i.reference),
               ("Why", lambda i: i.reason), ("Risk", lambda i: i.risk_level),
               ("Discussed", lambda i: i.discussed), ("Decision", lambda i: i.decision),
               ("Minute", lambda i: i.progress)]
    table = AgendaTable(columns, "Agenda")
    qtbot.addWidget(table)
    rows = [SimpleNamespace(order=n, reference=f"SWIP-2026-{n:06d}",
                            reason="Review due", risk_level="Standard", discussed="Yes",
                            decision="Keep open", progress="Engaging with outreach")
            for n in range(1, 6)]
    table.set_records(rows)
    table.show()
    header = table.horizontalHeader()
    full = table.sizeHintForColumn(AgendaTable.REFERRAL)
    roomy = sum(max(table.sizeHintForColumn(c), 40) for c in range(7)) + 200
    table.resize(roomy, 300)
    qtbot.waitUntil(lambda: header.sectionSize(AgendaTable.REFERRAL) >= full, timeout=3000)
    why_wide = header.sectionSize(AgendaTable.WHY)
    # narrower than everything at its own width, but room for the reference and the rest
    # at their floors
    table.resize(full + 36 + 44 + 40 + 56 + 100 + 40, 300)
    qtbot.waitUntil(lambda: header.sectionSize(AgendaTable.WHY) < why_wide, timeout=3000)
    assert header.sectionSize(AgendaTable.REFERRAL) >= full
    total = sum(header.sectionSize(c) for c in range(7))
    assert total <= table.viewport().width() + 1
    assert table.item(0, AgendaTable.WHY).toolTip() == "Review due"
    assert table.item(0, AgendaTable.RISK).toolTip() == "Standard"
