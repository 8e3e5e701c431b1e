"""The Community Trigger case view after the threshold decision, as a case manager uses it:
the add-complaint button is closed with the reason, the outcome letter is previewed and
issued and appears among the documents, the appeal is recorded and decided with its
letter; buttons that cannot be used say why; no two controls claim one Alt letter."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from casework.core import clock
from tests.ui.cases.test_workflows import _act, _create
from tests.ui.conftest import wait_ops
from ui.common.mnemonics import clashes
from ui.common.qt import QDate, Qt

pytestmark = pytest.mark.dates


@pytest.fixture
def opened(monkeypatch: Any) -> list[str]:
    """The files handed to the system viewer (a preview opens the PDF there)."""
    from ui.common import documents

    paths: list[str] = []
    monkeypatch.setattr(documents.QDesktopServices, "openUrl",
                        lambda url: paths.append(url.toLocalFile()) or True)
    return paths


def _trigger_case(qtbot: Any, window: Any) -> Any:
    """A new application from an applicant with an address (letters need one)."""
    cases = window.show_page("cases")
    wizard = cases.new_case("trigger")
    person = wizard.person.fields
    qtbot.keyClicks(person["given_name"], "Iris")
    qtbot.keyClicks(person["family_name"], "Testcase")
    qtbot.keyClicks(person["line1"], "12 Example Row")
    qtbot.keyClicks(person["postcode"], "OX4 1ZZ")
    wizard.next()
    qtbot.waitUntil(lambda: wizard.step != 0, timeout=10000)
    if wizard.step == 1:
        wizard.matches_list.setCurrentRow(wizard.matches_list.count() - 1)
        wizard.next()
    wizard.case.fields["received_on"].setDate(QDate(clock.today() - timedelta(days=5)))
    return _create(qtbot, cases, wizard)


def _complaints_and_threshold(qtbot: Any, view: Any, met: bool) -> None:
    for n in range(3):
        day = clock.today() - timedelta(days=10 * (n + 1))

        def fill(f: Any, day: Any = day, n: int = n) -> None:
            f["behaviour_on"].setDate(day)
            f["complained_on"].setDate(day)
            f["incident_key"].setText(f"incident-{n}")
        _act(qtbot, view, "complaint", fill)

    def decide(f: Any) -> None:
        f["met"].setCurrentIndex(f["met"].findData(met))
        f["reasons"].setPlainText("Decided on the three complaints.")
    _act(qtbot, view, "threshold", decide)


def _open(qtbot: Any, view: Any, key: str) -> Any:
    view.dialog = None
    qtbot.mouseClick(view.buttons[key], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.dialog is not None and view.dialog.isVisible(),
                    timeout=10000)
    return view.dialog


def _submit(qtbot: Any, view: Any, dlg: Any) -> None:
    count = view.load_count
    with qtbot.waitSignal(dlg.accepted, timeout=15000):
        qtbot.mouseClick(dlg.submit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.load_count > count, timeout=15000)


def _preview(qtbot: Any, dlg: Any, opened: list[str]) -> Any:
    before = len(opened)
    dlg.previewed = None
    qtbot.mouseClick(dlg.preview_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dlg.previewed is not None or bool(dlg.preview_error),
                    timeout=15000)
    assert not dlg.preview_error, dlg.preview_error
    assert len(opened) == before + 1 and opened[-1].endswith(".pdf")
    assert dlg.isVisible()  # previewing records nothing: the dialog stays open
    return dlg.previewed


def _titles(view: Any) -> list[str]:
    return [d.title for d in view.documents.records]


def _why(view: Any, key: str) -> str:
    button = view.buttons[key]
    assert not button.isEnabled(), key
    return str(button.toolTip())


def test_outcome_letter_previewed_issued_and_among_the_documents(
        signed_in: Any, qtbot: Any, opened: list[str]) -> None:
    _s, window = signed_in("cm")
    view = _trigger_case(qtbot, window)
    for key in ("outcome", "appeal", "appeal_decision"):
        assert "Not now:" in _why(view, key)
    assert "threshold decision is not recorded" in _why(view, "outcome")
    assert "no decision to appeal" in _why(view, "appeal")
    _complaints_and_threshold(qtbot, view, met=True)
    today = clock.today()
    assert "threshold decision was recorded on" in _why(view, "complaint")
    assert "new application" in _why(view, "complaint")
    assert "record the review first" in _why(view, "outcome")

    def held(f: Any) -> None:
        f["body_council"].setChecked(True)
        f["body_police"].setChecked(True)
        f["findings"].setPlainText("Reports were not shared between the agencies.")
    _act(qtbot, view, "review", held)
    assert view.buttons["outcome"].isEnabled()

    dlg = _open(qtbot, view, "outcome")
    # a letter dated before the review meeting is refused; the dialog keeps the date typed
    dlg.form.fields["on"].setDate(QDate(today - timedelta(days=1)))
    qtbot.mouseClick(dlg.submit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(dlg.form.error.text()), timeout=15000)
    assert "before the review meeting" in dlg.form.error.text()
    assert dlg.isVisible() and dlg.form["on"] == today - timedelta(days=1)
    dlg.form.fields["on"].setDate(QDate(today))
    draft = _preview(qtbot, dlg, opened)
    assert draft.title == "Community Trigger: outcome of the case review"
    assert view.view.outcome_letter_on is None
    assert draft.title not in " ".join(_titles(view))  # the preview is not kept
    _submit(qtbot, view, dlg)
    assert "Documents tab" in view.status.text()
    assert any(t.startswith("Community Trigger: outcome of the case review")
               for t in _titles(view))
    assert view.summary.value("Outcome letter") == f"{today:%d %b %Y}"
    assert "outcome letter was sent on" in _why(view, "outcome")
    wait_ops(qtbot)


def test_appeal_recorded_and_decided_with_its_letter_on_a_closed_application(
        signed_in: Any, qtbot: Any, opened: list[str]) -> None:
    _s, window = signed_in("cm")
    view = _trigger_case(qtbot, window)
    _complaints_and_threshold(qtbot, view, met=False)
    assert view.header.status == "closed"
    # not met closes the application; the appeal stays at hand, the rest is hidden
    assert view.buttons["appeal"].isVisible() and view.buttons["appeal"].isEnabled()
    assert not view.buttons["complaint"].isVisible()
    assert not view.buttons["outcome"].isVisible()
    assert "no appeal is recorded" in _why(view, "appeal_decision")
    for n in range(view.tabs.count()):  # what a closed application still shows
        view.tabs.setCurrentIndex(n)
        assert clashes(window) == {}, f"closed, tab {view.tabs.tabText(n)}"
    view.tabs.setCurrentIndex(0)
    today = clock.today()

    dlg = _open(qtbot, view, "appeal")
    _submit(qtbot, view, dlg)
    assert "an appeal was recorded on" in _why(view, "appeal")
    assert view.buttons["appeal_decision"].isEnabled()

    dlg = _open(qtbot, view, "appeal_decision")
    f = dlg.form.fields
    f["outcome"].setCurrentIndex(f["outcome"].findData("upheld"))
    qtbot.keyClicks(f["reasons"], "The hate incident was not counted.")
    f["decided_on"].setDate(QDate(today - timedelta(days=1)))  # before the appeal
    qtbot.mouseClick(dlg.submit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(dlg.form.error.text()), timeout=15000)
    assert "before the appeal" in dlg.form.error.text()
    assert dlg.isVisible()  # what was typed is kept
    assert dlg.form["reasons"] == "The hate incident was not counted."
    assert dlg.form["outcome"] == "upheld"
    f["decided_on"].setDate(QDate(today))
    draft = _preview(qtbot, dlg, opened)
    assert draft.title == "Community Trigger: outcome of your appeal"
    assert view.view.appeal_outcome is None
    _submit(qtbot, view, dlg)
    assert any(t.startswith("Community Trigger: outcome of your appeal")
               for t in _titles(view))
    assert view.summary.value("Appeal outcome") == "Upheld"
    assert "the appeal was decided on" in _why(view, "appeal_decision")
    wait_ops(qtbot)


def test_appeal_decision_needs_reasons_and_keeps_what_was_typed(
        signed_in: Any, qtbot: Any) -> None:
    _s, window = signed_in("cm")
    view = _trigger_case(qtbot, window)
    _complaints_and_threshold(qtbot, view, met=False)
    _submit(qtbot, view, _open(qtbot, view, "appeal"))
    dlg = _open(qtbot, view, "appeal_decision")
    dlg.form.fields["outcome"].setCurrentIndex(
        dlg.form.fields["outcome"].findData("not_upheld"))
    qtbot.mouseClick(dlg.submit_button, Qt.MouseButton.LeftButton)
    assert "Give the reasons" in dlg.form.error.text()
    assert dlg.isVisible() and dlg.form["outcome"] == "not_upheld"
    assert view.view.appeal_outcome is None
    dlg.force_reject()
    wait_ops(qtbot)


def test_no_alt_letter_clashes_in_a_trigger_case_and_its_dialogs(
        signed_in: Any, qtbot: Any) -> None:
    _s, window = signed_in("cm")
    view = _trigger_case(qtbot, window)
    _complaints_and_threshold(qtbot, view, met=True)

    def held(f: Any) -> None:
        f["body_council"].setChecked(True)
        f["findings"].setPlainText("Findings.")
    _act(qtbot, view, "review", held)
    opened_dialogs = set()
    for n in range(view.tabs.count()):
        view.tabs.setCurrentIndex(n)
        assert clashes(window) == {}, f"case tab {view.tabs.tabText(n)}"
    for key, button in view.buttons.items():
        if not button.isEnabled() or key in ("open_document", "summary", "bundle"):
            continue
        dlg = _open(qtbot, view, key)
        assert clashes(dlg) == {}, key
        opened_dialogs.add(key)
        dlg.force_reject()
    assert {"outcome", "appeal", "review", "recommendation"} <= opened_dialogs
    _submit(qtbot, view, _open(qtbot, view, "appeal"))
    assert clashes(window) == {}, "after the appeal"
    dlg = _open(qtbot, view, "appeal_decision")
    assert clashes(dlg) == {}, "appeal_decision"
    dlg.force_reject()
    wait_ops(qtbot)


def test_without_an_address_the_preview_says_so_and_issuing_says_the_letter_is_held(
        signed_in: Any, qtbot: Any, opened: list[str]) -> None:
    from tests.ui.cases.test_workflows import _wizard

    _s, window = signed_in("cm")
    cases, wizard = _wizard(qtbot, window, "trigger", "Noel", "Noaddress")
    view = _create(qtbot, cases, wizard)
    _complaints_and_threshold(qtbot, view, met=True)

    def held(f: Any) -> None:
        f["body_council"].setChecked(True)
        f["findings"].setPlainText("Findings.")
    _act(qtbot, view, "review", held)
    documents = len(view.documents.records)
    dlg = _open(qtbot, view, "outcome")
    qtbot.mouseClick(dlg.preview_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(dlg.preview_error), timeout=15000)
    assert "no current address" in dlg.preview_error and not opened
    _submit(qtbot, view, dlg)
    assert "the letter is held" in view.status.text()
    assert "Documents tab" not in view.status.text()
    assert len(view.documents.records) == documents
    assert view.view.outcome_letter_on == clock.today()
    assert any("Letter held" in t.title for t in view.tasks.records)
    wait_ops(qtbot)
