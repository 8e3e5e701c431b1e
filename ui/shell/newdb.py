"""Creating a database (its recovery key shown once) and the recovery-key route."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from casework.core.errors import ValidationError
from ui.common.forms import FormDialog
from ui.common.qt import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFont,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
    Signal,
)
from ui.common.security import copy_sensitive


def _password_field() -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


def _raw_passwords(form: Any) -> dict[str, str]:
    """The password fields as typed (the unlock dialog does not strip spaces either)."""
    return {name: form.fields[name].text() for name in ("current", "password", "confirm")
            if name in form.fields}


def password_refused(form: Any, password: str, confirm: str,
                     user_inputs: tuple[str, ...] = ()) -> bool:
    """Check a new password against the rules of ``casework.core.passwords`` before
    anything runs; show the reason on the password field (nothing typed is cleared).
    True when it was refused."""
    from casework.core.passwords import problem

    reason = problem(password, user_inputs)
    if reason is not None:
        form.show_error(ValidationError(reason, "password"))
        return True
    if password != confirm:
        form.show_error(ValidationError("The two passwords differ.", "confirm"))
        return True
    return False


def default_database_path() -> Path:
    """Where a new database goes unless the user picks a place: the user's own data
    directory (platformdirs), never the program folder."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("casework")) / "casework.db"


class NewDatabaseDialog(FormDialog):
    """A new encrypted database and its first administrator."""

    created = Signal(str, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, "New database", submit_label="&Create",
                         intro="Creates an encrypted database with you as its first "
                               "administrator. You will be shown a recovery key once.")
        self.path = QLineEdit(str(default_database_path()))
        self.path.setPlaceholderText("e.g. /home/you/casework.db")
        self.path.setToolTip("By default your own data folder, which an installed program "
                             "folder never is: the program folder may be read-only")
        self.add("path", "&File", self.path)
        browse = QPushButton("&Browse…")
        browse.setAccessibleName("Choose where to save the database")
        browse.clicked.connect(self._browse)
        self.form.layout.addRow("", browse)
        self.add("username", "&User name", QLineEdit())
        self.add("display_name", "&Your name", QLineEdit())
        self.add("password", "&Password", _password_field())
        self.add("confirm", "&Again", _password_field())

    def _browse(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "New database", self.path.text(),
                                              "casework database (*.db)")
        if name:
            self.path.setText(name)

    def on_submit(self) -> None:
        v = self.form.values()
        if not v["path"]:
            self.form.show_error(ValidationError("Choose where to save the file.", "path"))
            return
        v.update(_raw_passwords(self.form))
        if password_refused(self.form, v["password"], v["confirm"],
                            (v["username"], v["display_name"])):
            return
        from casework.admin.newdb import init_database

        path = Path(v["path"]).expanduser()
        if path == default_database_path():
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.submit(lambda: init_database(path, v["username"], v["password"],
                                          v["display_name"]),
                    lambda result: self._created(str(path), result))

    def _created(self, path: str, result: tuple[Any, str]) -> None:
        ws, recovery = result
        RecoveryKeyDialog(self, recovery).exec()
        self.created.emit(path, ws)


class RecoveryKeyDialog(QDialog):
    """Shows the recovery key once; the user confirms they have kept it."""

    def __init__(self, parent: QWidget | None, recovery_key: str) -> None:
        super().__init__(parent)
        self.setWindowTitle("Recovery key")
        self.setAccessibleName("Recovery key")
        text = QLabel("This is the database's recovery key. It is shown <b>only now</b>. "
                      "Print it or write it down and keep it somewhere safe: it can reset "
                      "any user's password.")
        text.setWordWrap(True)
        self.key = QLineEdit(recovery_key)
        self.key.setReadOnly(True)
        self.key.setAccessibleName("Recovery key")
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.Monospace)
        self.key.setFont(font)
        self.key.setMinimumWidth(420)
        copy = QPushButton("&Copy (cleared after 10 s)")
        copy.setAccessibleName("Copy the recovery key")
        copy.clicked.connect(lambda: copy_sensitive(recovery_key))
        self.kept = QCheckBox("I have &kept the recovery key somewhere safe")
        self.kept.setAccessibleName("I have kept the recovery key somewhere safe")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("&Continue")
        ok.setAccessibleName("Continue")
        ok.setEnabled(False)
        self.kept.toggled.connect(ok.setEnabled)
        buttons.accepted.connect(self.accept)
        box = QVBoxLayout(self)
        for w in (text, self.key, copy, self.kept, buttons):
            box.addWidget(w)


class RecoveryDialog(FormDialog):
    """Reset a user's password with the recovery key."""

    def __init__(self, parent: QWidget | None, path: str, username: str) -> None:
        super().__init__(parent, "Use the recovery key", submit_label="&Reset password",
                         intro="The recovery key was shown once when the database was "
                               "created. It lets you give a user a new password.")
        self.add("path", "&Database", QLineEdit(path))
        self.add("recovery", "Recovery &key", _password_field())
        self.add("username", "&User name", QLineEdit(username))
        self.add("password", "New &password", _password_field())
        self.add("confirm", "&Again", _password_field())
        self.username = username

    def on_submit(self) -> None:
        v = self.form.values()
        for name, msg in (("path", "Choose the database file."),
                          ("recovery", "Enter the recovery key."),
                          ("username", "Enter the user whose password to reset.")):
            if not v[name]:
                self.form.show_error(ValidationError(msg, name))
                return
        v.update(_raw_passwords(self.form))
        if password_refused(self.form, v["password"], v["confirm"], (v["username"],)):
            return
        self.username = v["username"]
        self.submit(lambda: recover(Path(v["path"]), v["recovery"], v["username"],
                                    v["password"]))


class ChangePasswordDialog(FormDialog):
    """Change the signed-in user's own password (the current one is needed)."""

    def __init__(self, parent: QWidget | None, ws: Any) -> None:
        super().__init__(parent, "Change your password", submit_label="&Change password",
                         intro="At least 12 characters; a few unrelated words make a good "
                               "password.")
        self.ws = ws
        self.add("current", "&Current password", _password_field())
        self.add("password", "&New password", _password_field())
        self.add("confirm", "&Again", _password_field())

    def on_submit(self) -> None:
        v = self.form.values()
        v.update(_raw_passwords(self.form))
        if not v["current"]:
            self.form.show_error(ValidationError("Enter your current password.", "current"))
            return
        if password_refused(self.form, v["password"], v["confirm"],
                            (self.ws.actor.username,)):
            return
        from casework.core.users import change_password

        name = self.ws.actor.username
        self.submit(lambda: change_password(self.ws, name, v["password"], v["current"]))


def recover(path: Path, recovery_key: str, username: str, new_password: str) -> None:
    """Reset a password with the recovery key (audited by the service), then lock the
    database again: the user signs in with the new password, which proves it works."""
    from casework.core.users import recover_password

    recover_password(path, recovery_key, username, new_password).lock()
