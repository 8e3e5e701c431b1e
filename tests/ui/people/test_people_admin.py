"""The gaps filled: edit and merge people, open a letter, panel names in referral wizards,
retention review, subject access export, who saw what."""

from __future__ import annotations

import stat
from datetime import date
from pathlib import Path
from typing import Any

from casework.cases import letters
from casework.cases.lifecycle import close_case
from casework.people import persons as people
from tests.casework.factories import asb_case, person
from tests.ui.conftest import wait_ops
from ui.common.qt import QDesktopServices, Qt


def _open_person(qtbot: Any, window: Any, person_id: int) -> Any:
    window.open_person(person_id)
    page = window.page("people")
    qtbot.waitUntil(lambda: page.person is not None and page.person.id == person_id,
                    timeout=10000)
    return page


def test_edit_person_dialog_saves_details(db: Any, signed_in: Any, qtbot: Any) -> None:
    pid = person(db.ws("cm"), "Grace", "Hopper")
    _s, window = signed_in("cm")
    page = _open_person(qtbot, window, pid)
    assert page.person_buttons["edit"].isEnabled()
    page.person_buttons["edit"].click()
    dlg = page.dialog
    assert dlg.form.fields["given_name"].text() == "Grace"
    dlg.form.fields["phone"].setText("01865 000000")
    dlg.form.fields["aliases"].setText("Amazing Grace")
    with qtbot.waitSignal(dlg.accepted, timeout=15000):
        qtbot.mouseClick(dlg.submit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.person.phone == "01865 000000", timeout=10000)
    assert page.person.aliases == ("Amazing Grace",)
    assert page.details.value("Phone") == "01865 000000"
    wait_ops(qtbot)


def test_merge_people_moves_the_duplicate(db: Any, signed_in: Any, qtbot: Any) -> None:
    ws = db.ws("cm")
    keep = person(ws, "Ada", "Lovelace")
    dup = person(ws, "Ada", "Lovelase", postcode="OX4 9ZZ")
    _s, window = signed_in("cm")
    page = _open_person(qtbot, window, keep)
    page.person_buttons["merge"].click()
    dlg = page.dialog
    qtbot.keyClicks(dlg.query, "Lovelase")
    qtbot.waitUntil(lambda: dlg.found.count() > 0, timeout=10000)
    assert dlg.chosen_id() == dup
    qtbot.mouseClick(dlg.submit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dlg.form.error.isHidden(), timeout=10000)
    assert dlg.form.error_field == "confirmed"  # a merge is confirmed first
    qtbot.keyClicks(dlg.form.fields["reason"], "Same date of birth and address")
    dlg.form.fields["confirmed"].setChecked(True)
    with qtbot.waitSignal(dlg.accepted, timeout=15000):
        qtbot.mouseClick(dlg.submit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "merged" in page.status.text(), timeout=10000)
    assert people.get_person(ws, dup).merged_into_id == keep
    wait_ops(qtbot)


def test_open_document_writes_a_private_copy(db: Any, signed_in: Any, qtbot: Any,
                                             monkeypatch: Any) -> None:
    ws = db.ws("cm")
    cid = asb_case(ws).header.id
    letters.generate_letter(ws, cid, "first_warning_letter",
                            {"action_date": "1 May 2026", "behaviour": "noise"})
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl",
                        staticmethod(lambda url: opened.append(url.toLocalFile()) or True))
    _s, window = signed_in("cm")
    cases = window.show_page("cases")
    view = cases.open_case(cid, "ASB-x")
    qtbot.waitUntil(view.is_ready, timeout=15000)
    button = view.buttons["open_document"]
    assert button.isEnabled() and button.accessibleName() == "Open document"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(opened), timeout=10000)
    path = Path(opened[0])
    assert path.read_bytes().startswith(b"%PDF")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    from ui.common.documents import forget_all

    forget_all()
    assert not path.exists()


def test_referral_wizard_shows_panel_names(signed_in: Any, qtbot: Any) -> None:
    _s, window = signed_in("swip")
    wizard = window.show_page("cases").new_case("swip")
    box = wizard.case.fields["panel_id"]
    assert [box.itemText(i) for i in range(box.count())] == ["SWIP Panel"]
    assert isinstance(box.itemData(0), int)
    wizard.reject()


def _old_closed_case(db: Any) -> Any:
    ws = db.ws("cm")
    view = asb_case(ws, opened_on=date(2012, 3, 5))
    close_case(ws, view.header.id, "resolved", closed_on=date(2013, 1, 10))
    return view.header


def test_retention_review_anonymises_after_confirmation(db: Any, signed_in: Any,
                                                        qtbot: Any) -> None:
    header = _old_closed_case(db)
    _s, window = signed_in("ig")
    page = window.show_page("governance")
    page.tabs.setCurrentWidget(page.retention)
    tab = page.retention
    qtbot.waitUntil(lambda: tab.loaded, timeout=10000)
    refs = [r.reference for r in tab.table.records]
    assert header.reference in refs
    tab.table.selectRow(refs.index(header.reference))
    dlg = tab.act("anonymise")
    qtbot.keyClicks(dlg.form.fields["reason"], "Retention period over")
    qtbot.mouseClick(dlg.submit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dlg.form.error.isHidden(), timeout=10000)
    assert dlg.form.error_field == "confirmed"
    dlg.form.fields["confirmed"].setChecked(True)
    with qtbot.waitSignal(dlg.accepted, timeout=15000):
        qtbot.mouseClick(dlg.submit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: any(r.anonymised for r in tab.table.records
                                if r.reference == header.reference), timeout=10000)
    assert "anonymised" in page.status.text()
    wait_ops(qtbot)


def test_subject_access_is_not_offered_to_case_managers(db: Any, signed_in: Any,
                                                       qtbot: Any) -> None:
    # A subject access export gathers every case type; a case manager's person view must
    # not offer it (it would open other teams' and panels' records).
    ws = db.ws("cm")
    asb_case(ws)
    _s, window = signed_in("cm")
    from casework.cases.search import search

    hit = next(h for h in search(ws, "Complainant", 10) if h.kind == "person")
    page = _open_person(qtbot, window, hit.id)
    assert "edit" in page.person_buttons
    assert "sar" not in page.person_buttons


def test_the_administrator_has_no_subject_access_retention_or_who_saw(
        signed_in: Any) -> None:
    # The administrator reads no case content: those are information governance's.
    _s, window = signed_in("admin")
    assert "governance" not in window.nav_keys()
    page = window.show_page("admin")
    assert page.sar is None and page.retention is None and page.who_saw is None


def test_the_ig_officer_exports_a_subject_access_request(db: Any, signed_in: Any, qtbot: Any,
                                                         tmp_path: Path) -> None:
    ws = db.ws("cm")
    asb_case(ws)
    from casework.cases.search import search

    pid = next(h for h in search(ws, "Complainant", 10) if h.kind == "person").id
    _s, window = signed_in("ig")
    assert "admin" not in window.nav_keys() and "cases" not in window.nav_keys()
    page = window.show_page("governance")
    tab = page.sar
    page.tabs.setCurrentWidget(tab)
    assert tab.export_button.accessibleName() == "Export everything held"
    tab.person.setText("not a number")
    tab.export(str(tmp_path))
    assert "a number" in tab.status.text() and tab.last is None
    tab.person.setText(str(pid))
    tab.export(str(tmp_path))
    qtbot.waitUntil(lambda: tab.last is not None, timeout=30000)
    assert tab.last.redacted.exists() and tab.last.review.exists() and tab.last.json.exists()
    assert "the request's task is completed" in tab.status.text()


def test_who_saw_what_for_a_case(db: Any, signed_in: Any, qtbot: Any) -> None:
    header = asb_case(db.ws("cm")).header
    _s, window = signed_in("ig")
    page = window.show_page("governance")
    tab = page.who_saw
    page.tabs.setCurrentWidget(tab)
    qtbot.keyClicks(tab.subject, header.reference)
    qtbot.mouseClick(tab.show_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.report is not None, timeout=10000)
    assert tab.table.rowCount() > 0
    assert "cm" in tab.summary.text()
    wait_ops(qtbot)
