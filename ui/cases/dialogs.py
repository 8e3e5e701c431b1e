"""Action dialogs every case type shares: add a note, close with an outcome."""

from __future__ import annotations

from typing import Any

from ui.common.forms import FormDialog, combo, date_edit
from ui.common.qt import QCheckBox, QLineEdit, QPlainTextEdit, QWidget


def text_box(height: int = 90) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setTabChangesFocus(True)
    box.setMinimumHeight(height)
    return box


class NoteDialog(FormDialog):
    """A timestamped case note."""

    def __init__(self, parent: QWidget | None, ws: Any, case_id: int) -> None:
        super().__init__(parent, "Add a note", submit_label="&Add note")
        self.ws, self.case_id = ws, case_id
        self.add("body", "&Note", text_box(140))
        self.add("shareable", "", QCheckBox("&Shareable in anonymised outputs"),
                 "Only notes marked shareable may appear in a meeting pack")

    def on_submit(self) -> None:
        from casework.cases.lifecycle import add_note

        v = self.form.values()
        self.submit(lambda: add_note(self.ws, self.case_id, v["body"], v["shareable"]))


class CloseDialog(FormDialog):
    """Close the case with one of its type's outcomes."""

    def __init__(self, parent: QWidget | None, ws: Any, case_id: int, case_type: str) -> None:
        super().__init__(parent, "Close the case", submit_label="C&lose case",
                         intro="Closing completes the case's open tasks. The outcome is "
                               "reported in the partnership's figures.")
        from casework.cases.lifecycle import OUTCOMES

        self.ws, self.case_id = ws, case_id
        self.add("outcome", "&Outcome", combo(OUTCOMES.get(case_type, ())))
        self.add("closed_on", "&Closed on", date_edit())
        self.add("reason", "&Reason", QLineEdit())

    def on_submit(self) -> None:
        from casework.cases.lifecycle import close_case

        v = self.form.values()
        self.submit(lambda: close_case(self.ws, self.case_id, v["outcome"], v["closed_on"],
                                       v["reason"]))
