"""The Community Trigger steps a case manager takes from the case view besides the
threshold, review and appeal: acknowledging the application (with its letter), recording
the applicant's response to the outcome letter, and marking a recommendation done. Each
button is enabled only when its step applies and a disabled one says why; no two controls
of the window or of a step's dialog claim one Alt letter."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from casework.core import clock
from tests.ui.cases.test_workflows import _act
from tests.ui.conftest import wait_ops
from tests.ui.trigger.test_outcome_and_appeal_ui import (
    _complaints_and_threshold,
    _open,
    _preview,
    _submit,
    _titles,
    _trigger_case,
    _why,
    opened,  # noqa: F401  (the fixture)
)
from ui.common.mnemonics import clashes
from ui.common.qt import QDate, Qt

pytestmark = pytest.mark.dates


def _review(qtbot: Any, view: Any) -> None:
    def held(f: Any) -> None:
        f["body_council"].setChecked(True)
        f["findings"].setPlainText("Reports were not shared between the agencies.")
    _act(qtbot, view, "review", held)


def _recommend(qtbot: Any, view: Any, text: str, days: int) -> None:
    def fill(f: Any) -> None:
        f["body"].setCurrentIndex(f["body"].findData("police"))
        f["recommendation"].setPlainText(text)
        f["due_on"].setDate(QDate(clock.today() + timedelta(days=days)))
    _act(qtbot, view, "recommendation", fill)


def test_acknowledging_previews_and_issues_the_letter_then_says_when_it_was_done(
        signed_in: Any, qtbot: Any, opened: list[str]) -> None:  # noqa: F811
    _s, window = signed_in("cm")
    view = _trigger_case(qtbot, window)
    today = clock.today()
    assert view.buttons["acknowledge"].isEnabled()
    assert view.view.acknowledged_on is None
    ack_task = [t for t in view.tasks.records if t.title.startswith("Acknowledge")]
    assert ack_task and ack_task[0].completed_on is None

    dlg = _open(qtbot, view, "acknowledge")
    assert clashes(dlg) == {}
    dlg.form.fields["on"].setDate(QDate(today - timedelta(days=30)))  # before it arrived
    qtbot.mouseClick(dlg.submit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(dlg.form.error.text()), timeout=15000)
    assert dlg.isVisible() and view.view.acknowledged_on is None
    dlg.form.fields["on"].setDate(QDate(today))
    draft = _preview(qtbot, dlg, opened)
    assert draft.title == "Community Trigger: acknowledgement of your application"
    assert view.view.acknowledged_on is None  # a preview records nothing
    _submit(qtbot, view, dlg)
    assert "Documents tab" in view.status.text()
    assert any(t.startswith("Community Trigger: acknowledgement of your application")
               for t in _titles(view))
    assert view.view.acknowledged_on == today
    assert view.summary.value("Acknowledged") == f"{today:%d %b %Y}"
    assert f"acknowledged on {today:%d %b %Y}" in _why(view, "acknowledge")
    ack_task = [t for t in view.tasks.records if t.title.startswith("Acknowledge")]
    assert ack_task[0].completed_on == today
    wait_ops(qtbot)


def test_response_waits_for_the_outcome_letter_and_recommendations_are_marked_done(
        signed_in: Any, qtbot: Any) -> None:
    _s, window = signed_in("cm")
    view = _trigger_case(qtbot, window)
    assert "outcome letter has not been sent" in _why(view, "response")
    assert "threshold decision is not recorded" in _why(view, "complete_recommendation")
    _complaints_and_threshold(qtbot, view, met=True)
    assert "record the review first" in _why(view, "complete_recommendation")
    _review(qtbot, view)
    assert "no recommendation is recorded" in _why(view, "complete_recommendation")
    _recommend(qtbot, view, "Share incident logs weekly.", 30)
    _recommend(qtbot, view, "Name one officer as the applicant's contact.", 60)
    assert view.buttons["complete_recommendation"].isEnabled()

    # the recommendation chosen in its tab is the one the dialog offers
    view.tabs.setCurrentWidget(view.recommendations)
    view.recommendations.selectRow(1)
    dlg = _open(qtbot, view, "complete_recommendation")
    assert clashes(dlg) == {}
    choice = dlg.form.fields["recommendation"]
    assert choice.count() == 2
    assert "Name one officer" in choice.currentText()
    dlg.form.fields["completed_on"].setDate(QDate(clock.today() + timedelta(days=1)))
    qtbot.mouseClick(dlg.submit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(dlg.form.error.text()), timeout=15000)
    assert "future" in dlg.form.error.text() and dlg.isVisible()
    dlg.form.fields["completed_on"].setDate(QDate(clock.today()))
    _submit(qtbot, view, dlg)
    done = {r.recommendation: r.completed_on for r in view.view.recommendations}
    assert done == {"Share incident logs weekly.": None,
                    "Name one officer as the applicant's contact.": clock.today()}
    tasks = sorted((t.due_on, t.completed_on) for t in view.tasks.records
                   if t.title.startswith("Recommendation to"))
    assert tasks[1][1] == clock.today() and tasks[0][1] is None

    dlg = _open(qtbot, view, "complete_recommendation")  # only the open one is offered
    assert dlg.form.fields["recommendation"].count() == 1
    _submit(qtbot, view, dlg)
    assert "every recommendation is done" in _why(view, "complete_recommendation")

    dlg = _open(qtbot, view, "outcome")
    _submit(qtbot, view, dlg)
    assert view.buttons["response"].isEnabled()
    dlg = _open(qtbot, view, "response")
    assert clashes(dlg) == {}
    qtbot.mouseClick(dlg.submit_button, Qt.MouseButton.LeftButton)  # nothing typed
    assert "Write what the applicant said" in dlg.form.error.text() and dlg.isVisible()
    qtbot.keyClicks(dlg.form.fields["response"], "Satisfied in part.")
    _submit(qtbot, view, dlg)
    assert view.summary.value("Applicant's response") == "Satisfied in part."
    dlg = _open(qtbot, view, "response")  # recording it again starts from what is kept
    assert dlg.form["response"] == "Satisfied in part."
    dlg.force_reject()
    for n in range(view.tabs.count()):
        view.tabs.setCurrentIndex(n)
        assert clashes(window) == {}, f"tab {view.tabs.tabText(n)}"
    wait_ops(qtbot)


def test_a_closed_application_still_takes_the_response_and_recommendations_done(
        signed_in: Any, qtbot: Any) -> None:
    _s, window = signed_in("cm")
    view = _trigger_case(qtbot, window)
    _complaints_and_threshold(qtbot, view, met=False)
    assert view.header.status == "closed"
    assert not view.buttons["acknowledge"].isVisible()
    for key in ("response", "complete_recommendation"):
        assert view.buttons[key].isVisible(), key
        assert "not met" in _why(view, key) or "not been sent" in _why(view, key), key
    assert clashes(window) == {}
    wait_ops(qtbot)


def test_review_pack_for_a_body_of_the_review_is_written_through_the_protocol(
        signed_in: Any, qtbot: Any, tmp_path: Any) -> None:
    _s, window = signed_in("cm")
    view = _trigger_case(qtbot, window)
    _complaints_and_threshold(qtbot, view, met=True)
    assert "record the review first" in _why(view, "review_pack")
    _review(qtbot, view)
    assert view.buttons["review_pack"].isEnabled()
    out = tmp_path / "pack.pdf"
    view.review_pack(out=str(out))
    dlg = view.dialog
    qtbot.waitUntil(lambda: dlg.isVisible(), timeout=10000)
    assert clashes(dlg) == {}
    assert [dlg.form.fields["agency"].itemData(i)
            for i in range(dlg.form.fields["agency"].count())] == ["council"]
    qtbot.mouseClick(dlg.submit_button, Qt.MouseButton.LeftButton)  # nobody named
    assert "Name the person" in dlg.form.error.text() and not out.exists()
    qtbot.keyClicks(dlg.form.fields["recipient"], "Pat Partner")
    with qtbot.waitSignal(dlg.accepted, timeout=15000):
        qtbot.mouseClick(dlg.submit_button, Qt.MouseButton.LeftButton)
    assert out.exists() and out.read_bytes().startswith(b"%PDF")
    assert "pack.pdf" in view.status.text() and "sharing protocol" in view.status.text()
    import io

    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(out.read_bytes())).pages)
    assert "Iris" not in text and "Testcase" not in text  # anonymised
    wait_ops(qtbot)
