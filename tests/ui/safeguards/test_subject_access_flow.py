"""A subject access request worked by the information-governance officer in the window:
find the person, export, check the copies, record the disclosure, see it in the log and
the request's task completed."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from casework.cases.tasks import my_tasks
from tests.casework.conftest import NEIGHBOUR, add_case, add_person
from tests.ui.conftest import wait_ops
from ui.common.qt import QDate, Qt

pytestmark = pytest.mark.dates


def test_a_subject_access_request_by_the_ig_officer(db: Any, signed_in: Any, qtbot: Any,
                                                    tmp_path: Path) -> None:
    ws = db.ws("admin")
    subject = add_person(ws, given_name="Wilhelmina", family_name="Quarrendon",
                         date_of_birth=date(1975, 4, 2), phone="07700900777")
    other = add_person(ws, **NEIGHBOUR)
    add_case(ws, "ASB-2026-000021", parties={subject: "victim", other: "perpetrator"},
             opened=date(2026, 9, 1),
             note="Marigold Thistlewaite rang on 07700 900456 to complain about Wilhelmina.")
    session, window = signed_in("ig")
    assert "governance" in window.nav_keys()
    page = window.show_page("governance")
    tab = page.sar
    assert page.tabs.currentWidget() is tab
    # find the subject by name, as typed from the request letter
    qtbot.keyClicks(tab.find, "quarr wil")
    qtbot.mouseClick(tab.search_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(tab.matches) == 1, timeout=15000)
    assert tab.results.item(0, 0).text() == "Wilhelmina Quarrendon"
    assert tab.person.text() == str(subject)
    tab.received.setDate(QDate(2026, 11, 2))
    tab.export(str(tmp_path))
    qtbot.waitUntil(lambda: tab.last is not None, timeout=30000)
    result = tab.last
    assert result.request.due_on == date(2026, 12, 2)
    assert "blacked out" in tab.status.text()
    redacted = " ".join(p.extract_text() for p in PdfReader(result.redacted).pages)
    review = " ".join(p.extract_text() for p in PdfReader(result.review).pages)
    for secret in ("Thistlewaite", "07700 900456"):
        assert secret in review and secret not in redacted
    assert "Wilhelmina" in redacted and "07700900777" in redacted
    # the task was the officer's and the export completed it
    assert not any(t.title.startswith("Subject access") for t in
                   my_tasks(db.ws("ig"), date(2026, 12, 2)).overdue)
    # record the disclosure of the redacted copy
    assert tab.disclose_button.isEnabled()
    dlg = tab.disclose()
    qtbot.mouseClick(dlg.submit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dlg.form.error.isHidden(), timeout=10000)
    assert dlg.form.error_field == "recipient"  # nothing lost: the dialog stays open
    qtbot.keyClicks(dlg.form.fields["recipient"], "Wilhelmina Quarrendon (the data subject)")
    with qtbot.waitSignal(dlg.accepted, timeout=15000):
        qtbot.mouseClick(dlg.submit_button, Qt.MouseButton.LeftButton)
    assert "Disclosure recorded" in tab.status.text()
    page.tabs.setCurrentWidget(page.disclosures)
    log = page.disclosures
    qtbot.waitUntil(lambda: log.loaded and log.table.rowCount() == 1, timeout=15000)
    assert log.table.item(0, 2).text() == "Wilhelmina Quarrendon (the data subject)"
    assert result.redacted.name in log.table.item(0, 5).text()
    wait_ops(qtbot)
    del session
