"""Administration → Vocabularies: the coded values forms offer and anonymised outputs print
(agency, need, outcome, exploitation type, action type, recipient body, breach response).

An administrator changes a label, adds a term to an open vocabulary, or retires a term
(no longer offered; older records keep it). "Other" always stays.
"""

from __future__ import annotations

from typing import Any

from ui.common.forms import FormDialog, combo
from ui.common.ops import QueryOp, error_text
from ui.common.qt import QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget
from ui.common.widgets import RecordTable, add_buttons


class TermDialog(FormDialog):
    """A new term, or a term's new label."""

    def __init__(self, parent: QWidget | None, ws: Any, vocabulary: str,
                 term: Any = None) -> None:
        title = "Change a label" if term is not None else "Add a term"
        super().__init__(parent, title, submit_label="&Save",
                         intro="A label names a kind of agency, need or response: never a "
                               "person, a place or a number. It is printed in anonymised "
                               "packs and reports.")
        self.ws, self.vocabulary, self.term = ws, vocabulary, term
        edit = QLineEdit(term.label if term is not None else "")
        self.add("label", "&Label", edit)

    def on_submit(self) -> None:
        from casework.core import vocabulary as vc

        label = self.form.values()["label"]
        ws, name, term = self.ws, self.vocabulary, self.term
        if term is not None:
            self.submit(lambda: vc.relabel(ws, name, term.code, label))
        else:
            self.submit(lambda: vc.add_term(ws, name, label))


class VocabularyTab(QWidget):
    """One vocabulary at a time: its terms, and the buttons to change them."""

    def __init__(self, ws: Any, page: Any) -> None:
        from casework.core import vocabulary as vc

        super().__init__()
        self.ws, self.page = ws, page
        self.dialog: Any = None
        self.loaded = False
        self.infos = {v.name: v for v in vc.vocabularies()}
        box = QVBoxLayout(self)
        top = QHBoxLayout()
        self.choice = combo([(v.name, v.title) for v in self.infos.values()])
        self.choice.setAccessibleName("Vocabulary")
        self.choice.currentIndexChanged.connect(lambda _i: self.refresh())
        label = QLabel("Vocabular&y")
        label.setBuddy(self.choice)
        top.addWidget(label)
        top.addWidget(self.choice)
        self.buttons: dict[str, QPushButton] = {}
        add_buttons(top, self.buttons, (("add", "A&dd term…", self.add_term),
                                        ("label", "Change &label…", self.change_label),
                                        ("retire", "&Retire / bring back", self.toggle)))
        top.addStretch(1)
        box.addLayout(top)
        self.note = QLabel("")
        self.note.setWordWrap(True)
        box.addWidget(self.note)
        self.table = RecordTable([("Label", lambda t: t.label), ("Code", lambda t: t.code),
                                  ("Offered", lambda t: "yes" if t.active else "retired")],
                                 "Vocabulary terms")
        self.table.doubleClicked.connect(lambda _i: self.change_label())
        box.addWidget(self.table, 1)

    def name(self) -> str:
        return str(self.choice.currentData())

    def refresh(self) -> None:
        from casework.core.vocabulary import list_terms

        ws, name = self.ws, self.name()
        info = self.infos[name]
        self.buttons["add"].setEnabled(not info.fixed)
        self.note.setText(
            "These codes are fixed by the rules: you can change their labels."
            if info.fixed else "Forms offer these terms; anything else is recorded as "
            "\"Other\" and printed as \"Other\".")
        QueryOp(self, lambda: list_terms(ws, name, active_only=False), self._show).run()

    def _show(self, terms: list[Any]) -> None:
        self.table.set_records(terms)
        self.loaded = True

    def _open(self, dialog: Any, message: str) -> None:
        self.dialog = dialog
        dialog.accepted.connect(lambda: (self.page.set_status(message), self.refresh()))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def add_term(self) -> None:
        self._open(TermDialog(self, self.ws, self.name()), "Term added.")

    def change_label(self) -> None:
        term = self.table.current_record()
        if term is None:
            self.page.set_status("Choose a term first.")
            return
        self._open(TermDialog(self, self.ws, self.name(), term), "Label changed.")

    def toggle(self) -> None:
        from casework.core.vocabulary import set_active

        term = self.table.current_record()
        if term is None:
            self.page.set_status("Choose a term first.")
            return
        ws, name = self.ws, self.name()
        QueryOp(self, lambda: set_active(ws, name, term.code, not term.active),
                lambda t: (self.page.set_status(
                    f"{t.label}: {'offered again' if t.active else 'retired'}."),
                    self.refresh())).failure(
            lambda exc: self.page.set_status(error_text(exc))).run()
