"""Administration → Letter templates, through the window: an administrator edits the
Community Protection Warning, is refused when the edit drops what the law requires,
previews it, saves it as a new version with a reason; then a case manager issues a CPW
and the letter carries the edit and names the template version."""

from __future__ import annotations

import io
import os
import stat
from datetime import timedelta
from typing import Any

import pytest
from pypdf import PdfReader

from casework.core import clock
from tests.ui.cases.test_workflows import _act, _create, _wizard
from tests.ui.conftest import wait_ops
from ui.common.qt import Qt

pytestmark = pytest.mark.dates

EDIT = "Our mediation service can help. "


def _pdf_text(data: bytes) -> str:
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def _choose(qtbot: Any, tab: Any, key: str) -> None:
    row = next(i for i in range(tab.list.count())
               if tab.list.item(i).data(Qt.ItemDataRole.UserRole) == key)
    tab.list.setCurrentRow(row)
    qtbot.waitUntil(lambda: tab.detail is not None and tab.detail.key == key, timeout=10000)


def _letters_tab(qtbot: Any, window: Any) -> Any:
    """Administration → Letter templates, loaded."""
    page = window.show_page("admin")
    wait_ops(qtbot)
    tab = page.letters
    page.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: tab.loaded, timeout=10000)
    return tab


def _type_before(qtbot: Any, tab: Any, anchor: str, words: str) -> None:
    """Put the cursor before ``anchor`` in the editor and type ``words``."""
    cursor = tab.editor.textCursor()
    cursor.setPosition(tab.editor.toPlainText().index(anchor))
    tab.editor.setTextCursor(cursor)
    qtbot.keyClicks(tab.editor, words)


def test_admin_edits_previews_and_saves_a_cpw_then_a_case_manager_issues_it(
        signed_in: Any, qtbot: Any, monkeypatch: Any) -> None:
    from ui.admin import letter_templates as ui_templates
    from ui.common import documents

    opened: list[str] = []
    monkeypatch.setattr(documents.QDesktopServices, "openUrl",
                        lambda url: opened.append(url.toLocalFile()) or True)
    _s, window = signed_in("admin")
    window.resize(1280, 720)
    page = window.show_page("admin")
    wait_ops(qtbot)
    tab = page.letters
    page.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: tab.loaded and tab.detail is not None, timeout=10000)
    _choose(qtbot, tab, "cpw")
    assert "Community Protection Warning" in tab.caption.text()
    assert not tab.buttons["save"].isEnabled()
    names = [tab.fields.item(i).data(Qt.ItemDataRole.UserRole)
             for i in range(tab.fields.count())]
    assert {"officer_title", "in_force_until", "behaviour"} <= set(names)
    assert "requirements" not in names  # a CPN's field, not a CPW's
    assert "in_force_until" in tab.required.text()  # on the "Required" tab

    # type the edit, and insert a placeholder from the list at the cursor
    _type_before(qtbot, tab, "Please contact me on", EDIT + "Ring ")
    tab.fields.setCurrentRow(names.index("council_phone"))
    qtbot.mouseClick(tab.buttons["insert"], Qt.MouseButton.LeftButton)
    qtbot.keyClicks(tab.editor, ". ")
    assert EDIT + "Ring $council_phone. Please contact me on" in tab.editor.toPlainText()
    assert tab.buttons["save"].isEnabled() and "not saved" in tab.caption.text()

    # switching template asks first; declining keeps the edit on screen
    asked: list[bool] = []
    monkeypatch.setattr(ui_templates, "confirm_discard", lambda _w: asked.append(True) or False)
    _type_row = tab.list.currentRow()
    tab.list.setCurrentRow(0 if _type_row else 1)
    assert asked and tab.detail.key == "cpw" and tab.list.currentRow() == _type_row
    assert EDIT in tab.editor.toPlainText()

    # dropping what the law requires is refused, by name, on preview
    edited = tab.editor.toPlainText()
    tab.editor.setPlainText(edited.replace("$in_force_until", "for a while"))
    qtbot.mouseClick(tab.buttons["preview"], Qt.MouseButton.LeftButton)
    wait_ops(qtbot)
    assert "$in_force_until" in tab.message.text() and not opened
    tab.editor.setPlainText(edited)

    # preview: the real renderer, sample data, a private file opened like a letter
    qtbot.mouseClick(tab.buttons["preview"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(opened), timeout=15000)
    assert stat.S_IMODE(os.stat(opened[0]).st_mode) == 0o600
    with open(opened[0], "rb") as fh:
        shown = _pdf_text(fh.read())
    assert EDIT.strip() in shown and "Sam Sample" in shown

    # save as a new version, with the reason asked for
    qtbot.mouseClick(tab.buttons["save"], Qt.MouseButton.LeftButton)
    dialog = tab.dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.keyClicks(dialog.reason, "Offer mediation in every warning")
    with qtbot.waitSignal(dialog.accepted, timeout=15000):
        qtbot.mouseClick(dialog.submit_button, Qt.MouseButton.LeftButton)
    wait_ops(qtbot)
    qtbot.waitUntil(lambda: tab.detail is not None and tab.detail.version == 1,
                    timeout=10000)
    assert [v.version for v in tab.history.records] == [1, 0]
    assert tab.history.records[0].reason == "Offer mediation in every warning"
    assert not tab.buttons["save"].isEnabled()

    # a case manager issues a CPW: the letter shows the edit and names the version
    _s2, cm_window = signed_in("cm")
    cases, wizard = _wizard(qtbot, cm_window, "asb", "Colin", "Caller")
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
    from casework.cases.caseview import document_content

    doc = next(d for d in view.parts.documents
               if d.title.startswith("Community Protection Warning"))
    assert (doc.template_key, doc.template_version) == ("cpw", 1)
    text = _pdf_text(document_content(view.ws, doc.id).content)
    assert EDIT.strip() in text and "Norah Noise" in text
    row = next(r for r in range(view.documents.rowCount())
               if view.documents.item(r, 1).text() == doc.title)
    assert view.documents.item(row, 3).text() == "version 1"


def test_revert_from_the_history_asks_for_a_reason(signed_in: Any, qtbot: Any) -> None:
    from casework.cases import letter_templates, letters

    session, window = signed_in("admin")
    letter_templates.save_template(session.ws, "home_visit", letters.packaged_text(
        "home_visit").replace("This letter records", "This letter confirms"), "Wording")
    tab = _letters_tab(qtbot, window)
    _choose(qtbot, tab, "home_visit")
    from ui.common.mnemonics import clashes

    for n in range(tab.side.count()):  # every Alt letter on each side tab does one thing
        tab.side.setCurrentIndex(n)
        assert clashes(window) == {}, tab.side.tabText(n)
    assert tab.detail.version == 1 and "This letter confirms" in tab.editor.toPlainText()
    tab.side.setCurrentIndex(tab.side.indexOf(tab.history.parentWidget()))
    assert tab.history.isVisible()
    tab.history.selectRow(1)  # the built-in text
    qtbot.mouseClick(tab.buttons["view"], Qt.MouseButton.LeftButton)
    assert "This letter records" in tab.dialog.text.toPlainText()
    tab.dialog.reject()
    tab.history.selectRow(1)
    qtbot.mouseClick(tab.buttons["revert"], Qt.MouseButton.LeftButton)
    dialog = tab.dialog
    qtbot.mouseClick(dialog.submit_button, Qt.MouseButton.LeftButton)  # no reason yet
    wait_ops(qtbot)
    assert dialog.isVisible()
    qtbot.keyClicks(dialog.reason, "Legal approved the original only")
    with qtbot.waitSignal(dialog.accepted, timeout=15000):
        qtbot.mouseClick(dialog.submit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.detail is not None and tab.detail.version == 2,
                    timeout=10000)
    assert "This letter records" in tab.editor.toPlainText()
    assert tab.history.records[0].reverted_from == 0


def test_an_edit_older_than_the_standard_wording_is_flagged_compared_and_kept(
        signed_in: Any, qtbot: Any) -> None:
    """A council's CPN edited by an earlier release (before the wording fixes, with
    "100 pounds") is flagged in the list and the editor; the comparison shows both
    wordings; keeping it records it as reviewed, and letters kept its wording throughout."""
    from casework.cases import letters
    from db.models import LetterTemplateVersion
    from ui.common.mnemonics import clashes

    session, window = signed_in("admin")
    old = letters.packaged_text("cpn").replace(
        "If you have any questions,", "A fixed penalty of 100 pounds may be offered.\n\n"
        "If you have any questions,")
    with session.ws.uow() as s:  # as the earlier release saved it: no standard recorded
        s.add(LetterTemplateVersion(key="cpn", version=1, text=old, created_by=None,
                                    reason="Our wording"))
    tab = _letters_tab(qtbot, window)
    listed = {tab.list.item(i).data(Qt.ItemDataRole.UserRole): tab.list.item(i).text()
              for i in range(tab.list.count())}
    assert listed["cpn"].endswith("(version 1) — standard wording changed")
    assert "standard wording changed" not in listed["cpw"]
    _choose(qtbot, tab, "cpw")
    assert not tab.standard.isVisible()
    _choose(qtbot, tab, "cpn")
    assert tab.standard.isVisible()
    assert "may have changed since this template was edited" in tab.standard_note.text()
    assert "100 pounds" in tab.editor.toPlainText()  # the council's wording, not replaced
    for n in range(tab.side.count()):
        tab.side.setCurrentIndex(n)
        assert clashes(window) == {}, tab.side.tabText(n)

    qtbot.mouseClick(tab.buttons["compare"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.dialog is not None and tab.dialog.isVisible(), timeout=10000)
    shown = tab.dialog.text.toPlainText()
    assert "--- standard wording" in shown and "+++ your wording (version 1)" in shown
    assert "+A fixed penalty of 100 pounds may be offered." in shown
    assert clashes(tab.dialog) == {}
    tab.dialog.reject()

    qtbot.mouseClick(tab.buttons["keep"], Qt.MouseButton.LeftButton)
    dialog = tab.dialog
    assert dialog is not None and dialog.isVisible() and clashes(dialog) == {}
    qtbot.keyClicks(dialog.reason, "Compared with the new standard: ours stays")
    with qtbot.waitSignal(dialog.accepted, timeout=15000):
        qtbot.mouseClick(dialog.submit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.detail is not None and tab.detail.version == 2,
                    timeout=10000)
    assert not tab.standard.isVisible()
    assert "100 pounds" in tab.editor.toPlainText()
    assert tab.history.records[0].reason == "Compared with the new standard: ours stays"
    item = next(tab.list.item(i) for i in range(tab.list.count())
                if tab.list.item(i).data(Qt.ItemDataRole.UserRole) == "cpn")
    assert "standard wording changed" not in item.text()
    with session.ws.uow() as s:
        assert "100 pounds" in letters.load_template("cpn", s).body.template
    wait_ops(qtbot)


def test_use_the_standard_wording_from_the_flag(signed_in: Any, qtbot: Any) -> None:
    from casework.cases import letters
    from db.models import LetterTemplateVersion

    session, window = signed_in("admin")
    with session.ws.uow() as s:
        s.add(LetterTemplateVersion(key="cpn", version=1, created_by=None, reason="Ours",
                                    text=letters.packaged_text("cpn").replace(
                                        "If you have any questions,", "Questions?")))
    tab = _letters_tab(qtbot, window)
    _choose(qtbot, tab, "cpn")
    qtbot.mouseClick(tab.buttons["standard"], Qt.MouseButton.LeftButton)
    dialog = tab.dialog
    qtbot.keyClicks(dialog.reason, "Take the corrected standard wording")
    with qtbot.waitSignal(dialog.accepted, timeout=15000):
        qtbot.mouseClick(dialog.submit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.detail is not None and tab.detail.version == 2,
                    timeout=10000)
    assert tab.editor.toPlainText() == letters.packaged_text("cpn")
    assert not tab.standard.isVisible() and tab.history.records[0].reverted_from == 0
    wait_ops(qtbot)
