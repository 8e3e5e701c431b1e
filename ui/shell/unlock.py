"""The unlock dialog: database, user and password; the recovery-key route; a new database.

Unlocking derives a key with Argon2id, so it runs off the GUI thread. A wrong password
says so plainly and, after repeated failures, makes the user wait a growing delay before
the next try (``casework.lockout`` when it is installed, else a local schedule).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from casework.core.errors import ValidationError
from ui.common.forms import Form
from ui.common.ops import QueryOp, error_text
from ui.common.qt import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
)


def local_delay(failures: int) -> int:
    """Seconds to wait after ``failures`` wrong passwords: none for the first two, then
    doubling from 2 s, at most 5 minutes."""
    if failures < 3:
        return 0
    return int(min(2 ** (failures - 2), 300))


class UnlockDialog(QDialog):
    """Sign in to a database. Emits ``unlocked(Workspace)``."""

    unlocked = Signal(object)

    def __init__(self, parent: QWidget | None = None, *, db_path: str = "",
                 username: str = "", message: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle("Unlock casework")
        self.setAccessibleName("Unlock casework")
        self.setMinimumWidth(480)
        self.failures = 0
        self._wait_until = 0.0
        self._busy = False

        title = QLabel("<h2>casework</h2>")
        blurb = QLabel("Community safety casework. The database is encrypted: sign in with "
                       "your user name and password.")
        blurb.setWordWrap(True)
        self.form = Form(self)
        self.path = QLineEdit(db_path)
        self.path.setPlaceholderText("Path to the .db file")
        browse = QPushButton("&Browse…")
        browse.setAccessibleName("Browse for a database file")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        path_box = QWidget()
        path_box.setLayout(row)
        row.setContentsMargins(0, 0, 0, 0)
        self.form.add("path", "&Database", self.path, row=path_box)
        self.user = QLineEdit(username)
        self.form.add("username", "&User name", self.user)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.form.add("password", "&Password", self.password)
        self.status = QLabel(message)
        self.status.setObjectName("unlockStatus")
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Unlock status")

        self.unlock_button = QPushButton("&Unlock")
        self.unlock_button.setDefault(True)
        self.unlock_button.setAccessibleName("Unlock")
        self.unlock_button.clicked.connect(self.try_unlock)
        self.recovery_button = QPushButton("Use a &recovery key…")
        self.recovery_button.setAccessibleName("Use a recovery key")
        self.recovery_button.clicked.connect(self.open_recovery)
        self.new_button = QPushButton("&New database…")
        self.new_button.setAccessibleName("Create a new database")
        self.new_button.clicked.connect(self.open_new_database)
        quit_button = QPushButton("&Quit")
        quit_button.setAccessibleName("Quit")
        quit_button.clicked.connect(self.reject)
        buttons = QDialogButtonBox()
        buttons.addButton(self.unlock_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.recovery_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.new_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(quit_button, QDialogButtonBox.ButtonRole.RejectRole)

        box = QVBoxLayout(self)
        box.addWidget(title)
        box.addWidget(blurb)
        box.addLayout(self.form.layout)
        box.addWidget(self.form.error)
        box.addWidget(self.status)
        box.addWidget(buttons)
        self._tick = QTimer(self)
        self._tick.setInterval(250)
        self._tick.timeout.connect(self._update_wait)
        (self.password if username else self.user).setFocus()
        if not db_path:
            self.path.setFocus()

    # -- unlocking ------------------------------------------------------------------------
    def try_unlock(self) -> None:
        """Check the fields, then unlock in the background."""
        if self._busy or self._waiting():
            return
        path, user, password = self.path.text().strip(), self.user.text().strip(), \
            self.password.text()
        for name, value, msg in (("path", path, "Choose the database file."),
                                 ("username", user, "Enter your user name."),
                                 ("password", password, "Enter your password.")):
            if not value:
                self.form.show_error(ValidationError(msg, name))
                return
        self.form.clear_errors()
        self._set_busy(True, "Unlocking…")
        QueryOp(self, lambda: _open_and_tidy(Path(path), user, password),
                self._on_unlocked).failure(self._on_failed).run()

    def _on_unlocked(self, ws: Any) -> None:
        self._set_busy(False, "")
        self.failures = 0
        self.password.clear()
        self.unlocked.emit(ws)
        self.accept()

    def _on_failed(self, exc: BaseException) -> None:
        from db.errors import EmptyPassword, RevokedUser, UnknownUser, WrongPassword

        self._set_busy(False, "")
        field = None
        delay = float(getattr(exc, "seconds", 0) or 0)  # casework.lockout.UnlockDelayed
        if isinstance(exc, WrongPassword | UnknownUser | RevokedUser | EmptyPassword):
            self.failures += 1
            delay = self._lockout_delay()
            field = "password" if isinstance(exc, WrongPassword | EmptyPassword) else "username"
        if delay > 0:
            self._wait_until = time.monotonic() + delay
            self._tick.start()
            self._update_wait()
        self.form.show_error(ValidationError(error_text(exc), field))
        if field == "password":
            self.password.selectAll()

    def _lockout_delay(self) -> float:
        """The wait before the next try: casework.lockout counts failures beside the
        database (open_workspace records them); without it, a local schedule."""
        from casework.core import lockout

        try:
            return float(lockout.check_delay(Path(self.path.text().strip()),
                                             self.user.text().strip()))
        except Exception:  # noqa: BLE001 - the local delay still applies
            return float(local_delay(self.failures))

    def _waiting(self) -> bool:
        return time.monotonic() < self._wait_until

    def _update_wait(self) -> None:
        left = self._wait_until - time.monotonic()
        if left <= 0:
            self._tick.stop()
            self.unlock_button.setEnabled(True)
            self.status.setText("You can try again now.")
            return
        self.unlock_button.setEnabled(False)
        self.status.setText(f"Too many wrong passwords: try again in {int(left) + 1} s.")

    def _set_busy(self, busy: bool, text: str) -> None:
        self._busy = busy
        for w in (self.unlock_button, self.recovery_button, self.new_button):
            w.setEnabled(not busy)
        self.status.setText(text)
        if busy:
            self.setCursor(Qt.CursorShape.BusyCursor)
        else:
            self.unsetCursor()

    # -- other routes -----------------------------------------------------------------------
    def _browse(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Open a casework database",
                                              self.path.text(), "casework database (*.db);;"
                                              "All files (*)")
        if name:
            self.path.setText(name)

    def open_recovery(self) -> None:
        """The recovery-key route: set a new password for a user with the recovery key."""
        from ui.shell.newdb import RecoveryDialog

        dlg = RecoveryDialog(self, self.path.text().strip(), self.user.text().strip())
        if dlg.exec() == QDialog.DialogCode.Accepted:
            self.user.setText(dlg.username)
            self.password.clear()
            self.status.setText("The password was reset with the recovery key: "
                                "sign in with the new password.")
            self.password.setFocus()

    def open_new_database(self) -> None:
        """Create a new database with its first administrator."""
        from ui.shell.newdb import NewDatabaseDialog

        dlg = NewDatabaseDialog(self)
        dlg.created.connect(self._on_created)
        dlg.exec()

    def _on_created(self, path: str, ws: Any) -> None:
        self.path.setText(path)
        self.user.setText(ws.actor.username)
        self.unlocked.emit(ws)
        self.accept()


def _open_and_tidy(path: Path, user: str, password: str) -> Any:
    """Unlock, then remove what an export killed part-way left behind (audited)."""
    from casework.core.context import open_workspace
    from casework.sharing.pipeline import recover_exports

    ws = open_workspace(path, user, password)
    recover_exports(ws)
    return ws
