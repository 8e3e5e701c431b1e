"""Administration: users and their key slots, teams and panels, settings, and the
sharing protocol's current version. No case content (separation of duties)."""

from __future__ import annotations

from typing import Any

from ui.admin import dialogs as dlg
from ui.common.forms import humanise
from ui.common.ops import QueryOp
from ui.common.qt import QHBoxLayout, QLabel, QPushButton, QTabWidget, QVBoxLayout, QWidget
from ui.common.screen import Screen, heading
from ui.common.widgets import RecordTable
from ui.safeguards.tabs import RetentionTab, SubjectAccessTab, WhoSawTab


def _reminder(ws: Any) -> str:
    from casework.admin.backups import backup_overdue
    from ui.admin.backups import reminder_text

    return reminder_text(backup_overdue(ws))


class Page(Screen):
    """Tabs: Users, Key slots, Settings, Sharing protocol, Vocabularies, Letter templates,
    Backup and restore (and what the role holds of the safeguards)."""

    title = "Administration"

    def __init__(self, ws: Any, main: Any) -> None:
        super().__init__(ws, main)
        self.dialog: Any = None
        self.loaded = False
        box = QVBoxLayout(self)
        box.addWidget(heading("Administration"))
        self.status = QLabel("")
        self.status.setObjectName("caseStatus")
        self.status.setAccessibleName("Administration status")
        self.status.hide()
        box.addWidget(self.status)
        self.tabs = QTabWidget()
        box.addWidget(self.tabs, 1)
        self.users = RecordTable([
            ("User", lambda u: u.username), ("Name", lambda u: u.display_name),
            ("Role", lambda u: humanise(u.role)), ("Team", lambda u: u.team),
            ("Panels", lambda u: ", ".join(u.panels)), ("Active", lambda u: u.active)], "Users")
        from ui.common.table_export import add_list_menu

        add_list_menu(self.users, self.export_list)
        self.tabs.addTab(self._with_buttons(self.users, [
            ("&Add user…", lambda: self._open(dlg.AddUserDialog(self, ws), "User added.")),
            ("&Reset password…", self.reset_password),
            ("&Disable user", self.disable_user),
            ("Add &team…", lambda: self._open(dlg.TeamDialog(self, ws, False), "Team added.")),
            ("Add &panel…", lambda: self._open(dlg.TeamDialog(self, ws, True),
                                               "Panel added."))]), "&Users")
        self.slots = RecordTable([("Slot", lambda s: s.name), ("Kind", lambda s: humanise(s.kind)),
                                  ("State", lambda s: humanise(s.state))], "Key slots")
        self.tabs.addTab(self.slots, "&Key slots")
        from ui.admin.settings_form import SettingsForm

        self.settings = SettingsForm(ws, self.set_status)
        self.tabs.addTab(self.settings, "Settings")
        self.protocol = QLabel("")
        self.protocol.setWordWrap(True)
        self.protocol.setAccessibleName("Sharing protocol")
        self.tabs.addTab(self.protocol, "Sharing protocol")
        from casework.core.permissions import has

        self.vocabulary = None
        if has(ws.actor, "admin.settings"):
            from ui.admin.vocabulary import VocabularyTab

            self.vocabulary = VocabularyTab(ws, self)
            self.tabs.addTab(self.vocabulary, "Voca&bularies")
        self.letters = None
        if has(ws.actor, "admin.letters"):
            from ui.admin.letter_templates import LetterTemplatesTab

            self.letters = LetterTemplatesTab(ws, self)
            self.tabs.addTab(self.letters, "L&etter templates")
        self.backups = None
        if has(ws.actor, "admin.backup"):
            from ui.admin.backups import BackupTab

            self.backups = BackupTab(ws, self)
            self.tabs.addTab(self.backups, "Backup and restore")
        self.retention = self.who_saw = self.sar = None
        if has(ws.actor, "admin.retention"):
            self.retention = RetentionTab(ws, self)
            self.tabs.addTab(self.retention, "Retention")
        if has(ws.actor, "audit.who_saw"):
            self.who_saw = WhoSawTab(ws)
            self.tabs.addTab(self.who_saw, "&Who saw what")
        if has(ws.actor, "sar.export"):
            self.sar = SubjectAccessTab(ws)
            self.tabs.addTab(self.sar, "Subject access")
        self.tabs.currentChanged.connect(self._tab_shown)

    def set_status(self, text: str) -> None:
        self.status.setText(text)
        self.status.setVisible(bool(text))

    def _tab_shown(self, index: int) -> None:
        if self.vocabulary is not None and self.tabs.widget(index) is self.vocabulary \
                and not self.vocabulary.loaded:
            self.vocabulary.refresh()
        if self.letters is not None and self.tabs.widget(index) is self.letters \
                and not self.letters.loaded:
            self.letters.refresh()
        if self.retention is not None and self.tabs.widget(index) is self.retention \
                and not self.retention.loaded:
            self.retention.refresh()

    def _with_buttons(self, table: QWidget, buttons: list[tuple[str, Any]]) -> QWidget:
        host = QWidget()
        box = QVBoxLayout(host)
        row = QHBoxLayout()
        for text, slot in buttons:
            b = QPushButton(text)
            b.setAccessibleName(text.replace("&", "").rstrip("…"))
            b.clicked.connect(slot)
            row.addWidget(b)
        row.addStretch(1)
        box.addLayout(row)
        box.addWidget(table, 1)
        return host

    def refresh(self) -> None:
        from casework.admin.overview import admin_overview
        from casework.core.users import list_users

        ws = self.ws
        QueryOp(self, lambda: (list_users(ws), admin_overview(ws)), self._show).run()
        if self.backups is not None:
            self.backups.refresh()
            QueryOp(self, lambda: _reminder(ws), self._remind).run()

    def _remind(self, text: str) -> None:
        if text and not self.status.isVisible():
            self.set_status(text)

    def _show(self, parts: tuple[Any, Any]) -> None:
        users, info = parts
        self.users.set_records(users)
        self.slots.set_records(info.slots)
        self.settings.show_values({s.key: s.value for s in info.settings})
        self.protocol.setText(
            f"<h3>Information-sharing protocol</h3><p>Current version: "
            f"<b>{info.protocol_version if info.protocol_version is not None else 'none'}"
            f"</b></p><p>{info.protocol_note}</p><p>Every export names the version it "
            "applied and is written to the audit trail.</p>")
        self.loaded = True

    def is_ready(self) -> bool:
        return self.loaded

    def _open(self, dialog: Any, message: str) -> Any:
        self.dialog = dialog
        dialog.accepted.connect(lambda: (self.set_status(message), self.refresh()))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def export_list(self) -> Any:
        """Export the user list through the sharing pipeline."""
        from ui.common.table_export import export_list, record_source

        source = record_source(self.users, "users", ("username", "display_name", "role",
                                                     "team", "panels", "active"))
        return export_list(self, self.ws, source, "users", self.set_status)

    def reset_password(self) -> None:
        user = self.users.current_record()
        if user is None:
            self.set_status("Choose a user first.")
            return
        self._open(dlg.ResetPasswordDialog(self, self.ws, user.username), "Password reset.")

    def disable_user(self) -> None:
        from casework.core.users import disable_user

        user = self.users.current_record()
        if user is None:
            self.set_status("Choose a user first.")
            return
        ws, name = self.ws, user.username
        QueryOp(self, lambda: disable_user(ws, name),
                lambda _r: (self.set_status(f"{name} disabled; key slot revoked."),
                            self.refresh())).run()
