"""Administration → Vocabularies, and coded fields in the desktop forms: what a worker picks
is a code, and the anonymised pack prints its label and nothing the worker could type."""

from __future__ import annotations

import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

from casework.core import clock
from tests.ui.conftest import wait_ops
from ui.common.forms import CodeList
from ui.common.qt import QComboBox, Qt


def _accept(qtbot: Any, dlg: Any) -> None:
    with qtbot.waitSignal(dlg.accepted, timeout=15000):
        qtbot.mouseClick(dlg.submit_button, Qt.MouseButton.LeftButton)
    wait_ops(qtbot)


def test_administrator_adds_and_relabels_a_term(signed_in: Any, qtbot: Any) -> None:
    from casework.core.vocabulary import list_terms

    session, window = signed_in("admin")
    page = window.show_page("admin")
    wait_ops(qtbot)
    tab = page.vocabulary
    page.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: tab.loaded, timeout=10000)
    assert tab.name() == "agency"
    assert tab.table.rowCount() == len(list_terms(session.ws, "agency"))
    tab.buttons["add"].click()
    tab.dialog.form.fields["label"].setText("Street pastors")
    _accept(qtbot, tab.dialog)
    qtbot.waitUntil(lambda: any(t.code == "street_pastors"
                                for t in list_terms(session.ws, "agency")), timeout=10000)
    # a label that carries a phone number is refused, with the reason on the form
    tab.buttons["add"].click()
    tab.dialog.form.fields["label"].setText("Call 07700 900123")
    qtbot.mouseClick(tab.dialog.submit_button, Qt.MouseButton.LeftButton)
    wait_ops(qtbot)
    assert tab.dialog.isVisible()
    tab.dialog.reject()
    # fixed vocabularies take no new terms
    tab.choice.setCurrentIndex(tab.choice.findData("exploitation_type"))
    qtbot.waitUntil(lambda: not tab.buttons["add"].isEnabled(), timeout=10000)


def test_forms_offer_vocabularies_and_the_pack_prints_labels(signed_in: Any, qtbot: Any,
                                                            tmp_path: Path) -> None:
    from casework.panels.meetings import build_agenda, record_attendance, schedule_meetings
    from casework.panels.swip import refer
    from ui.panels.referral_view import ActionDialog
    from ui.panels.wizards import NewSwipWizard

    session, window = signed_in("swipchair")
    ws = session.ws
    wizard = NewSwipWizard(window, ws)
    fields = wizard.case.fields
    assert isinstance(fields["referrer_agency"], QComboBox)
    assert isinstance(fields["agencies"], CodeList) and isinstance(fields["needs"], CodeList)
    assert fields["referrer_agency"].findData("self_referral") >= 0
    assert not fields["referrer_agency"].isEditable()
    wizard.close()

    panel = min(ws.actor.panel_ids)
    referral = refer(ws, panel, "swip", None, clock.today() - timedelta(days=3), "Outreach",
                     "self_referral", "given", ["housing"], "high", ["police"],
                     location_concern=True)
    case_id = (getattr(referral, "header", None) or referral.case).id
    dlg = ActionDialog(window, ws, case_id)
    agency = dlg.form.fields["agency"]
    assert isinstance(agency, QComboBox) and not agency.isEditable()
    agency.setCurrentIndex(agency.findData("drug_alcohol"))
    dlg.form.fields["owner"].setText("Zebulon Fritterwick")
    dlg.form.fields["description"].setPlainText("Ring Zebulon Fritterwick on 07700 900999")
    _accept(qtbot, dlg)

    meeting = schedule_meetings(ws, panel, clock.today() + timedelta(days=1), 1)[0]
    record_attendance(ws, meeting.id, "Chair person", "Council")
    build_agenda(ws, meeting.id)
    from casework.panels import pack

    out = tmp_path / "pack.pdf"
    pack.export_pack(ws, meeting.id, "Chair person", out)
    body = " ".join(subprocess.run(["pdftotext", "-raw", str(out), "-"], check=True,
                                   capture_output=True, text=True).stdout.split())
    assert "Referred by (agency) Self-referral" in body
    assert "Drug and alcohol service" in body
    assert "Fritterwick" not in body and "900999" not in body
