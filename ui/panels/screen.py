"""Panels and meetings: the schedule, the agenda, attendance, minutes and actions per
referral, and the anonymised meeting pack (printed off the GUI thread)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from casework.core import clock
from ui.common import services
from ui.common.exports import describe, run_export
from ui.common.flow import FlowBar
from ui.common.forms import humanise
from ui.common.ops import QueryOp, error_text
from ui.common.qt import (
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStyledItemDelegate,
    Qt,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from ui.common.screen import Screen, heading
from ui.common.widgets import RecordTable
from ui.panels.meeting_dialogs import (
    AddItemDialog,
    AttendanceDialog,
    DetailsDialog,
    RemoveItemDialog,
    ScheduleDialog,
)
from ui.panels.minute_panel import MinutePanel
from ui.panels.ugly_mugs import UglyMugList


def _sub(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("subheading")
    return label


class _ElideMiddle(QStyledItemDelegate):
    """Cuts a long reference in the middle (SWIP-20…000106), keeping both ends."""

    def initStyleOption(self, option: Any, index: Any) -> None:  # noqa: N802 - Qt override
        super().initStyleOption(option, index)
        option.textElideMode = Qt.TextElideMode.ElideMiddle


class AgendaTable(RecordTable):
    """The agenda, one line a referral, fitted to its width (no sideways scrolling): the
    short columns get their contents' width, the referral up to its full width, and the
    decision and the minute share what is left, cut short with the full text as a
    tooltip."""

    SHORT = (0, 2, 3, 4)  # No., Why, Risk, Discussed
    REFERRAL, WHY, RISK, DISCUSSED, DECISION, MINUTE = 1, 2, 3, 4, 5, 6

    def __init__(self, columns: Any, name: str) -> None:
        super().__init__(columns, name)
        self.setWordWrap(False)
        self._elide = _ElideMiddle(self)
        self.setItemDelegateForColumn(self.REFERRAL, self._elide)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)  # fit_columns shares the width out
        header.setMinimumSectionSize(36)
        header.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    def set_records(self, records: Any) -> None:
        super().set_records(records)
        for row in range(self.rowCount()):
            for col in (self.REFERRAL, self.WHY, self.RISK, self.DECISION, self.MINUTE):
                cell = self.item(row, col)
                if cell is not None and cell.text():
                    cell.setToolTip(cell.text())
        self.fit_columns()

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self.fit_columns()

    def fit_columns(self) -> None:
        header = self.horizontalHeader()

        metrics = header.fontMetrics()

        def wanted(col: int) -> int:  # the cells, or the heading (without a sort arrow)
            heading = self.horizontalHeaderItem(col)
            text = heading.text() if heading is not None else ""
            return max(self.sizeHintForColumn(col), metrics.horizontalAdvance(text) + 16)

        room = self.viewport().width()
        widths = {col: wanted(col) for col in self.SHORT}
        # the reference is what the panel reads out: when the row is short of room, the
        # reason ("Why", whose full text is its tooltip) gives way first, then the
        # headings wider than their cells ("Discussed" over "Yes"), then the risk
        short_by = sum(widths.values()) + wanted(self.REFERRAL) + 100 - room
        for col, floor in ((self.WHY, 44), (self.DISCUSSED, 40), (self.RISK, 56)):
            if short_by <= 0:
                break
            cut = max(0, min(short_by, widths[col] - floor))
            widths[col] -= cut
            short_by -= cut
        for col in self.SHORT:
            header.resizeSection(col, widths[col])
            room -= header.sectionSize(col)
        # the referral in full while the decision and the minute keep 50 px each (their
        # text is in the minute form); cut in the middle below that
        referral = min(wanted(self.REFERRAL), max(room - 100, 60))
        header.resizeSection(self.REFERRAL, referral)
        room -= referral
        decision = max(room * 2 // 5, 50)
        header.resizeSection(self.DECISION, decision)
        header.resizeSection(self.MINUTE, max(room - decision, header.minimumSectionSize()))


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
        self.list.setMinimumWidth(170)
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
        actions = FlowBar(spacing=6)
        self.buttons: dict[str, QPushButton] = {}
        for key, text, slot in (("details", "Meeting &details…", self.details),
                                ("agenda", "Build &agenda", self.build_agenda),
                                ("attendance", "Pick a&ttendance…", self.attendance),
                                ("add_item", "Add &item…", self.add_item),
                                ("remove_item", "&Remove item…", self.remove_item),
                                ("up", "Move &up", lambda: self.move(-1)),
                                ("down", "Move do&wn", lambda: self.move(1)),
                                ("pack", "&Print meeting pack…", self.print_pack),
                                ("minutes", "Print mi&nutes…", self.print_minutes)):
            if not self.chair:
                continue
            b = QPushButton(text)
            b.setAccessibleName(text.replace("&", "").rstrip("…"))
            b.clicked.connect(lambda _checked=False, slot=slot: slot())  # not slot(False)
            b.setEnabled(False)
            actions.addWidget(b)
            self.buttons[key] = b
        rbox.addWidget(actions)
        self.status = QLabel("")
        self.status.setObjectName("caseStatus")
        self.status.setWordWrap(True)
        rbox.addWidget(self.status)
        self.agenda = AgendaTable([
            ("No.", lambda i: i.order), ("Referral", lambda i: i.reference),
            ("Why", lambda i: humanise(i.reason) or "—"),
            ("Risk", lambda i: humanise(i.risk_level) or "—"),
            ("Discussed", lambda i: i.discussed), ("Decision", lambda i: i.decision),
            ("Minute", lambda i: i.progress)], "Agenda")
        self.agenda.setSortingEnabled(False)
        self.agenda.itemSelectionChanged.connect(self._show_detail)
        self.agenda.empty_text = "No agenda yet: Build agenda adds the referrals due."
        self.attendees = RecordTable([
            ("Attendee", lambda a: a.attendee), ("Agency", lambda a: self._agency(a.agency)),
            ("Role", lambda a: humanise(a.role)),
            ("Present", lambda a: "Present" if a.present else "Apologies")], "Attendance")
        self.actions = RecordTable([
            ("Referral", lambda a: self._reference(a.case_id)),
            ("Agency", lambda a: self._agency(a.agency)),
            ("Owner", lambda a: a.owner), ("Action", lambda a: a.description),
            ("Due", lambda a: a.due_on), ("Done", lambda a: a.completed_on)], "Actions")
        self.carried = RecordTable(self.actions.columns, "Carried actions")
        self.carried.empty_text = "No open actions of open referrals to carry."
        self.referral_actions = RecordTable([
            ("From", lambda a: a[0]), ("Agency", lambda a: self._agency(a[1].agency)),
            ("Owner", lambda a: a[1].owner), ("Action", lambda a: a[1].description),
            ("Due", lambda a: a[1].due_on), ("Done", lambda a: a[1].completed_on)],
            "Actions on the chosen referral")
        self.referral_actions.empty_text = "No actions on this referral."
        self.minute_panel = MinutePanel(ws, self._minuted)
        self.minute_panel.setVisible(self.chair)
        self.ugly_mugs = UglyMugList(self)
        agenda_box = QWidget()
        abox = QVBoxLayout(agenda_box)
        abox.setContentsMargins(0, 0, 0, 0)
        abox.addWidget(_sub("Agenda"))
        abox.addWidget(self.agenda, 1)
        middle = QSplitter(Qt.Orientation.Horizontal)
        middle.addWidget(agenda_box)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.minute_panel)
        # the splitter never narrows the form below its own width (no sideways scrolling)
        scroll.setMinimumWidth(self.minute_panel.minimumSizeHint().width()
                               + scroll.verticalScrollBar().sizeHint().width()
                               + 2 * scroll.frameWidth())
        scroll.setAccessibleName("Minute")
        scroll.setVisible(self.chair)
        middle.addWidget(scroll)
        middle.setStretchFactor(0, 1)
        middle.setStretchFactor(1, 1)
        middle.setSizes([560, 420])  # in proportion: the agenda a little wider
        self.lower = QTabWidget()
        self.lower.setAccessibleName("Attendance and actions")
        self.lower.setObjectName("meetingTabs")  # the compact tabs of a case (style.qss)
        self.lower.setUsesScrollButtons(True)  # only shown should a tab ever not fit
        for table, label in ((self.attendees, "Attendance"),
                             (self.referral_actions, "Chosen referral's actions"),
                             (self.actions, "Actions raised at this meeting"),
                             (self.carried, "Carried actions"),
                             (self.ugly_mugs, "Ugly-mug reports")):
            self.lower.addTab(table, label)
        self._lower_labels = [self.lower.tabText(i) for i in range(self.lower.count())]
        upright = QSplitter(Qt.Orientation.Vertical)
        upright.addWidget(middle)
        upright.addWidget(self.lower)
        upright.setStretchFactor(0, 3)
        upright.setStretchFactor(1, 2)
        upright.setSizes([640, 360])  # in proportion: the minute form without scrolling
        rbox.addWidget(upright, 1)
        self.agency_labels: dict[str, str] = {}
        self._advance = False
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        split.setSizes([180, 1060])
        box.addWidget(split, 1)

    # -- loading ------------------------------------------------------------------------
    def refresh(self) -> None:
        if self.panel_id is None:
            self.loaded = True
            return
        from casework.core.vocabulary import list_terms
        from casework.panels.meetings import list_meetings

        ws, panel = self.ws, self.panel_id

        def load() -> Any:
            labels = {t.code: t.label for t in list_terms(ws, "agency", active_only=False)}
            return labels, list_meetings(ws, panel)

        def show(result: Any) -> None:
            self.agency_labels, meetings = result
            self._show_meetings(meetings)

        QueryOp(self, load, show).run()
        self.ugly_mugs.refresh()

    def _show_meetings(self, meetings: list[Any]) -> None:
        keep = self.meeting.id if self.meeting is not None else None
        self.meetings = meetings
        self.list.blockSignals(True)
        self.list.clear()
        today = clock.today()
        chosen: QListWidgetItem | None = None
        for m in meetings:
            item = QListWidgetItem(f"{m.scheduled_on:%a %d %b %Y}"
                                   + (f" {m.starts_at}" if m.starts_at else "")
                                   + ("  (held)" if m.held else ""))
            item.setData(Qt.ItemDataRole.UserRole, m.id)
            item.setToolTip(m.location or "")
            self.list.addItem(item)
            # The current meeting: the first from today on (held or not: minuting today).
            if m.id == keep or (keep is None and chosen is None and m.scheduled_on >= today):
                chosen = item
        if chosen is not None:
            self.list.setCurrentItem(chosen)
        self.list.blockSignals(False)
        if chosen is not None and keep is None:
            self.load_meeting(int(chosen.data(Qt.ItemDataRole.UserRole)))
        else:
            self.loaded = True

    def choose_meeting(self, day: date | None = None) -> bool:
        """Show the meeting on ``day``, or with None the most recent meeting held (on or
        before today); False when the schedule has no such meeting."""
        today = clock.today()
        for row in reversed(range(len(self.meetings))):
            m = self.meetings[row]
            if (m.scheduled_on == day) if day is not None else (m.held
                                                                and m.scheduled_on <= today):
                self.list.setCurrentRow(row)  # loads it (currentItemChanged)
                if self.meeting is None or self.meeting.id != m.id:
                    self.load_meeting(m.id)
                return True
        return False

    def choose_referral(self, reference: str) -> bool:
        """Choose the agenda item of the referral ``reference`` (its minute is shown)."""
        for row in range(self.agenda.rowCount()):
            cell = self.agenda.item(row, 0)
            record = cell.data(Qt.ItemDataRole.UserRole) if cell is not None else None
            if record is not None and record.reference == reference:
                self.agenda.selectRow(row)
                return True
        return False

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
        # the one date style (05 Mar 2026), with the weekday
        when = f"{m.scheduled_on:%a %d %b %Y}" + (f" at {m.starts_at}" if m.starts_at else "")
        self.meeting_title.setText(f"{m.panel_name}: {when}"
                                   + (f", {m.location}" if m.location else ""))
        keep = self.agenda.current_record()
        row = self.agenda.currentRow()
        self.agenda.set_records(m.items)
        self.attendees.set_records(m.attendance)
        self.actions.set_records(m.actions)
        self.carried.set_records(sorted(m.carried, key=lambda a: (self._reference(a.case_id),
                                                                  a.due_on)))
        for i, table in ((0, self.attendees), (2, self.actions), (3, self.carried)):
            self.lower.setTabText(i, f"{self._lower_labels[i]} ({table.rowCount()})")
        for b in self.buttons.values():
            b.setEnabled(True)
        if m.items:
            ids = [i.case_id for i in m.items]
            if keep is not None and keep.case_id in ids and not self._advance:
                row = ids.index(keep.case_id)
            elif self._advance and row >= 0:
                row = min(row + 1, len(m.items) - 1)  # minuted: on to the next referral
            self.agenda.selectRow(max(row, 0))
        self._advance = False
        self._show_detail()
        self.loaded = True

    def _show_detail(self) -> None:
        """The chosen referral in the minute panel, and every action on it (raised at
        this meeting or carried from earlier ones)."""
        item = self.agenda.current_record()
        if item is None or self.meeting is None:
            self.minute_panel.show_item(None, None)
            self.referral_actions.set_records([])
            return
        m = self.meeting
        self.minute_panel.show_item(m.id, item)
        mine = [("This meeting", a) for a in m.actions if a.case_id == item.case_id]
        mine += [("Carried", a) for a in m.carried if a.case_id == item.case_id]
        self.referral_actions.set_records(mine)
        self.lower.setTabText(1, f"{self._lower_labels[1]} ({len(mine)})")

    def _minuted(self, minute: Any) -> None:
        self.status.setText(f"Minute recorded for {minute.reference}; the next referral "
                            "is chosen.")
        self._advance = True
        if self.meeting is not None:
            self.load_meeting(self.meeting.id)

    def _agency(self, code: str) -> str:
        return self.agency_labels.get(code) or humanise(code)

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

    def details(self) -> None:
        self._dialog(DetailsDialog(self, self.ws, self.meeting), "Meeting details saved.")

    def build_agenda(self) -> None:
        from casework.panels.meetings import build_agenda

        ws, mid = self.ws, self.meeting.id
        QueryOp(self, lambda: build_agenda(ws, mid), lambda m: (
            self.show_meeting(m), self.status.setText(f"Agenda built: {len(m.items)} "
                                                      "referrals due."))).run()

    def attendance(self) -> None:
        from casework.panels.attendance import members

        ws, m = self.ws, self.meeting
        QueryOp(self, lambda: members(ws, m.id), lambda found: self._dialog(
            AttendanceDialog(self, ws, m.id, found, list(m.attendance)),
            "Attendance recorded.")).run()

    def add_item(self) -> None:
        from casework.panels.swip import open_referrals

        ws, m = self.ws, self.meeting
        on = {i.case_id for i in m.items}
        QueryOp(self, lambda: open_referrals(ws, m.panel_id), lambda found: self._dialog(
            AddItemDialog(self, ws, m.id, [c for c in found if c.case_id not in on]),
            "Item added to the agenda.")).run()

    def remove_item(self) -> None:
        item = self.agenda.current_record()
        if item is None:
            self.status.setText("Choose the agenda item to remove.")
            return
        self._dialog(RemoveItemDialog(self, self.ws, self.meeting.id, item),
                     f"{item.reference} taken off the agenda.")

    def move(self, by: int) -> None:
        """Move the chosen item up (-1) or down (+1) the agenda."""
        from casework.panels.agenda import move_item

        item = self.agenda.current_record()
        if item is None:
            self.status.setText("Choose the agenda item to move.")
            return
        ws, mid = self.ws, self.meeting.id
        QueryOp(self, lambda: move_item(ws, mid, item.case_id, by), lambda m: (
            self.show_meeting(m), self.status.setText("Agenda order saved."))).run()

    def print_pack(self, folder: str | None = None) -> None:
        """One stamped copy of the anonymised pack per attendee present, off the GUI
        thread."""
        self._print("pack", folder)

    def print_minutes(self, folder: str | None = None) -> None:
        """One stamped copy of the anonymised minutes per attendee present."""
        self._print("minutes", folder)

    def _print(self, document: str, folder: str | None) -> None:
        from casework.panels.minutes import export_copies

        m = self.meeting
        if folder is None:
            folder = QFileDialog.getExistingDirectory(
                self, f"Folder for the copies of the meeting {document}", str(Path.home()))
            if not folder:
                return

        def done(results: Any) -> None:
            self.last_export = results
            files = len(results)
            self.status.setText(f"{files} cop{'y' if files == 1 else 'ies'} of the "
                                f"{document} written to {folder}, one per attendee; "
                                + (describe(results[-1]) if results else ""))

        run_export(self, f"Printing the meeting {document}…", export_copies,
                   (self.ws, m.id, Path(folder), document, f"-{m.scheduled_on:%Y-%m-%d}"),
                   done, lambda exc: self.status.setText(
                       f"The {document} was not written: {error_text(exc)}"))
