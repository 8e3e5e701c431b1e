"""Users, teams and panels are picked from lists, found by typing part of a name."""

from __future__ import annotations

from typing import Any

from tests.ui.conftest import wait_ops
from ui.common.pickers import user_label, user_picker


def test_a_user_picker_finds_by_any_part_of_the_name_and_never_takes_free_text(
        qtbot: Any, app: Any) -> None:
    box = user_picker([(3, user_label("jsmith", "Jo Smith")),
                       (4, user_label("akhan", "Amir Khan")), (5, "solo")], blank="Anyone")
    qtbot.addWidget(box)
    assert [box.itemText(i) for i in range(box.count())] == [
        "Anyone", "Amir Khan (akhan)", "Jo Smith (jsmith)", "solo"]
    box.lineEdit().setText("khan")  # one item holds it: that item is chosen
    box.lineEdit().editingFinished.emit()
    assert box.currentData() == 4 and box.currentText() == "Amir Khan (akhan)"
    box.lineEdit().setText("nobody of that name")  # no item: the choice stays
    box.lineEdit().editingFinished.emit()
    assert box.currentData() == 4 and box.currentText() == "Amir Khan (akhan)"
    box.lineEdit().setText("")  # cleared: the blank choice
    box.lineEdit().editingFinished.emit()
    assert box.currentData() is None
    completer = box.completer()
    completer.setCompletionPrefix("smi")
    assert completer.currentCompletion() == "Jo Smith (jsmith)"


def test_add_user_offers_the_teams_and_panels_that_exist(qtbot: Any, app: Any,
                                                         db: Any) -> None:
    from casework.core.users import list_users
    from ui.admin.dialogs import AddUserDialog

    ws = db.ws("admin")
    dlg = AddUserDialog(None, ws)
    qtbot.addWidget(dlg)
    team = dlg.form.fields["team"]
    assert team.itemText(0) == "No team"
    assert "North ASB Team" in [team.itemText(i) for i in range(team.count())]
    team.setCurrentIndex(team.findData("North ASB Team"))
    panels = dlg.form.fields["panels"]
    labels = [panels.item(i).text() for i in range(panels.count())]
    assert "MART Panel" in labels and "SWIP Panel" in labels
    panels.set_checked(["SWIP Panel"])
    dlg.form.fields["username"].setText("newbie")
    dlg.form.fields["display_name"].setText("New Member")
    dlg.form.fields["role"].setCurrentIndex(dlg.form.fields["role"].findData("panel_member"))
    dlg.form.fields["password"].setText("a long synthetic passphrase 42")
    with qtbot.waitSignal(dlg.accepted, timeout=20000):
        dlg.on_submit()
    wait_ops(qtbot)
    user = next(u for u in list_users(ws) if u.username == "newbie")
    assert user.team == "North ASB Team" and user.panels == ("SWIP Panel",)
