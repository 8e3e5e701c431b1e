"""Panels and meetings: the schedule, the agenda, attendance, minutes and actions per
referral, and the anonymised meeting pack (printed off the GUI thread)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ui.common import services
from ui.common.exports import describe, run_export
from ui.common.flow import FlowLayout
from ui.common.forms import humanise
from ui.common.ops import QueryOp
from ui.common.qt import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSplitter,
    Qt,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from ui.common.screen import Screen, heading
from ui.common.widgets import KeyValues, RecordTable
from ui.panels.meeting_dialogs import AttendanceDialog, MinuteDialog, ScheduleDialog


def _sub(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("subheading")
    return label


class Page(Screen):
    """A panel's meetings on the left; the chosen meeting on the right."""

    title = "Panels and meetings"

    def __init__(self, ws: Any, main: Any) -> None:
        super().__init__(ws, main)
        self.meeting: Any = None
        self.meetings: list[Any] = []
        self.dialog: Any = None
        self.last_export: Any = None
        self.loaded = False
        self.chair = bool(ws.actor.chair_panel_ids) and services.can(ws.actor, "meeting.manage")
        box = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(heading("Panels and meetings"))
        top.addStretch(1)
        box.addLayout(top)
        self.panel_id = min(ws.actor.panel_ids) if ws.actor.panel_ids else None
        if self.chair:
            self.schedule_button = QPushButton("&Schedule meetings…")
            self.schedule_button.setAccessibleName("Schedule meetings")
            self.schedule_button.clicked.connect(self.schedule)
            top.addWidget(self.schedule_button)

        self.list = QListWidget()
        self.list.setAccessibleName("Meetings")
        self.list.setMinimumWidth(220)
        self.list.currentItemChanged.connect(lambda cur, _p: self._choose(cur))
        left = QWidget()
        lbox = QVBoxLayout(left)
        lbox.setContentsMargins(0, 0, 0, 0)
        sched = QLabel("Schedule")
        sched.setObjectName("subheading")
        lbox.addWidget(sched)
        lbox.addWidget(self.list, 1)

        right = QWidget()
        rbox = QVBoxLayout(right)
        rbox.setContentsMargins(8, 0, 0, 0)
        self.meeting_title = QLabel("Choose a meeting")
        self.meeting_title.setObjectName("caseTitle")
        self.meeting_title.setWordWrap(True)
        rbox.addWidget(self.meeting_title)
        actions = FlowLayout(spacing=6)
        self.buttons: dict[str, QPushButton] = {}
        for key, text, slot in (("agenda", "Build &agenda", self.build_agenda),
                                ("attendance", "Record a&ttendance…", self.attendance),
                                ("minute", "&Minute and actions…", self.minute),
                                ("pack", "&Print meeting pack…", self.print_pack)):
            if key != "minute" and not self.chair:
                continue
            b = QPushButton(text)
            b.setAccessibleName(text.replace("&", "").rstrip("…"))
            b.clicked.connect(slot)
            b.setEnabled(False)
            actions.addWidget(b)
            self.buttons[key] = b
        rbox.addLayout(actions)
        self.status = QLabel("")
        self.status.setObjectName("caseStatus")
        self.status.setWordWrap(True)
        rbox.addWidget(self.status)
        self.agenda = RecordTable([
            ("Referral", lambda i: i.reference),
            ("Why", lambda i: humanise(i.reason) or "—"),
            ("Risk", lambda i: humanise(i.risk_level)),
            ("Discussed", lambda i: i.discussed), ("Minute", lambda i: i.progress)], "Agenda")
        self.agenda.setWordWrap(False)
        self.agenda.doubleClicked.connect(lambda _i: self.minute())
        self.agenda.itemSelectionChanged.connect(self._show_detail)
        self.agenda.empty_text = "No agenda yet: Build agenda adds the referrals due."
        self.attendees = RecordTable([
            ("Attendee", lambda a: a.attendee), ("Agency", lambda a: a.agency),
            ("Present", lambda a: a.present)], "Attendance")
        self.actions = RecordTable([
            ("Referral", lambda a: self._reference(a.case_id)),
            ("Agency", lambda a: humanise(a.agency)),
            ("Owner", lambda a: a.owner), ("Action", lambda a: a.description),
            ("Due", lambda a: a.due_on), ("Done", lambda a: a.completed_on)], "Actions")
        self.carried = RecordTable(self.actions.columns, "Carried actions")
        # The chosen referral: its minute and every action on it (raised now or carried).
        self.detail = KeyValues("Chosen referral")
        self.referral_actions = RecordTable([
            ("From", lambda a: a[0]), ("Agency", lambda a: a[1].agency),
            ("Owner", lambda a: a[1].owner), ("Action", lambda a: a[1].description),
            ("Due", lambda a: a[1].due_on), ("Done", lambda a: a[1].completed_on)],
            "Actions on the chosen referral")
        self.referral_actions.empty_text = "No actions on this referral."
        agenda_box = QWidget()
        abox = QVBoxLayout(agenda_box)
        abox.setContentsMargins(0, 0, 0, 0)
        abox.addWidget(_sub("Agenda"))
        abox.addWidget(self.agenda, 1)
        detail_box = QWidget()
        dbox = QVBoxLayout(detail_box)
        dbox.setContentsMargins(6, 0, 0, 0)
        dbox.addWidget(_sub("Chosen referral"))
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.detail)
        scroll.setAccessibleName("Chosen referral")
        dbox.addWidget(scroll, 1)
        dbox.addWidget(_sub("Its actions"))
        dbox.addWidget(self.referral_actions, 1)
        middle = QSplitter(Qt.Orientation.Horizontal)
        middle.addWidget(agenda_box)
        middle.addWidget(detail_box)
        middle.setStretchFactor(0, 3)
        middle.setStretchFactor(1, 2)
        self.lower = QTabWidget()
        self.lower.setAccessibleName("Attendance and actions")
        for table, label in ((self.attendees, "Attendance"),
                             (self.actions, "Actions raised at this meeting"),
                             (self.carried, "Carried actions, by referral")):
            self.lower.addTab(table, label)
        self._lower_labels = [self.lower.tabText(i) for i in range(self.lower.count())]
        upright = QSplitter(Qt.Orientation.Vertical)
        upright.addWidget(middle)
        upright.addWidget(self.lower)
        upright.setStretchFactor(0, 3)
        upright.setStretchFactor(1, 2)
        rbox.addWidget(upright, 1)
        self._advance = False
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        split.setSizes([240, 1000])
        box.addWidget(split, 1)

    # -- loading ------------------------------------------------------------------------
    def refresh(self) -> None:
        if self.panel_id is None:
            self.loaded = True
            return
        from casework.panels.meetings import list_meetings

        ws, panel = self.ws, self.panel_id
        QueryOp(self, lambda: list_meetings(ws, panel), self._show_meetings).run()

    def _show_meetings(self, meetings: list[Any]) -> None:
        keep = self.meeting.id if self.meeting is not None else None
        self.meetings = meetings
        self.list.blockSignals(True)
        self.list.clear()
        chosen: QListWidgetItem | None = None
        for m in meetings:
            item = QListWidgetItem(f"{m.scheduled_on:%a %d %b %Y}"
                                   + ("  (held)" if m.held else ""))
            item.setData(Qt.ItemDataRole.UserRole, m.id)
            item.setToolTip(m.location or "")
            self.list.addItem(item)
            if m.id == keep or (keep is None and chosen is None and not m.held):
                chosen = item
        if chosen is not None:
            self.list.setCurrentItem(chosen)
        self.list.blockSignals(False)
        if chosen is not None and keep is None:
            self.load_meeting(int(chosen.data(Qt.ItemDataRole.UserRole)))
        else:
            self.loaded = True

    def _choose(self, item: QListWidgetItem | None) -> None:
        if item is not None:
            self.load_meeting(int(item.data(Qt.ItemDataRole.UserRole)))

    def load_meeting(self, meeting_id: int) -> None:
        """Show one meeting; only the latest request's answer is shown."""
        from casework.panels.meetings import meeting_view

        ws = self.ws
        self.loaded = False
        self._generation = getattr(self, "_generation", 0) + 1
        gen = self._generation
        QueryOp(self, lambda: meeting_view(ws, meeting_id),
                lambda m: self.show_meeting(m) if gen == self._generation else None).run()

    def show_meeting(self, m: Any) -> None:
        self.meeting = m
        self.meeting_title.setText(f"{m.panel_name}: {m.scheduled_on:%A %d %B %Y}"
                                   + (f", {m.location}" if m.location else ""))
        row = self.agenda.currentRow()
        self.agenda.set_records(m.items)
        self.attendees.set_records(m.attendance)
        self.actions.set_records(m.actions)
        self.carried.set_records(sorted(m.carried, key=lambda a: (self._reference(a.case_id),
                                                                  a.due_on)))
        for i, table in enumerate((self.attendees, self.actions, self.carried)):
            self.lower.setTabText(i, f"{self._lower_labels[i]} ({table.rowCount()})")
        for b in self.buttons.values():
            b.setEnabled(True)
        if m.items:
            if self._advance and row >= 0:
                row = min(row + 1, len(m.items) - 1)  # minuted: on to the next referral
            self.agenda.selectRow(max(row, 0))
        self._advance = False
        self._show_detail()
        self.loaded = True

    def _show_detail(self) -> None:
        """The chosen referral beside the agenda: why it is there, its minute, and every
        action on it (raised at this meeting or carried from earlier ones)."""
        item = self.agenda.current_record()
        if item is None or self.meeting is None:
            self.detail.set_values([("Referral", "Choose a referral on the agenda")])
            self.referral_actions.set_records([])
            return
        m = self.meeting
        self.detail.set_values([
            ("Referral", item.reference), ("On the agenda because", humanise(item.reason)),
            ("Risk", humanise(item.risk_level)), ("Discussed", item.discussed),
            ("Minute", item.progress or "Not minuted yet")])
        mine = [("This meeting", a) for a in m.actions if a.case_id == item.case_id]
        mine += [("Carried", a) for a in m.carried if a.case_id == item.case_id]
        self.referral_actions.set_records(mine)

    def _reference(self, case_id: int) -> str:
        if self.meeting is None:
            return f"Case {case_id}"
        return str(self.meeting.reference(case_id))

    def is_ready(self) -> bool:
        return self.loaded

    # -- actions ------------------------------------------------------------------------
    def _dialog(self, dlg: Any, message: str) -> Any:
        self.dialog = dlg
        dlg.accepted.connect(lambda: self._changed(message))
        dlg.finished.connect(dlg.deleteLater)
        dlg.open()
        return dlg

    def _changed(self, message: str) -> None:
        self.status.setText(message)
        if self.meeting is not None:
            self.load_meeting(self.meeting.id)
        self.refresh()

    def schedule(self) -> None:
        self._dialog(ScheduleDialog(self, self.ws, self.panel_id), "Meetings scheduled.")

    def build_agenda(self) -> None:
        from casework.panels.meetings import build_agenda

        ws, mid = self.ws, self.meeting.id
        QueryOp(self, lambda: build_agenda(ws, mid), lambda m: (
            self.show_meeting(m), self.status.setText(f"Agenda built: {len(m.items)} "
                                                      "referrals."))).run()

    def attendance(self) -> None:
        self._dialog(AttendanceDialog(self, self.ws, self.meeting.id), "Attendance recorded.")

    def minute(self) -> None:
        item = self.agenda.current_record() or (self.meeting.items[0]
                                                 if self.meeting and self.meeting.items
                                                 else None)
        if item is None:
            self.status.setText("Build the agenda first: minutes are recorded per referral.")
            return
        self._advance = True
        dlg = self._dialog(MinuteDialog(self, self.ws, self.meeting.id, item),
                           f"Minute recorded for {item.reference}; the next referral is "
                           "chosen.")
        dlg.rejected.connect(lambda: setattr(self, "_advance", False))

    def print_pack(self, out: str | None = None, recipient: str | None = None) -> None:
        """Write the anonymised meeting pack for one recipient (a PDF), off the GUI thread."""
        from casework.panels.pack import export_pack

        m = self.meeting
        if recipient is None:
            names = [a.attendee for a in m.attendance if a.present]
            recipient = names[0] if names else self.ws.actor.username
        if out is None:
            default = str(Path.home() / f"meeting-pack-{m.scheduled_on:%Y-%m-%d}.pdf")
            out, _ = QFileDialog.getSaveFileName(self, "Save the meeting pack", default,
                                                 "PDF (*.pdf)")
            if not out:
                return

        def done(result: Any) -> None:
            self.last_export = result
            self.status.setText(describe(result))

        run_export(self, "Printing the anonymised meeting pack…", export_pack,
                   (self.ws, m.id, recipient, Path(out)), done,
                   lambda exc: self.status.setText(f"The pack was not written: {exc}"))
