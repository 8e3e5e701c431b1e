"""Dialogs of the meeting screen: schedule, meeting details, the attendance pick list,
adding or removing an agenda item with a reason."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from casework.core import clock
from ui.common.forms import FormDialog, combo, date_edit, vocabulary_choices
from ui.common.qt import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QSpinBox,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)


class ScheduleDialog(FormDialog):
    """Schedule a run of meetings at the panel's interval, at a time and place."""

    def __init__(self, parent: QWidget | None, ws: Any, panel_id: int) -> None:
        super().__init__(parent, "Schedule meetings", submit_label="&Schedule")
        self.ws, self.panel_id = ws, panel_id
        self.add("first_on", "&First meeting", date_edit(clock.today() + timedelta(days=7)))
        self.add("starts_at", "&Time", QLineEdit("10:00"), "Hours and minutes, e.g. 10:00")
        count = QSpinBox()
        count.setRange(1, 12)
        count.setValue(4)
        self.add("count", "&Number of meetings", count)
        self.add("location", "&Place", QLineEdit())

    def on_submit(self) -> None:
        from casework.panels.meetings import schedule_meetings

        v = self.form.values()
        self.submit(lambda: schedule_meetings(self.ws, self.panel_id, v["first_on"],
                                              v["count"], v["location"], v["starts_at"]))


class DetailsDialog(FormDialog):
    """Move a meeting or set its time and place."""

    def __init__(self, parent: QWidget | None, ws: Any, meeting: Any) -> None:
        super().__init__(parent, "Meeting details", submit_label="&Save")
        self.ws, self.meeting_id = ws, meeting.id
        self.add("scheduled_on", "&Date", date_edit(meeting.scheduled_on))
        self.add("starts_at", "&Time", QLineEdit(meeting.starts_at),
                 "Hours and minutes, e.g. 10:00")
        self.add("location", "&Place", QLineEdit(meeting.location))

    def on_submit(self) -> None:
        from casework.panels.meetings import update_meeting

        v = self.form.values()
        self.submit(lambda: update_meeting(self.ws, self.meeting_id, v["scheduled_on"],
                                           v["starts_at"], v["location"]))


COL_NAME, COL_PRESENT, COL_APOLOGIES, COL_AGENCY = range(4)


class AttendanceDialog(FormDialog):
    """The attendance pick list: every member of the panel, ticked present or sending
    apologies, each with their agency; guests added by name and agency below."""

    def __init__(self, parent: QWidget | None, ws: Any, meeting_id: int,
                 members: list[Any], recorded: list[Any]) -> None:
        super().__init__(parent, "Attendance", submit_label="&Record attendance",
                         intro="Tick who is present and who sent apologies. Members "
                               "ticked neither are not listed. Guests are added below.")
        self.setMinimumWidth(640)
        self.ws, self.meeting_id = ws, meeting_id
        self.agencies = vocabulary_choices(ws, "agency")
        self.members = members
        table = QTableWidget(len(members), 4)
        table.setHorizontalHeaderLabels(["Member", "Present", "Apologies", "Agency"])
        table.verticalHeader().hide()
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.horizontalHeader().setSectionResizeMode(COL_NAME,
                                                      QHeaderView.ResizeMode.Stretch)
        for row, m in enumerate(members):
            name = QTableWidgetItem(m.name + (" (chair)" if m.chair else ""))
            name.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
            table.setItem(row, COL_NAME, name)
            for col, state in ((COL_PRESENT, "present"), (COL_APOLOGIES, "apologies")):
                item = QTableWidgetItem("")
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable
                              | Qt.ItemFlag.ItemIsSelectable)
                item.setCheckState(Qt.CheckState.Checked if m.status == state
                                   else Qt.CheckState.Unchecked)
                table.setItem(row, col, item)
            table.setCellWidget(row, COL_AGENCY, combo(self.agencies, current=m.agency))
        table.itemChanged.connect(self._exclusive)
        table.setMinimumHeight(200)
        self.table = table
        self.add("members", "&Members", table)
        self.guests = QTableWidget(0, 2)
        self.guests.setHorizontalHeaderLabels(["Guest", "Agency"])
        self.guests.verticalHeader().hide()
        self.guests.horizontalHeader().setStretchLastSection(True)
        self.guests.setMaximumHeight(120)
        for g in recorded:
            if g.role == "guest":
                self._add_guest_row(g.attendee, g.agency)
        self.add("guests", "&Guests", self.guests)
        self.guest_name = QLineEdit()
        self.guest_agency = combo(self.agencies, blank="Agency…")
        add = QPushButton("Add g&uest")
        add.setAccessibleName("Add guest")
        add.clicked.connect(self.add_guest)
        row = QWidget()
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(self.guest_name, 2)
        line.addWidget(self.guest_agency, 2)
        line.addWidget(add)
        self.form.add("guest_name", "Guest &name", self.guest_name, row=row)

    def _exclusive(self, item: QTableWidgetItem) -> None:
        """Present and apologies exclude each other."""
        if item.column() not in (COL_PRESENT, COL_APOLOGIES):
            return
        if item.checkState() == Qt.CheckState.Checked:
            other = COL_APOLOGIES if item.column() == COL_PRESENT else COL_PRESENT
            partner = self.table.item(item.row(), other)
            if partner is not None and partner.checkState() == Qt.CheckState.Checked:
                partner.setCheckState(Qt.CheckState.Unchecked)

    def set_status(self, row: int, status: str) -> None:
        """Tick one member present or apologies (or neither: "absent")."""
        for col, state in ((COL_PRESENT, "present"), (COL_APOLOGIES, "apologies")):
            self.table.item(row, col).setCheckState(
                Qt.CheckState.Checked if status == state else Qt.CheckState.Unchecked)

    def _add_guest_row(self, name: str, agency: str) -> None:
        row = self.guests.rowCount()
        self.guests.insertRow(row)
        self.guests.setItem(row, 0, QTableWidgetItem(name))
        box = combo(self.agencies, current=agency)
        self.guests.setCellWidget(row, 1, box)

    def add_guest(self) -> None:
        from casework.core.errors import ValidationError

        name, agency = self.guest_name.text().strip(), self.guest_agency.currentData()
        if not name or not agency:
            self.form.show_error(ValidationError("Give the guest's name and agency.",
                                                 field="guest_name"))
            return
        self.form.clear_errors()
        self._add_guest_row(name, agency)
        self.guest_name.clear()
        self.guest_agency.setCurrentIndex(0)
        self.guest_name.setFocus()

    def on_submit(self) -> None:
        from casework.panels.attendance import Guest, set_attendance

        present, apologies, agencies = [], [], {}
        for row, m in enumerate(self.members):
            box = self.table.cellWidget(row, COL_AGENCY)
            if isinstance(box, QComboBox) and box.currentData():
                agencies[m.user_id] = str(box.currentData())
            if self.table.item(row, COL_PRESENT).checkState() == Qt.CheckState.Checked:
                present.append(m.user_id)
            elif self.table.item(row, COL_APOLOGIES).checkState() == Qt.CheckState.Checked:
                apologies.append(m.user_id)
        guests = []
        for row in range(self.guests.rowCount()):
            box = self.guests.cellWidget(row, 1)
            guests.append(Guest(self.guests.item(row, 0).text(),
                                str(box.currentData()) if isinstance(box, QComboBox) else ""))
        ws, mid = self.ws, self.meeting_id
        self.submit(lambda: set_attendance(ws, mid, present, apologies, agencies, guests))


class AddItemDialog(FormDialog):
    """Put another open referral on the agenda, with the reason."""

    def __init__(self, parent: QWidget | None, ws: Any, meeting_id: int,
                 choices: list[Any]) -> None:
        super().__init__(parent, "Add an agenda item", submit_label="&Add to agenda")
        self.ws, self.meeting_id = ws, meeting_id
        self.add("case_id", "&Referral", combo([(c.case_id, f"{c.reference} ({c.risk_level})")
                                                 for c in choices], blank="Choose…"))
        self.add("reason", "Rea&son", QLineEdit(), "Kept with the agenda's history")

    def on_submit(self) -> None:
        from casework.core.errors import ValidationError
        from casework.panels.agenda import add_item

        v = self.form.values()
        if v["case_id"] is None:
            self.form.show_error(ValidationError("Choose the referral.", field="case_id"))
            return
        self.submit(lambda: add_item(self.ws, self.meeting_id, int(v["case_id"]),
                                     v["reason"]))


class RemoveItemDialog(FormDialog):
    """Take a referral off the agenda, with the reason."""

    def __init__(self, parent: QWidget | None, ws: Any, meeting_id: int, item: Any) -> None:
        super().__init__(parent, f"Remove {item.reference} from the agenda",
                         submit_label="&Remove item",
                         intro="Building the agenda again does not bring it back.")
        self.ws, self.meeting_id, self.case_id = ws, meeting_id, item.case_id
        self.add("reason", "Rea&son", QLineEdit(), "Kept with the agenda's history")

    def on_submit(self) -> None:
        from casework.panels.agenda import remove_item

        v = self.form.values()
        self.submit(lambda: remove_item(self.ws, self.meeting_id, self.case_id, v["reason"]))
