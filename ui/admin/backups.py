"""Administration → Backup and restore: back up now, restore from a file (checked first,
with confirmation and the administrator's password), and when the last backup was made.
The page says so when the last backup is older than the configured number of days
(setting ``admin.backup_reminder_days``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ui.common.ops import QueryOp, error_text
from ui.common.qt import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


def reminder_text(overdue: tuple[bool, Any, int]) -> str:
    """The reminder for the administrator, or "" when the last backup is recent."""
    due, last, days = overdue
    if not due:
        return ""
    if last is None:
        return ("No backup of this database has been made yet: back up now on the Backup "
                "and restore tab.")
    return (f"The last backup was made on {last:%d %b %Y}, more than {days} day(s) ago: "
            "back up now on the Backup and restore tab.")


class ConfirmRestore(QDialog):
    """Restoring replaces the database: say what will happen, ask for the password."""

    def __init__(self, parent: QWidget, backup: Path) -> None:
        super().__init__(parent)
        self.setWindowTitle("Restore a backup")
        self.setAccessibleName("Restore a backup")
        box = QVBoxLayout(self)
        text = QLabel(
            f"<p>Restore <b>{backup.name}</b> in place of the database?</p><p>The backup is "
            "checked first (page HMACs, integrity, audit trail); if it fails, nothing "
            "changes. The database as it is now is kept as a backup beside it. Everyone "
            "must close casework; you will sign in again afterwards.</p>")
        text.setWordWrap(True)
        box.addWidget(text)
        form = QFormLayout()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Your password")
        label = QLabel("Your &password")
        label.setBuddy(self.password)
        form.addRow(label, self.password)
        box.addLayout(form)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.addButton("&Restore", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        box.addWidget(self.buttons)


class BackupTab(QWidget):
    def __init__(self, ws: Any, page: Any) -> None:
        super().__init__()
        self.ws = ws
        self.page = page
        self.loaded = False
        self.dialog: ConfirmRestore | None = None
        self.last_result: Any = None
        box = QVBoxLayout(self)
        self.last = QLabel("")
        self.last.setAccessibleName("Last backup")
        self.last.setWordWrap(True)
        box.addWidget(self.last)
        self.reminder = QLabel("")
        self.reminder.setObjectName("caseStatus")
        self.reminder.setAccessibleName("Backup reminder")
        self.reminder.setWordWrap(True)
        box.addWidget(self.reminder)
        row = QHBoxLayout()
        self.backup_button = QPushButton("&Make a backup now…")
        self.backup_button.setAccessibleName("Back up now")
        self.backup_button.clicked.connect(self.choose_backup)
        self.restore_button = QPushButton("Restore from f&ile…")
        self.restore_button.setAccessibleName("Restore from file")
        self.restore_button.clicked.connect(self.choose_restore)
        row.addWidget(self.backup_button)
        row.addWidget(self.restore_button)
        row.addStretch(1)
        box.addLayout(row)
        self.result = QLabel("")
        self.result.setAccessibleName("Backup and restore result")
        self.result.setWordWrap(True)
        box.addWidget(self.result)
        box.addStretch(1)

    def refresh(self) -> None:
        from casework.admin import backups

        ws = self.ws
        QueryOp(self, lambda: backups.backup_overdue(ws), self._show).run()

    def _show(self, overdue: tuple[bool, Any, int]) -> None:
        _due, last, days = overdue
        self.last.setText(f"Last backup: {last:%d %b %Y %H:%M} UTC" if last is not None
                          else "Last backup: none recorded in this database")
        self.reminder.setText(reminder_text(overdue))
        self.reminder.setVisible(bool(self.reminder.text()))
        self.loaded = True

    # -- back up -------------------------------------------------------------------------
    def choose_backup(self) -> None:
        from casework.core import clock

        start = str(self.ws.store.path.with_name(
            f"{self.ws.store.path.stem}-{clock.now():%Y%m%d-%H%M}.db"))
        name, _ = QFileDialog.getSaveFileName(self, "Save the backup as", start)
        if name:
            self.backup_to(Path(name))

    def backup_to(self, dest: Path) -> None:
        from casework.admin import backups

        ws = self.ws
        QueryOp(self, lambda: backups.backup(ws, dest), self._backed_up) \
            .failure(lambda exc: self.result.setText(error_text(exc))).run()

    def _backed_up(self, written: Any) -> None:
        self.result.setText(f"Backup written to {written.path} (with {written.slots.name} "
                            f"and {written.head.name}).")
        self.refresh()

    # -- restore -------------------------------------------------------------------------
    def choose_restore(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Choose the backup to restore",
                                              str(self.ws.store.path.parent))
        if name:
            self.confirm_restore(Path(name))

    def confirm_restore(self, backup: Path) -> ConfirmRestore:
        self.dialog = dlg = ConfirmRestore(self, backup)
        dlg.accepted.connect(lambda: self._restore(backup, dlg.password.text()))
        dlg.finished.connect(dlg.deleteLater)
        dlg.open()
        return dlg

    def _restore(self, backup: Path, password: str) -> None:
        from casework.admin import backups

        ws = self.ws
        self.result.setText("Checking the backup…")
        QueryOp(self, lambda: backups.restore(ws, backup, password), self._restored) \
            .failure(lambda exc: self.result.setText(error_text(exc))).run()

    def _restored(self, result: Any) -> None:
        self.last_result = result
        text = " ".join(result.lines())
        self.result.setText(text)
        main = getattr(self.page, "main", None)
        if main is not None and hasattr(main, "lock_requested"):
            main.lock_requested.emit()  # the database changed under the window: sign in again
