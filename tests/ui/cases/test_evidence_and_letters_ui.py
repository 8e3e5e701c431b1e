"""Through the window: attach a photo and open it; issue a CPN with its requirements and
find the letter among the documents; close a case with an open recommendation."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from casework.core import clock
from tests.ui.cases.test_workflows import _act, _create, _wizard

pytestmark = pytest.mark.dates

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_attach_a_photo_and_open_it(signed_in: Any, qtbot: Any, tmp_path: Any,
                                    monkeypatch: Any) -> None:
    from ui.common import documents

    opened: list[Any] = []
    monkeypatch.setattr(documents.QDesktopServices, "openUrl",
                        lambda url: opened.append(url.toLocalFile()) or True)
    photo = tmp_path / "rear-gate.png"
    photo.write_bytes(PNG)
    _s, window = signed_in("cm")
    cases, wizard = _wizard(qtbot, window, "asb", "Paula", "Photo")
    view = _create(qtbot, cases, wizard)

    def attach(f: Any) -> None:
        f["file"].setText(str(photo))
        f["evidence_type"].setCurrentIndex(f["evidence_type"].findData("photo"))
        f["description"].setPlainText("Fly-tipping at the rear gate")
    _act(qtbot, view, "evidence", attach)
    assert view.evidence.rowCount() == 1
    view.evidence.selectRow(0)
    view.open_evidence()
    qtbot.waitUntil(lambda: bool(opened), timeout=10000)
    assert opened[0].endswith(".png")
    with open(opened[0], "rb") as fh:
        assert fh.read() == PNG


def test_issue_a_cpn_with_its_requirements(signed_in: Any, qtbot: Any) -> None:
    _s, window = signed_in("cm")
    cases, wizard = _wizard(qtbot, window, "asb", "Colin", "Caller")
    view = _create(qtbot, cases, wizard)

    def subject(f: Any) -> None:
        f["given_name"].setText("Norah")
        f["family_name"].setText("Noise")
        f["date_of_birth"].setDate(clock.today() - timedelta(days=365 * 30))
        f["line1"].setText("9 Howard Street")
        f["town"].setText("Oxford")
        f["postcode"].setText("OX4 3AY")
        f["role"].setCurrentIndex(f["role"].findData("perpetrator"))
    _act(qtbot, view, "party", subject)

    def cpw(f: Any) -> None:
        f["action"].setCurrentIndex(f["action"].findData("cpw"))
        f["reason"].setPlainText("Serious and persistent noise")
    _act(qtbot, view, "escalate", cpw)

    def cpn(f: Any) -> None:
        f["action"].setCurrentIndex(f["action"].findData("cpn"))
        # only what the notice's letter needs is asked for
        assert not f["requirements"].isHidden() and not f["comply_by"].isHidden()
        assert f["hearing_date"].isHidden() and f["contract_terms"].isHidden()
        f["requirements"].setPlainText("Do not play amplified music after 11pm.")
        f["comply_by"].setText("within 7 days")
    _act(qtbot, view, "escalate", cpn)
    titles = [d.title for d in view.parts.documents if d.kind == "letter"]
    assert any(t.startswith("Community Protection Notice") for t in titles)
    import io

    from pypdf import PdfReader

    from casework.cases.caseview import document_content

    doc = next(d for d in view.parts.documents if d.title.startswith("Community Protection"))
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(
        document_content(view.ws, doc.id).content)).pages)
    assert "Do not play amplified music after 11pm." in text and "£100" in text
    assert "21 days" in text
    flat = " ".join(text.replace("\u00a0", " ").split())
    assert "Time allowed to comply with these requirements: within 7 days." in flat
    assert "appeal against this notice to Oxford Magistrates' Court" in flat


def test_close_a_case_with_an_open_recommendation(signed_in: Any, qtbot: Any) -> None:
    from casework.trigger import applications as trigger
    from casework.trigger import review

    _s, window = signed_in("cm")
    cases, wizard = _wizard(qtbot, window, "trigger", "Ruth", "Review")
    view = _create(qtbot, cases, wizard)  # no address: the letters are held, with a task
    ws, cid, today = view.ws, view.case_id, clock.today()
    for i in range(3):
        day = today - timedelta(days=10 * (i + 1))
        trigger.add_complaint(ws, cid, day, day, "council", f"K{i}")
    trigger.decide_threshold(ws, cid, True, "Three complaints", today)
    review.record_review(ws, cid, today, ["council", "police"], "Slow.")
    rec = review.add_recommendation(ws, cid, "police", "Patrol weekly.",
                                    today + timedelta(days=30))
    view.reload()
    qtbot.waitUntil(lambda: view.load_count > 1, timeout=15000)

    view.dialog = None
    view.buttons["close"].click()
    qtbot.waitUntil(lambda: view.dialog is not None, timeout=10000)
    dlg = view.dialog
    dlg.form.fields["outcome"].setCurrentIndex(
        dlg.form.fields["outcome"].findData("review_completed"))
    asks = [n for n in dlg.form.fields if n.startswith("decide_")]
    assert len(asks) == 1
    dlg.submit_button.click()  # no decision yet: refused, with the field marked
    assert not dlg.form.error.isHidden()
    box = dlg.form.fields[asks[0]]
    box.setCurrentIndex(box.findData("cancel"))
    count = view.load_count
    with qtbot.waitSignal(dlg.accepted, timeout=15000):
        dlg.submit_button.click()
    qtbot.waitUntil(lambda: view.load_count > count, timeout=15000)
    assert view.header.status == "closed"
    with ws.uow() as s:
        from db.models import TriggerRecommendation

        assert s.get(TriggerRecommendation, rec.id).completed_on is None
