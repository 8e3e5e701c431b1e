"""Dialogs of the meeting screen: schedule, attendance, and a minute with its actions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from casework.core import clock
from ui.cases.dialogs import text_box
from ui.common.forms import FormDialog, date_edit, vocabulary_combo
from ui.common.qt import QCheckBox, QLineEdit, QSpinBox, QWidget


class ScheduleDialog(FormDialog):
    """Schedule a run of meetings at the panel's interval."""

    def __init__(self, parent: QWidget | None, ws: Any, panel_id: int) -> None:
        super().__init__(parent, "Schedule meetings", submit_label="&Schedule")
        self.ws, self.panel_id = ws, panel_id
        self.add("first_on", "&First meeting", date_edit(clock.today() + timedelta(days=7)))
        count = QSpinBox()
        count.setRange(1, 12)
        count.setValue(4)
        self.add("count", "&Number of meetings", count)
        self.add("location", "&Location", QLineEdit())

    def on_submit(self) -> None:
        from casework.panels.meetings import schedule_meetings

        v = self.form.values()
        self.submit(lambda: schedule_meetings(self.ws, self.panel_id, v["first_on"],
                                              v["count"], v["location"]))


class AttendanceDialog(FormDialog):
    """A professional's attendance or apologies."""

    def __init__(self, parent: QWidget | None, ws: Any, meeting_id: int) -> None:
        super().__init__(parent, "Record attendance", submit_label="&Record")
        self.ws, self.meeting_id = ws, meeting_id
        self.add("attendee", "&Attendee", QLineEdit())
        self.add("agency", "A&gency", QLineEdit())
        present = QCheckBox("&Present (untick for apologies)")
        present.setChecked(True)
        self.add("present", "", present)

    def on_submit(self) -> None:
        from casework.panels.meetings import record_attendance

        v = self.form.values()
        self.submit(lambda: record_attendance(self.ws, self.meeting_id, v["attendee"],
                                              v["agency"], v["present"]))


class MinuteDialog(FormDialog):
    """The progress minuted for one referral, and optionally an action arising."""

    def __init__(self, parent: QWidget | None, ws: Any, meeting_id: int, item: Any) -> None:
        super().__init__(parent, f"Minute: {item.reference}", submit_label="&Save minute",
                         intro="Only text marked shareable appears in the anonymised pack.")
        self.ws, self.meeting_id, self.case_id = ws, meeting_id, item.case_id
        progress = text_box(100)
        progress.setPlainText(item.progress)
        self.add("progress", "&Progress", progress)
        shareable = QCheckBox("Progress is shareable in the pac&k")
        shareable.setChecked(item.progress_shareable)
        self.add("shareable", "", shareable)
        self.add("agency", "Action: a&gency",
                 vocabulary_combo(ws, "agency", blank="No action arose"),
                 "Leave \"No action arose\" if none did")
        self.add("owner", "Action: &owner", QLineEdit())
        self.add("description", "Action: &what", QLineEdit())
        self.add("due_on", "Action: &due", date_edit(clock.today() + timedelta(days=28)))
        self.add("action_shareable", "", QCheckBox("Action is sh&areable in the pack"))

    def on_submit(self) -> None:
        from casework.panels.meetings import record_minute
        from casework.panels.swip import add_action

        v = self.form.values()
        ws, mid, cid = self.ws, self.meeting_id, self.case_id

        def work() -> Any:
            minute = record_minute(ws, mid, cid, v["progress"], v["shareable"])
            if v["agency"] or v["description"]:
                add_action(ws, cid, v["agency"] or "", v["owner"], v["description"], v["due_on"],
                           mid, v["action_shareable"])
            return minute

        self.submit(work)
