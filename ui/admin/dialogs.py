"""Administration dialogs: add a user, reset a password, add a team or panel, a setting."""

from __future__ import annotations

import json
from typing import Any

from casework.core.errors import ValidationError
from ui.common.forms import FormDialog, combo, humanise
from ui.common.qt import QCheckBox, QLineEdit, QWidget

ROLES = ("case_manager", "panel_member", "panel_chair", "coordinator", "administrator",
         "information_governance")


def _password() -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


class AddUserDialog(FormDialog):
    """A user and their key slot."""

    def __init__(self, parent: QWidget | None, ws: Any) -> None:
        super().__init__(parent, "Add a user", submit_label="&Add user")
        self.ws = ws
        self.add("username", "&User name", QLineEdit())
        self.add("display_name", "&Name", QLineEdit())
        self.add("role", "&Role", combo(ROLES))
        from casework.core.users import teams_and_panels
        from ui.common.forms import CodeList
        from ui.common.pickers import make_searchable

        teams, panels = teams_and_panels(ws)
        self.add("team", "&Team", make_searchable(
            combo([(n, n) for n, _k in teams], blank="No team"),
            "No team"), "The team a case manager works in (others need none)")
        panel_list = CodeList([(n, f"{n} ({humanise(k)})" if humanise(k) not in n else n)
                               for n, k in panels])
        panel_list.setMaximumHeight(90)
        self.add("panels", "&Panels", panel_list,
                 "Tick the panels a panel member or chair sits on")
        self.add("password", "First pass&word", _password())

    def on_submit(self) -> None:
        from casework.core.users import add_user

        v = self.form.values()
        panels = tuple(v["panels"])
        self.submit(lambda: add_user(self.ws, v["username"], v["password"], v["role"],
                                     display_name=v["display_name"], team=v["team"] or None,
                                     panels=panels))


class ResetPasswordDialog(FormDialog):
    """Give a user a new password (a new key slot)."""

    def __init__(self, parent: QWidget | None, ws: Any, username: str) -> None:
        super().__init__(parent, f"New password for {username}", submit_label="&Reset")
        self.ws, self.username = ws, username
        self.add("password", "New &password", _password())

    def on_submit(self) -> None:
        from casework.core.users import change_password

        pw = self.form["password"]
        self.submit(lambda: change_password(self.ws, self.username, pw))


class TeamDialog(FormDialog):
    """A team or a panel."""

    def __init__(self, parent: QWidget | None, ws: Any, panel: bool) -> None:
        from casework.core.users import PANEL_KINDS, TEAM_KINDS

        super().__init__(parent, "Add a panel" if panel else "Add a team", submit_label="&Add")
        self.ws, self.panel = ws, panel
        self.add("name", "&Name", QLineEdit())
        self.add("kind", "&Kind", combo(PANEL_KINDS if panel else TEAM_KINDS))

    def on_submit(self) -> None:
        from casework.core.users import ensure_panel, ensure_team

        v = self.form.values()
        fn = ensure_panel if self.panel else ensure_team
        self.submit(lambda: fn(self.ws, v["name"], v["kind"]))


class SettingDialog(FormDialog):
    """Change one setting; the value is checked against its declared type."""

    def __init__(self, parent: QWidget | None, ws: Any, key: str, typ: str, value: Any,
                 description: str) -> None:
        super().__init__(parent, "Change a setting", submit_label="&Save", intro=description)
        self.ws, self.key, self.typ = ws, key, typ
        if typ == "bool":
            box = QCheckBox("&Yes")
            box.setChecked(bool(value))
            self.add(key, "&Value", box)
        else:
            text = json.dumps(value) if typ == "dict" else str(value)
            self.add(key, "&Value", QLineEdit(text))

    def on_submit(self) -> None:
        from casework.core.settings import update

        raw = self.form[self.key]
        try:
            value: Any = raw if self.typ == "bool" else (
                int(raw) if self.typ == "int" else json.loads(raw))
        except ValueError:
            self.form.show_error(ValidationError(
                "Enter a whole number." if self.typ == "int" else "Enter a JSON mapping.",
                self.key))
            return
        self.submit(lambda: update(self.ws, self.key, value))
