"""The leak test, seeded through the desktop's own forms: distinctive people typed into
the new-case wizard (person and SWIP / MART referral pages) and written into the minutes
as people write (a name with its date of birth, phone and street, marked shareable); then
every anonymised or depersonalised output, as every role that may produce it, is scanned
(PDF text, CSV, every XLSX part, file names) for those values."""

from __future__ import annotations

import json
import subprocess
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from casework.core import clock
from casework.reporting import kpi_report
from casework.sharing import quarterly
from casework.trigger import annual_return as trigger_return
from tests.casework.sharing.test_leak import text_of
from tests.ui.cases.test_workflows import _create, _wizard
from tests.ui.conftest import wait_ops
from ui.common.qt import QDate, Qt

# Depends on what day it is: CI runs it on several (tests/conftest.py).
pytestmark = pytest.mark.dates

SWIP = {"given": "Zephyrine", "family": "Quillfeather", "dob": date(1970, 7, 3),
        "line1": "14 Wexcombe Lane", "postcode": "OX4 9ZQ", "phone": "07700 900461",
        "referrer": "Tamsin Brackenridge", "alias": "Zeph Brightwater",
        "email": "zq.brightwater@example.org", "line2": "Flat 3 Corvenna House"}
MART = {"given": "Oluwaseun", "family": "Vantongeren", "dob": date(1988, 1, 9),
        "line1": "2 Pelham Ropewalk", "postcode": "OX3 7QB", "phone": "07700 900872",
        "referrer": "Ingrid Halvorsen", "alias": "Seun Amadiume",
        "email": "seun.v88@example.org", "line2": "Marlcombe Yard"}
# What must never come out, however it was written.
SECRETS = ("zephyrine", "quillfeather", "wexcombe", "ox4 9zq", "ox49zq", "900461",
           "brackenridge", "tamsin", "1970-07-03", "03/07/1970", "3 jul 1970", "03 jul 1970",
           "oluwaseun", "vantongeren", "pelham", "ropewalk", "ox3 7qb", "ox37qb", "900872",
           "halvorsen", "ingrid", "1988-01-09", "09/01/1988", "9 jan 1988", "09 jan 1988",
           "brightwater", "zeph ", "corvenna", "amadiume", "seun", "marlcombe", "@example.org")


def _minute_text(p: dict[str, Any]) -> str:
    dob = p["dob"]
    nth = {1: "st", 2: "nd", 3: "rd"}.get(dob.day % 10 if dob.day // 10 != 1 else 0, "th")
    return (f"{p['given']} {p['family']} (born {dob.day}{nth} {dob.strftime('%B %Y')}) rang "
            f"from {p['phone'].replace(' ', '-')}; her sister says {p['family']}’s room on "
            f"{p['line1'].split(' ', 1)[1]} near {p['postcode']} is not safe. Known as "
            f"{p['alias']}, writes from {p['email']}, was at {p['line2']}.")


def _edit_person(qtbot: Any, window: Any, person_id: int, p: dict[str, Any]) -> None:
    """The person form: an alias, an e-mail, a second address line and a note."""
    window.open_person(person_id)
    page = window.page("people")
    qtbot.waitUntil(lambda: page.person is not None and page.person.id == person_id,
                    timeout=10000)
    page.person_buttons["edit"].click()
    dlg = page.dialog
    f = dlg.form.fields
    qtbot.keyClicks(f["aliases"], p["alias"])
    qtbot.keyClicks(f["email"], p["email"])
    qtbot.keyClicks(f["line2"], p["line2"])
    f["notes"].setPlainText(f"{p['given']} asked us to call {p['referrer']} first.")
    _submit(qtbot, dlg)
    qtbot.waitUntil(lambda: page.person.aliases == (p["alias"],), timeout=10000)


def _refer(qtbot: Any, window: Any, case_type: str, p: dict[str, Any]) -> Any:
    cases, wizard = _wizard(qtbot, window, case_type, p["given"], p["family"])
    if wizard.step != 2:  # back to the person page to fill the rest
        pytest.fail("the wizard did not reach the case page")
    wizard.back()
    qtbot.waitUntil(lambda: wizard.step == 0, timeout=10000)
    f = wizard.person.fields
    wizard.dob_known.setChecked(True)
    dob = p["dob"]
    f["date_of_birth"].setDate(QDate(dob.year, dob.month, dob.day))
    qtbot.keyClicks(f["line1"], p["line1"])
    qtbot.keyClicks(f["postcode"], p["postcode"])
    qtbot.keyClicks(f["phone"], p["phone"])
    wizard.next()
    qtbot.waitUntil(lambda: wizard.step != 0, timeout=10000)
    if wizard.step == 1:
        wizard.matches_list.setCurrentRow(wizard.matches_list.count() - 1)
        wizard.next()
    qtbot.waitUntil(lambda: wizard.step == 2, timeout=10000)
    c = wizard.case.fields
    c["referred_on"].setDate(QDate(*(clock.today() - timedelta(days=3)).timetuple()[:3]))
    qtbot.keyClicks(c["referrer_name"], f"{p['referrer']} ({p['given']}'s sister)")
    agency = c["referrer_agency"]
    agency.setCurrentIndex(agency.findData("police"))
    return _create(qtbot, cases, wizard)


def _submit(qtbot: Any, dlg: Any) -> None:
    with qtbot.waitSignal(dlg.accepted, timeout=15000):
        qtbot.mouseClick(dlg.submit_button, Qt.MouseButton.LeftButton)
    wait_ops(qtbot)


def _chair(qtbot: Any, window: Any, p: dict[str, Any], out: Path) -> list[Path]:
    """Schedule, agenda, attendance, a shareable minute written naturally, pack and minutes."""
    page = window.show_page("panels")
    wait_ops(qtbot)
    page.dialog = None
    page.schedule_button.click()
    qtbot.waitUntil(lambda: page.dialog is not None and page.dialog.isVisible(), timeout=10000)
    page.dialog.form.fields["first_on"].setDate(
        QDate(*(clock.today() + timedelta(days=2)).timetuple()[:3]))
    _submit(qtbot, page.dialog)
    qtbot.waitUntil(lambda: page.meeting is not None, timeout=10000)
    page.buttons["agenda"].click()
    qtbot.waitUntil(lambda: page.agenda.rowCount() >= 1, timeout=10000)
    page.dialog = None
    page.buttons["attendance"].click()
    qtbot.waitUntil(lambda: page.dialog is not None and page.dialog.isVisible(), timeout=10000)
    page.dialog.set_status(0, "present")
    _submit(qtbot, page.dialog)
    panel = page.minute_panel
    page.agenda.selectRow(0)
    panel.form.fields["progress"].setPlainText(_minute_text(p))
    panel.form.fields["decision"].setText(f"Call {p['given']} on +44 {p['phone'][1:]}")
    panel.form.fields["shareable"].setChecked(True)
    box = panel.form.fields["agency"]
    box.setCurrentIndex(box.findData("housing_options"))
    panel.form.fields["description"].setText(f"Visit {p['family']} at {p['line1']}")
    panel.form.fields["action_shareable"].setChecked(True)
    qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    wait_ops(qtbot)
    qtbot.waitUntil(lambda: page.agenda.item(0, 5).text() != "", timeout=10000)
    files: list[Path] = []
    for document, printer in (("pack", page.print_pack), ("minutes", page.print_minutes)):
        folder = out / document
        page.last_export = None
        printer(str(folder))
        qtbot.waitUntil(lambda: page.last_export is not None, timeout=30000)
        got = sorted(folder.glob("*.pdf"))
        assert got, page.status.text()
        files += got
    wait_ops(qtbot)
    return files


def _scan(paths: list[Path]) -> dict[str, list[str]]:
    found = {}
    for path in paths:
        text = " ".join(text_of(path).casefold().split()).replace("’", "'")
        hits = [s for s in SECRETS if s in text or s in path.name.casefold()]
        if hits:
            found[path.name] = hits
    return found


def test_values_typed_into_the_desktop_forms_never_leave(signed_in: Any, qtbot: Any, db: Any,
                                                        tmp_path: Path) -> None:
    _s, swip_window = signed_in("swipchair")
    swip_view = _refer(qtbot, swip_window, "swip", SWIP)
    _s, mart_window = signed_in("martchair")
    mart_view = _refer(qtbot, mart_window, "mart", MART)
    # The values went in as typed.
    from db.models import Person
    ids = {}
    with db.ws("admin").uow() as session:
        for p in (SWIP, MART):
            person = session.query(Person).filter_by(family_name=p["family"]).one()
            assert (person.given_name, person.date_of_birth, person.phone) == (
                p["given"], p["dob"], p["phone"])
            ids[p["family"]] = person.id
    _edit_person(qtbot, swip_window, ids[SWIP["family"]], SWIP)
    _edit_person(qtbot, mart_window, ids[MART["family"]], MART)
    assert swip_view.header.reference and mart_view.header.reference
    files = _chair(qtbot, swip_window, SWIP, tmp_path / "swip")
    files += _chair(qtbot, mart_window, MART, tmp_path / "mart")
    # The minutes keep the shareable progress, scrubbed: the panel still reads it.
    minutes = subprocess.run(["pdftotext", "-layout", str(sorted(
        (tmp_path / "swip" / "minutes").glob("*.pdf"))[0]), "-"], check=True,
        capture_output=True, text=True).stdout
    assert "rang" in minutes and "not safe" in minutes

    quarter = f"{clock.today().year}Q{(clock.today().month - 1) // 3 + 1}"
    for user in ("coord",):
        ws = db.ws(user)
        (tmp_path / user).mkdir()
        files += list(quarterly.export_quarterly(ws, quarter, tmp_path / user / "q").files)
        for suffix in (".pdf", ".csv", ".xlsx"):
            files += list(kpi_report.export_kpi_report(
                ws, quarter, tmp_path / user / f"kpi{suffix}").files)
            files += list(trigger_return.export_trigger_return(
                ws, clock.today().year, tmp_path / user / f"return{suffix}").files)
        json_path = tmp_path / user / "kpis.json"
        json_path.write_text(json.dumps(kpi_report.released_figures(ws, quarter)), encoding="utf-8")
        files.append(json_path)
    assert len(files) >= 12
    assert _scan(files) == {}
