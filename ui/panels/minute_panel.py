"""Minuting inline in the meeting screen: the chosen referral's progress, decision and an
action arising, saved without leaving the agenda (the next referral is then chosen)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from casework.core import clock
from ui.cases.dialogs import text_box
from ui.common.forms import Form, date_edit, vocabulary_combo
from ui.common.ops import QueryOp
from ui.common.qt import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


class MinutePanel(QWidget):
    """The minute of one agenda item; ``saved`` is called with the recorded item."""

    def __init__(self, ws: Any, saved: Callable[[Any], None]) -> None:
        super().__init__()
        self.ws, self.saved = ws, saved
        self.meeting_id: int | None = None
        self.item: Any = None
        self.busy = False
        box = QVBoxLayout(self)
        box.setContentsMargins(6, 0, 0, 0)
        self.title = QLabel("Choose a referral on the agenda")
        self.title.setObjectName("subheading")
        self.title.setWordWrap(True)
        self.save_button = QPushButton("Sa&ve minute")
        self.save_button.setAccessibleName("Save minute")
        self.save_button.setToolTip("Records the minute and any action, then chooses the "
                                    "next referral")
        self.save_button.clicked.connect(self.save)
        top = QHBoxLayout()  # the button stays in view however small the screen
        top.addWidget(self.title, 1)
        top.addWidget(self.save_button)
        box.addLayout(top)
        self.form = Form(self)
        progress = text_box(48)
        progress.setMaximumHeight(60)
        self.form.add("progress", "Pro&gress", progress)
        self.form.add("decision", "De&cision", QLineEdit(), "What the panel decided")
        self.form.add("shareable", "", QCheckBox("Progress and decision shareable in the "
                                                  "pac&k"),
                      "Only text marked shareable appears in the anonymised pack and minutes")
        # An action arising: two fields a line, so that the form fits beside the agenda
        # on a 1366x768 screen without a scrollbar.
        agency = vocabulary_combo(ws, "agency", blank="No action arose")
        # the longest agency name must not widen the form: the list opens wider
        agency.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        agency.setMinimumContentsLength(14)
        due = date_edit(clock.today() + timedelta(days=28))
        arising = QLabel("Action arising")
        arising.setObjectName("formSection")
        self.form.layout.addRow(arising)
        self.form.add("agency", "Agenc&y", agency,
                      row=self._pair(agency, "du&e", due, "due_on", "Action: due"))
        owner, what = QLineEdit(), QLineEdit()
        owner.setPlaceholderText("Name or role")
        self.form.add("owner", "&Owner", owner,
                      row=self._pair(owner, "w&hat", what, "description", "Action: what",
                                     stretch=(2, 3)))
        self.form.add("action_shareable", "", QCheckBox("Action shareab&le in the pack"))
        for name in ("agency", "owner"):  # the short labels sit under "Action arising"
            self.form.fields[name].setAccessibleName(f"Action: {name}")
        box.addLayout(self.form.layout)
        box.addWidget(self.form.error)
        box.addStretch(1)
        self.show_item(None, None)

    def _pair(self, first: QWidget, label: str, second: QWidget, name: str,
              accessible: str, stretch: tuple[int, int] = (3, 2)) -> QWidget:
        """One form line holding ``first`` and, after its own label, ``second`` (a field
        of the form named ``name``)."""
        row = QWidget()
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(first, stretch[0])
        lab = QLabel(label)
        lab.setBuddy(second)
        line.addWidget(lab)
        line.addWidget(second, stretch[1])
        second.setAccessibleName(accessible)
        second.setObjectName(f"field_{name}")
        self.form.fields[name] = second
        self.form.labels[name] = lab
        return row

    def show_item(self, meeting_id: int | None, item: Any) -> None:
        """Load the chosen agenda item (or none) into the form."""
        self.meeting_id, self.item = meeting_id, item
        f = self.form.fields
        usable = item is not None and not getattr(item, "restricted", False)
        for w in f.values():
            w.setEnabled(usable)
        self.save_button.setEnabled(usable)
        self.form.clear_errors()
        if item is None:
            self.title.setText("Choose a referral on the agenda")
            return
        self.title.setText(f"Minute: {item.reference}")
        f["progress"].setPlainText(item.progress)  # type: ignore[attr-defined]
        f["decision"].setText(item.decision)  # type: ignore[attr-defined]
        f["shareable"].setChecked(item.progress_shareable)  # type: ignore[attr-defined]
        f["agency"].setCurrentIndex(0)  # type: ignore[attr-defined]
        f["owner"].clear()  # type: ignore[attr-defined]
        f["description"].clear()  # type: ignore[attr-defined]
        f["action_shareable"].setChecked(False)  # type: ignore[attr-defined]

    def save(self) -> None:
        """Record the minute (and the action, when one is given) off the GUI thread."""
        from casework.panels.meetings import record_minute
        from casework.panels.swip import add_action

        if self.item is None or self.meeting_id is None or self.busy:
            return
        v = self.form.values()
        ws, mid, cid = self.ws, self.meeting_id, self.item.case_id

        def work() -> Any:
            minute = record_minute(ws, mid, cid, v["progress"], v["shareable"], v["decision"])
            if v["agency"] or v["description"]:
                add_action(ws, cid, v["agency"] or "", v["owner"], v["description"],
                           v["due_on"], mid, v["action_shareable"])
            return minute

        def done(minute: Any) -> None:
            self.busy = False
            self.save_button.setEnabled(True)
            self.saved(minute)

        def failed(exc: BaseException) -> None:
            self.busy = False
            self.save_button.setEnabled(True)
            self.form.show_error(exc)

        self.busy = True
        self.save_button.setEnabled(False)
        self.form.clear_errors()
        QueryOp(self, work, done).failure(failed).run()
