"""People: find a person, see their record and every case they appear in."""

from __future__ import annotations

from typing import Any

from ui.common import services
from ui.common.areas import area_name
from ui.common.forms import humanise
from ui.common.ops import QueryOp
from ui.common.qt import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    Qt,
    QTimer,
)
from ui.common.qt import QVBoxLayout as VBox
from ui.common.screen import Screen, heading
from ui.common.widgets import KeyValues, RecordTable


class Page(Screen):
    """A search list on the left, the chosen person on the right."""

    title = "People"

    def __init__(self, ws: Any, main: Any) -> None:
        super().__init__(ws, main)
        self.person: Any = None
        from ui.common.changes import bus

        bus().changed.connect(self._on_change)  # a bound method: disconnected with the page
        box = VBox(self)
        box.addWidget(heading("People"))
        row = QHBoxLayout()
        left = VBox()
        self.query = QLineEdit()
        self.query.setPlaceholderText("Name, alias or address")
        self.query.setAccessibleName("Find a person")
        label = QLabel("&Find")
        label.setBuddy(self.query)
        left.addWidget(label)
        left.addWidget(self.query)
        self.results = QListWidget()
        self.results.setAccessibleName("People found")
        self.results.itemActivated.connect(
            lambda item: self.open_person(int(item.data(Qt.ItemDataRole.UserRole))))
        left.addWidget(self.results, 1)
        right = VBox()
        self.name = QLabel("Find a person to see their record.")
        self.name.setObjectName("caseTitle")
        self.details = KeyValues("Person")
        self.cases = RecordTable([("Reference", lambda c: c.reference),
                                  ("Type", lambda c: humanise(c.case_type)),
                                  ("Role", lambda c: humanise(c.role)),
                                  ("Status", lambda c: humanise(c.status)),
                                  ("Opened", lambda c: c.opened_on)], "Their cases")
        self.cases.doubleClicked.connect(self._open_case)
        from ui.common.table_export import add_list_menu

        add_list_menu(self.cases, self.export_list)
        sub = QLabel("Cases")
        sub.setObjectName("subheading")
        self.dialog: Any = None
        actions = QHBoxLayout()
        self.person_buttons: dict[str, QPushButton] = {}
        for key, text, cap, slot in (
                ("edit", "&Edit details…", "people.write", self.edit_person),
                ("merge", "&Merge a duplicate into this record…", "people.write",
                 self.merge_person)):
            if not services.can(ws.actor, cap):
                continue
            b = QPushButton(text)
            b.setAccessibleName(text.replace("&", "").rstrip("…"))
            b.setEnabled(False)
            b.clicked.connect(lambda _c=False, s=slot: s())
            actions.addWidget(b)
            self.person_buttons[key] = b
        actions.addStretch(1)
        self.status = QLabel("")
        self.status.setObjectName("caseStatus")
        self.status.setWordWrap(True)
        self.status.setAccessibleName("People status message")
        for w in (self.name,):
            right.addWidget(w)
        right.addLayout(actions)
        for w in (self.status, self.details, sub):
            right.addWidget(w)
        right.addWidget(self.cases, 1)
        row.addLayout(left, 1)
        row.addLayout(right, 2)
        box.addLayout(row, 1)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(200)
        self._timer.timeout.connect(self._search)
        self.query.textEdited.connect(lambda _t: self._timer.start())

    def _search(self) -> None:
        text = self.query.text().strip()
        if len(text) < 2:
            self.results.clear()
            return
        from casework.cases.search import search

        ws = self.ws
        QueryOp(self, lambda: [h for h in search(ws, text, 50) if h.kind == "person"],
                self._show_results).run()

    def _show_results(self, hits: list[Any]) -> None:
        self.results.clear()
        for h in hits:
            item = QListWidgetItem(f"{h.label}  —  {h.detail}" if h.detail else h.label)
            item.setData(Qt.ItemDataRole.UserRole, h.id)
            self.results.addItem(item)

    def _on_change(self, change: Any) -> None:
        """Another user (or a reloaded dialog) changed people: show the record anew."""
        if change.touches("person") and change.source is not self and self.person is not None:
            self.open_person(self.person.id)

    def open_person(self, person_id: int) -> None:
        """Show a person's record and cases (reading it is audited by the service)."""
        from casework.people.persons import get_person, person_cases

        ws = self.ws
        QueryOp(self, lambda: (get_person(ws, person_id), person_cases(ws, person_id)),
                self._show_person).run()

    def _show_person(self, parts: tuple[Any, list[Any]]) -> None:
        p, cases = parts
        self.person = p
        self.name.setText(f"{p.given_name} {p.family_name}".strip())
        address = p.addresses[0] if p.addresses else None
        self.details.set_values([
            ("Date of birth", p.date_of_birth), ("Gender", humanise(p.gender)),
            ("Aliases", ", ".join(p.aliases)), ("Phone", p.phone), ("Email", p.email),
            ("Address", f"{address.line1}, {address.postcode}" if address else ""),
            ("Area", area_name(address.lsoa_code) if address else ""),
            ("Vulnerability", ", ".join(humanise(f.replace("flag_", "")) for f in p.flags)),
            ("Consent", humanise(p.consent))])
        self.cases.set_records(cases)
        merged = p.merged_into_id is not None
        for b in self.person_buttons.values():
            b.setEnabled(not merged)
        if merged:
            self.status.setText(f"This record was merged into person {p.merged_into_id}.")

    # -- actions ------------------------------------------------------------------------
    def _open_dialog(self, dialog: Any, message: str) -> Any:
        self.dialog = dialog
        pid = self.person.id

        def done() -> None:
            self.status.setText(message)
            self.open_person(pid)

        dialog.accepted.connect(done)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def edit_person(self) -> Any:
        from ui.people.dialogs import EditPersonDialog

        if self.person is None:
            return None
        return self._open_dialog(EditPersonDialog(self, self.ws, self.person),
                                 "Details saved.")

    def merge_person(self) -> Any:
        from ui.people.dialogs import MergeDialog

        if self.person is None:
            return None
        return self._open_dialog(MergeDialog(self, self.ws, self.person),
                                 "Records merged: the duplicate now points at this one.")

    def export_list(self) -> Any:
        """Export the person's cases through the sharing pipeline (the file names the
        person by record number only)."""
        from ui.common.table_export import export_list, record_source

        if self.person is None:
            self.status.setText("Find a person first: their cases are the list exported.")
            return None
        pid = self.person.id
        source = record_source(self.cases, "person_cases",
                               ("reference", "case_type", "role", "status", "opened_on"),
                               lambda: f"Cases of person record {pid}")
        return export_list(self, self.ws, source, "person-cases", self.status.setText)

    def _open_case(self, *_: Any) -> None:
        c = self.cases.current_record()
        if c is not None:
            self.main.open_case(c.case_id, c.reference)
