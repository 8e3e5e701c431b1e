"""People dialogs: edit a person, merge a duplicate into the record kept."""

from __future__ import annotations

from typing import Any

from ui.cases.dialogs import text_box
from ui.common.areas import area_combo
from ui.common.forms import FormDialog, combo, date_edit, humanise
from ui.common.ops import QueryOp
from ui.common.qt import QCheckBox, QLineEdit, QListWidget, QListWidgetItem, Qt, QTimer, QWidget


class EditPersonDialog(FormDialog):
    """Every detail of a person; a changed address becomes the current one."""

    def __init__(self, parent: QWidget | None, ws: Any, person: Any) -> None:
        from casework.people.persons import CONSENT, FLAGS, GENDERS

        super().__init__(parent, f"Edit {person.display_name}", submit_label="&Save")
        self.ws, self.person_id = ws, person.id
        from casework.people.persons import get_person
        from ui.common.changes import PERSON, Change

        pid = person.id
        self.expect_version(getattr(person, "version", None),
                            lambda: get_person(ws, pid).version, Change((), {PERSON}))
        a = person.current_address
        self.add("given_name", "&Given name", QLineEdit(person.given_name))
        self.add("family_name", "&Family name", QLineEdit(person.family_name))
        self.add("dob_known", "", QCheckBox("Date of birth &known"))
        dob = date_edit(person.date_of_birth)
        self.add("date_of_birth", "Date of &birth", dob)
        known = self.form.fields["dob_known"]
        assert isinstance(known, QCheckBox)
        known.setChecked(person.date_of_birth is not None)
        dob.setEnabled(person.date_of_birth is not None)
        known.toggled.connect(dob.setEnabled)
        self.add("gender", "G&ender", combo(GENDERS, current=person.gender))
        self.add("aliases", "A&liases", QLineEdit(", ".join(person.aliases)),
                 "Other names, separated by commas")
        self.add("phone", "P&hone", QLineEdit(person.phone))
        self.add("email", "E&mail", QLineEdit(person.email))
        self.add("line1", "&Address", QLineEdit(a.line1 if a else ""))
        self.add("line2", "Address line &2", QLineEdit(a.line2 if a else ""))
        self.add("town", "&Town", QLineEdit(a.town if a else ""))
        self.add("postcode", "&Postcode", QLineEdit(a.postcode if a else ""))
        area = area_combo()
        if a is not None and a.lsoa_code:
            area.setCurrentIndex(max(0, area.findData(a.lsoa_code)))
        self.add("lsoa_code", "A&rea", area)
        self.add("consent", "&Consent", combo(CONSENT, current=person.consent))
        for flag in FLAGS:
            box = QCheckBox(humanise(flag.replace("flag_", "")))
            box.setChecked(flag in person.flags)
            self.add(flag, "", box)
        self.flags = FLAGS
        self.add("notes", "&Notes", text_box(60))
        notes = self.form.fields["notes"]
        notes.setPlainText(person.notes)  # type: ignore[attr-defined]

    def on_submit(self) -> None:
        from casework.people.persons import AddressInput, PersonInput, edit_person

        v = self.form.values()
        address = AddressInput(v["line1"], v["line2"], v["town"], v["postcode"],
                               v["lsoa_code"] or None)
        data = PersonInput(
            v["given_name"], v["family_name"], v["date_of_birth"] if v["dob_known"] else None,
            v["gender"], v["phone"], v["email"],
            tuple(s.strip() for s in v["aliases"].split(",") if s.strip()),
            address if any((v["line1"], v["postcode"], v["lsoa_code"])) else None,
            frozenset(f for f in self.flags if v[f]), v["consent"], v["notes"])
        ws, pid = self.ws, self.person_id
        self.submit(lambda: edit_person(ws, pid, data, loaded_version=self.loaded_version))


class MergeDialog(FormDialog):
    """Find the duplicate, give a reason, confirm: the duplicate's cases, aliases and
    addresses move to the record kept, and the duplicate points at it."""

    def __init__(self, parent: QWidget | None, ws: Any, keep: Any) -> None:
        super().__init__(parent, f"Merge a duplicate into {keep.display_name}",
                         submit_label="&Merge",
                         intro="The record shown is kept. Find the duplicate record; its "
                               "cases, aliases and addresses move to the record kept. "
                               "A merge cannot be undone.")
        self.ws, self.keep_id = ws, keep.id
        self.query = QLineEdit()
        self.query.setPlaceholderText("Name, alias or address of the duplicate")
        self.add("query", "&Find the duplicate", self.query)
        self.found = QListWidget()
        self.found.setMinimumHeight(120)
        self.add("merge_id", "&Duplicate", self.found)
        self.add("reason", "&Reason", QLineEdit(),
                 "Why these are the same person (kept in the audit trail)")
        self.add("confirmed", "", QCheckBox("I have &checked these are the same person"))
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(200)
        self._timer.timeout.connect(self.search)
        self.query.textEdited.connect(lambda _t: self._timer.start())
        self.submit_button.setDefault(False)

    def search(self) -> None:
        from casework.cases.search import search

        text, ws, keep = self.query.text().strip(), self.ws, self.keep_id
        if len(text) < 2:
            self.found.clear()
            return
        QueryOp(self, lambda: [h for h in search(ws, text, 30)
                               if h.kind == "person" and h.id != keep],
                self._show).run()

    def _show(self, hits: list[Any]) -> None:
        self.found.clear()
        for h in hits:
            item = QListWidgetItem(f"{h.label}  —  {h.detail}" if h.detail else h.label)
            item.setData(Qt.ItemDataRole.UserRole, h.id)
            self.found.addItem(item)
        if hits:
            self.found.setCurrentRow(0)

    def chosen_id(self) -> int | None:
        item = self.found.currentItem()
        return int(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None

    def on_submit(self) -> None:
        from casework.core.errors import ValidationError
        from casework.people.persons import merge_people

        merge_id = self.chosen_id()
        if merge_id is None:
            self.form.show_error(ValidationError("Find and choose the duplicate record.",
                                                 "merge_id"))
            return
        if not self.form["confirmed"]:
            self.form.show_error(ValidationError("A merge cannot be undone: confirm first.",
                                                 "confirmed"))
            return
        ws, keep, reason = self.ws, self.keep_id, self.form["reason"]
        self.submit(lambda: merge_people(ws, keep, merge_id, reason))


__all__ = ["EditPersonDialog", "MergeDialog"]
