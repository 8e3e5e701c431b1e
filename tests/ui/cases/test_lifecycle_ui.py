"""The case lifecycle through the window: a subject added after intake gets the stage 1
letter; a case is closed, reopened and transferred."""

from __future__ import annotations

from typing import Any

import pytest

from tests.ui.cases.test_workflows import _act, _create, _wizard

pytestmark = pytest.mark.dates


def test_subject_added_after_intake_gets_the_stage_1_letter(signed_in: Any,
                                                            qtbot: Any) -> None:
    _s, window = signed_in("cm")
    cases, wizard = _wizard(qtbot, window, "asb", "Casey", "Caller")
    view = _create(qtbot, cases, wizard)

    def add_subject(f: Any) -> None:
        f["given_name"].setText("Perry")
        f["family_name"].setText("Later")
        f["line1"].setText("7 Magdalen Road")
        f["town"].setText("Oxford")
        f["postcode"].setText("OX4 1RW")
        f["role"].setCurrentIndex(f["role"].findData("perpetrator"))
    _act(qtbot, view, "party", add_subject)
    subject = [p for p in view.parts.people if p.is_subject]
    assert [p.name for p in subject] == ["Perry Later"]
    assert view.view.subject_person_id == subject[0].person_id

    def stage_1(f: Any) -> None:
        f["action"].setCurrentIndex(f["action"].findData("first_warning_letter"))
    _act(qtbot, view, "escalate", stage_1)
    letters = [d for d in view.parts.documents if d.kind == "letter"]
    assert len(letters) == 1
    import io

    from pypdf import PdfReader

    from casework.cases.caseview import document_content

    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(
        document_content(view.ws, letters[0].id).content)).pages)
    assert "Dear Perry Later" in text and "7 Magdalen Road" in text


def test_close_reopen_and_transfer(signed_in: Any, qtbot: Any, db: Any) -> None:
    _s, window = signed_in("cm")
    cases, wizard = _wizard(qtbot, window, "asb", "Rita", "Reopen")
    view = _create(qtbot, cases, wizard)

    def close(f: Any) -> None:
        f["outcome"].setCurrentIndex(f["outcome"].findData("resolved"))
    _act(qtbot, view, "close", close)
    assert view.header.status == "closed" and view.buttons["reopen"].isEnabled()

    def reopen(f: Any) -> None:
        f["reason"].setPlainText("Further reports from the same address")
    _act(qtbot, view, "reopen", reopen)
    assert view.header.status == "open"
    assert not view.buttons["reopen"].isEnabled()

    def transfer(f: Any) -> None:
        box = f["owner_id"]
        box.setCurrentIndex(next(i for i in range(box.count()) if "North" in box.itemText(i)))
        f["reason"].setPlainText("The family moved north")
    view.dialog = None
    view.buttons["transfer"].click()
    qtbot.waitUntil(lambda: view.dialog is not None, timeout=10000)
    dlg = view.dialog
    transfer(dlg.form.fields)
    with qtbot.waitSignal(dlg.accepted, timeout=15000):
        dlg.submit_button.click()
    # the case has left cm's team: the view can no longer load it
    qtbot.waitUntil(lambda: view.title.text() == "This case could not be opened",
                    timeout=15000)
    from casework.cases.caseview import case_header

    moved = case_header(db.ws("cm2"), view.case_id)  # the receiving team sees it at once
    assert moved.status == "open" and moved.team_id != view.header.team_id
