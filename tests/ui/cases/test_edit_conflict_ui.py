"""Two officers on one case through the window: the second save is refused with who
changed what, the typed input stays, Reload brings their change in, and saving again
goes through; another user's change reaches the open case view by itself."""

from __future__ import annotations

from typing import Any

from casework.cases.caseview import case_header
from casework.cases.lifecycle import add_note
from casework.cases.transitions import reassign_owner
from casework.core import users
from tests.casework import factories
from tests.conftest import PASSWORD
from tests.ui.conftest import wait_ops


def _open(qtbot: Any, window: Any, case: Any) -> Any:
    cases = window.show_page("cases")
    window.open_case(case.header.id, case.header.reference)
    qtbot.waitUntil(lambda: case.header.id in cases.views, timeout=10000)
    view = cases.views[case.header.id]
    qtbot.waitUntil(view.is_ready, timeout=15000)
    return view


def _second_officer(db: Any) -> Any:
    users.add_user(db.ws("admin"), "cm3", PASSWORD, "case_manager",
                   display_name="Robin Second", team="ASB Team")
    return db.ws("cm3")


def test_second_save_is_told_keeps_the_input_and_reloads(signed_in: Any, qtbot: Any,
                                                         db: Any) -> None:
    other = _second_officer(db)
    case = factories.asb_case(db.ws("cm"))
    _s, window = signed_in("cm")
    view = _open(qtbot, window, case)
    view.dialog = None
    view.buttons["close"].click()
    qtbot.waitUntil(lambda: view.dialog is not None, timeout=10000)
    dlg = view.dialog
    f = dlg.form.fields
    f["outcome"].setCurrentIndex(f["outcome"].findData("resolved"))
    qtbot.keyClicks(f["reason"], "Resolved after mediation")
    # meanwhile the other officer takes the case over from their own machine
    reassign_owner(other, case.header.id, other.actor.user_id, "Cover while on leave")

    dlg.submit_button.click()
    qtbot.waitUntil(lambda: dlg.reload_button is not None and dlg.reload_button.isVisible(),
                    timeout=15000)
    assert dlg.isVisible()
    error = dlg.form.error.text()
    assert "Robin Second (cm3)" in error and "officer" in error and "not saved" in error
    assert "Cover while on leave" not in error
    assert f["reason"].text() == "Resolved after mediation"  # nothing typed is lost
    assert f["outcome"].currentData() == "resolved"
    assert dlg.reload_button.hasFocus() and dlg.reload_button.isDefault()
    assert case_header(other, case.header.id).status == "open"

    count = view.load_count
    dlg.reload_button.click()
    qtbot.waitUntil(lambda: not dlg.reload_button.isVisible(), timeout=15000)
    qtbot.waitUntil(lambda: view.load_count > count, timeout=15000)  # their change shown
    assert view.header.owner_id == other.actor.user_id
    assert f["reason"].text() == "Resolved after mediation"
    with qtbot.waitSignal(dlg.accepted, timeout=15000):
        dlg.submit_button.click()
    header = case_header(other, case.header.id)
    assert (header.status, header.outcome, header.owner_id) == (
        "closed", "resolved", other.actor.user_id)
    wait_ops(qtbot)


def test_another_users_change_reaches_the_open_case(signed_in: Any, qtbot: Any,
                                                    db: Any) -> None:
    other = _second_officer(db)
    case = factories.asb_case(db.ws("cm"))
    _s, window = signed_in("cm")
    view = _open(qtbot, window, case)
    watcher = window.watcher
    qtbot.waitUntil(lambda: watcher.marker is not None, timeout=10000)
    polls, loads = watcher.polls, view.load_count
    watcher.poll()  # nothing new: the marker is all it reads, nothing reloads
    qtbot.waitUntil(lambda: watcher.polls > polls, timeout=10000)
    wait_ops(qtbot)
    assert view.load_count == loads

    add_note(other, case.header.id, "Spoke to the neighbour")
    watcher.poll()  # as when the window is activated again, or on the timer
    qtbot.waitUntil(lambda: view.load_count > loads, timeout=15000)
    wait_ops(qtbot)
    assert [n.author for n in view.parts.notes] == ["cm3"]
