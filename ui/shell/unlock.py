"""The unlock dialog: a database file or a team-server profile, user and password; the
recovery-key route; a new database.

Unlocking derives a key with Argon2id, so it runs off the GUI thread. A wrong password
says so plainly and, after repeated failures, makes the user wait a growing delay before
the next try (``casework.lockout`` when it is installed, else a local schedule).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from casework.core.errors import ValidationError
from ui.common.accessibility import apply_tab_order
from ui.common.forms import Form
from ui.common.ops import QueryOp, error_text
from ui.common.qt import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
)

FILE_BLURB = ("Community safety casework. The database is encrypted: sign in with your user "
              "name and password.")
SERVER_BLURB = ("Community safety casework on your partnership's team server: sign in with "
                "your own server user name and password (never stored on this computer).")


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
                 username: str = "", message: str = "", server: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle("Unlock casework")
        self.setAccessibleName("Unlock casework")
        self.setMinimumWidth(480)
        self.failures = 0
        self._wait_until = 0.0
        self._busy = False

        title = QLabel("<h2>casework</h2>")
        self.blurb = blurb = QLabel(FILE_BLURB)
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
        self.path_box = path_box
        self.form.add("path", "&Database", self.path, row=path_box)
        # A team server: a saved connection profile (never a password).
        self.file_mode = QRadioButton("This computer (&file)")
        self.file_mode.setAccessibleName("Work on a database file on this computer")
        self.server_mode = QRadioButton("&Team server")
        self.server_mode.setAccessibleName("Work on a team server")
        self._modes = QButtonGroup(self)
        self._modes.addButton(self.file_mode)
        self._modes.addButton(self.server_mode)
        mode_row = QHBoxLayout()
        mode_row.addWidget(self.file_mode)
        mode_row.addWidget(self.server_mode)
        mode_row.addStretch(1)
        self.profile = QComboBox()
        self.profile_button = QPushButton("Ne&w profile…")
        self.profile_button.setAccessibleName("Make a new server profile")
        self.profile_button.clicked.connect(self.open_new_profile)
        prow = QHBoxLayout()
        prow.setContentsMargins(0, 0, 0, 0)
        prow.addWidget(self.profile, 1)
        prow.addWidget(self.profile_button)
        self.profile_box = QWidget()
        self.profile_box.setLayout(prow)
        self.form.add("profile", "Pr&ofile", self.profile, row=self.profile_box)
        self._profile_user = ""
        self.profile.currentIndexChanged.connect(self._profile_chosen)
        self.user = QLineEdit(username)
        self.form.add("username", "&User name", self.user)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.form.add("password", "&Password", self.password)
        self.status = QLabel(message)
        self.status.setObjectName("unlockStatus")
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Unlock status")

        self.unlock_button = QPushButton("Un&lock")
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
        box.addLayout(mode_row)
        box.addLayout(self.form.layout)
        box.addWidget(self.form.error)
        box.addWidget(self.status)
        box.addWidget(buttons)
        self._tick = QTimer(self)
        self._tick.setInterval(250)
        self._tick.timeout.connect(self._update_wait)
        self.load_profiles(server)
        (self.server_mode if server else self.file_mode).setChecked(True)
        self._show_mode()
        self.file_mode.toggled.connect(self._show_mode)
        # Tab follows the rows as laid out (the mode choice first); Qt passes by the rows
        # of the other mode while they are hidden.
        apply_tab_order(self)
        (self.password if username else self.user).setFocus()
        if not db_path and not server:
            self.path.setFocus()

    # -- file or server -------------------------------------------------------------------
    @property
    def on_server(self) -> bool:
        return self.server_mode.isChecked()

    @property
    def server_profile(self) -> str:
        """The chosen profile's name in server mode, else ""."""
        return str(self.profile.currentData() or "") if self.on_server else ""

    def load_profiles(self, select: str = "") -> None:
        """List the saved profiles (an unreadable profiles file is said, not hidden)."""
        from casework.server import profiles

        self.profile.blockSignals(True)
        self.profile.clear()
        try:
            found = profiles.load()
        except ValidationError as exc:
            found = {}
            self.status.setText(str(exc))
        for name, p in sorted(found.items()):
            where = f"{p.host}:{p.port}/{p.database}"
            self.profile.addItem(f"{name} ({where})", name)
        if not found:
            self.profile.addItem("No profiles yet: make one with New profile…", None)
        index = self.profile.findData(select) if select else 0
        self.profile.setCurrentIndex(max(index, 0))
        self.profile.blockSignals(False)
        self._profile_chosen()

    def _profile_chosen(self, _index: int = 0) -> None:
        """Offer the profile's user name unless the user typed another."""
        from casework.server import profiles

        name = self.profile.currentData()
        try:
            user = profiles.load()[name].user if name else ""
        except (ValidationError, KeyError):
            user = ""
        if self.on_server and user and self.user.text().strip() in ("", self._profile_user):
            self.user.setText(user)
        self._profile_user = user

    def _show_mode(self) -> None:
        server = self.on_server
        self.blurb.setText(SERVER_BLURB if server else FILE_BLURB)
        self.form.layout.setRowVisible(self.path_box, not server)
        self.form.layout.setRowVisible(self.profile_box, server)
        # Server passwords and databases are managed on the server (casework-cli server).
        self.recovery_button.setVisible(not server)
        self.new_button.setVisible(not server)
        self.form.clear_errors()
        if server:
            self._profile_chosen()
        if self.focusWidget() not in (self.file_mode, self.server_mode):
            # The field that had the cursor may have gone with the other mode's rows (Qt
            # then gives it to the next control, maybe a button Enter would press): it
            # goes to the first field still to fill.
            first = self.path if not server and not self.path.text().strip() else \
                self.user if not self.user.text().strip() else self.password
            first.setFocus()
        self.unlock_button.setDefault(True)  # Enter signs in
        self.adjustSize()

    def open_new_profile(self) -> None:
        from ui.shell.serverprofile import NewProfileDialog

        self.new_profile_dialog = dlg = NewProfileDialog(self)
        if dlg.exec() == QDialog.DialogCode.Accepted and dlg.saved_name:
            self.user.setText(self.user.text() or dlg.profile().user)
            self.load_profiles(dlg.saved_name)
            self.status.setText(f"Profile {dlg.saved_name} saved (no password is kept).")
            (self.password if self.user.text() else self.user).setFocus()

    # -- unlocking ------------------------------------------------------------------------
    def try_unlock(self) -> None:
        """Check the fields, then unlock in the background."""
        if self._busy or self._waiting():
            return
        if self.on_server:
            self._sign_in_to_server()
            return
        path, user, password = self.path.text().strip(), self.user.text().strip(), \
            self.password.text()
        for name, value, msg in (("path", path, "Choose the database file."),
                                 ("username", user, "Enter your user name."),
                                 ("password", password, "Enter your password.")):
            if not value:
                self._error(ValidationError(msg, name))
                return
        self.form.clear_errors()
        self._set_busy(True, "Unlocking…")
        QueryOp(self, lambda: _open_and_tidy(Path(path), user, password),
                self._on_unlocked).failure(self._on_failed).run()

    def _sign_in_to_server(self) -> None:
        from casework.server import profiles

        name = self.server_profile
        if not name:
            self._error(ValidationError("Choose a server profile, or make one with "
                                                 "New profile.", "profile"))
            return
        try:
            profile = profiles.get(name)
        except Exception as exc:  # noqa: BLE001 - NotFound or an unreadable file, said
            self._error(ValidationError(error_text(exc), "profile"))
            return
        user, password = self.user.text().strip(), self.password.text()
        if not user:
            self._error(ValidationError("Enter your user name.", "username"))
            return
        if not password and not profile.sslcert:
            self._error(ValidationError("Enter your password.", "password"))
            return
        self.form.clear_errors()
        self._set_busy(True, "Connecting to the team server…")
        QueryOp(self, lambda: _open_server(profile, user, password or None),
                self._on_unlocked).failure(self._on_failed).run()

    def _on_unlocked(self, ws: Any) -> None:
        self._set_busy(False, "")
        self.failures = 0
        self.password.clear()
        self.unlocked.emit(ws)
        self.accept()

    def _on_failed(self, exc: BaseException) -> None:
        from casework.core.errors import PermissionDenied
        from db.errors import EmptyPassword, RevokedUser, UnknownUser, WrongPassword
        from db.server.connect import ServerUnreachable, ServerWrongPassword

        self._set_busy(False, "")
        field = None
        delay = float(getattr(exc, "seconds", 0) or 0)  # casework.lockout.UnlockDelayed
        if isinstance(exc, WrongPassword | UnknownUser | RevokedUser | EmptyPassword):
            self.failures += 1
            delay = self._lockout_delay()
            field = "password" if isinstance(exc, WrongPassword | EmptyPassword) else "username"
        elif isinstance(exc, ServerWrongPassword):
            self.failures += 1
            delay = float(local_delay(self.failures))
            field = "password"
        elif isinstance(exc, ServerUnreachable):  # no answer, TLS, no casework database
            field = "profile"
        elif self.on_server and isinstance(exc, PermissionDenied):
            field = "username"  # no casework user of that name on the server
        if delay > 0:
            self._wait_until = time.monotonic() + delay
            self._tick.start()
            self._update_wait()
        self._error(ValidationError(error_text(exc), field))
        if isinstance(exc, ServerUnreachable):
            # What was typed stays; the password is where the next try starts.
            self.password.setFocus()
        if field == "password" or isinstance(exc, ServerUnreachable):
            self.password.selectAll()

    def _lockout_delay(self) -> float:
        """The wait before the next try: casework.lockout counts failures beside the
        database (open_workspace records them); without it, a local schedule."""
        from casework.core import lockout

        if self.on_server:
            return float(local_delay(self.failures))
        try:
            return float(lockout.check_delay(Path(self.path.text().strip()),
                                             self.user.text().strip()))
        except Exception:  # noqa: BLE001 - the local delay still applies
            return float(local_delay(self.failures))

    def _error(self, exc: BaseException) -> None:
        """Show the error and grow the dialog to the message, so no field is squeezed."""
        self.form.show_error(exc)
        self.adjustSize()

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
        for w in (self.unlock_button, self.recovery_button, self.new_button,
                  self.profile_button, self.file_mode, self.server_mode):
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


def _open_server(profile: Any, user: str, password: str | None) -> Any:
    """Sign in to a team server as the CLI's ``--server PROFILE`` does, then tidy."""
    from casework.server.session import open_profile
    from casework.sharing.pipeline import recover_exports

    ws = open_profile(profile, user, password)
    recover_exports(ws)
    return ws
