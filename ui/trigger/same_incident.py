"""Suggested reports of one incident to several agencies, shown with why, for the officer
to confirm (they count once) or reject (not suggested together again): in the Community
Trigger case view and in the new-application wizard."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from ui.common.forms import humanise
from ui.common.qt import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget
from ui.common.widgets import RecordTable


def describe_group(group: Any, complaints: Any) -> str:
    """The complaints of a suggested group, one a line: day, agency and place."""
    by_id = {c.id: c for c in complaints}
    lines = []
    for cid in group.complaint_ids:
        c = by_id.get(cid)
        if c is not None:
            where = f", {c.place}" if c.place else ""
            lines.append(f"{c.behaviour_on:%d %b %Y}: {humanise(c.agency)}{where}")
    return "\n".join(lines)


class SameIncidentPanel(QWidget):
    """Suggested reports of one incident to several agencies, and why; the officer
    confirms (they count once) or rejects (they are not suggested together again)."""

    def __init__(self) -> None:
        super().__init__()
        self.setAccessibleName("Same incident")
        intro = QLabel("Complaints to different agencies about the same or the next day, "
                       "whose place or description agree, may report one incident. A "
                       "confirmed group counts once towards the threshold.")
        intro.setWordWrap(True)
        self.locked = QLabel("")
        self.locked.setObjectName("sameIncidentLocked")
        self.locked.setWordWrap(True)
        self.locked.hide()
        self.table = RecordTable([("Complaints", lambda g: g.text),
                                  ("Why", lambda g: ", ".join(g.group.reasons)),
                                  ("Agencies", lambda g: ", ".join(humanise(a) for a in
                                                                   g.group.agencies))],
                                 "Suggested same incidents")
        self.table.empty_text = "No complaints look like reports of one incident."
        self.confirm_button = QPushButton("Conf&irm same incident")
        self.confirm_button.setAccessibleName("Confirm same incident")
        self.confirm_button.setToolTip("These complaints report one incident: count it once")
        self.reject_button = QPushButton("Not the same incid&ent")
        self.reject_button.setAccessibleName("Not the same incident")
        self.reject_button.setToolTip("These complaints report different incidents: "
                                      "do not suggest them together again")
        row = QHBoxLayout()
        row.addWidget(self.confirm_button)
        row.addWidget(self.reject_button)
        row.addStretch(1)
        box = QVBoxLayout(self)
        box.addWidget(intro)
        box.addWidget(self.locked)
        box.addWidget(self.table, 1)
        box.addLayout(row)

    def set_groups(self, groups: Any, complaints: Any, writable: bool,
                   locked: str = "") -> None:
        """Show the suggestions; ``locked`` is why they can no longer be decided (the
        threshold decision is recorded): the buttons are then greyed and say why."""
        self.table.set_records([SimpleNamespace(group=g, text=describe_group(g, complaints))
                                for g in groups])
        if groups:
            self.table.selectRow(0)
        self.locked.setText(locked)
        self.locked.setVisible(bool(locked) and writable)
        tips = (locked or "These complaints report one incident: count it once",
                locked or "These complaints report different incidents: "
                          "do not suggest them together again")
        for b, tip in zip((self.confirm_button, self.reject_button), tips, strict=True):
            b.setEnabled(writable and bool(groups) and not locked)
            b.setVisible(writable)
            b.setToolTip(tip)

    def chosen(self) -> Any:
        record = self.table.current_record()
        return record.group if record is not None else None
