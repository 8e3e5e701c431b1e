"""My work: overdue tasks and tasks due this week, mine or my team's."""

from __future__ import annotations

from typing import Any

from casework.cases import tasks
from ui.common.forms import humanise
from ui.common.ops import QueryOp
from ui.common.qt import (
    QComboBox,
    QHBoxLayout,
    QKeySequence,
    QLabel,
    QPushButton,
    QShortcut,
    Qt,
    QVBoxLayout,
)
from ui.common.screen import Screen, heading
from ui.common.widgets import RecordTable

TASK_FIELDS = ("due_on", "case_reference", "case_type", "title")


def _task_table(name: str) -> RecordTable:
    return RecordTable([("Due", lambda t: t.due_on), ("Case", lambda t: t.case_reference),
                        ("Type", lambda t: humanise(t.case_type)), ("Task", lambda t: t.title)],
                       name)


class Page(Screen):
    """Tasks from every statutory or policy time limit, by urgency."""

    title = "My work"

    def __init__(self, ws: Any, main: Any) -> None:
        super().__init__(ws, main)
        self.loaded = False
        box = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(heading("My work"))
        top.addStretch(1)
        self.whose = QComboBox()
        self.whose.addItem("My tasks", "mine")
        self.whose.addItem("My team's tasks", "team")
        self.whose.setAccessibleName("Whose tasks")
        label = QLabel("&Show")
        label.setBuddy(self.whose)
        top.addWidget(label)
        top.addWidget(self.whose)
        box.addLayout(top)
        self.whose.currentIndexChanged.connect(lambda _i: self.refresh())
        self.overdue_label = QLabel("Overdue")
        self.overdue_label.setObjectName("subheading")
        self.overdue = _task_table("Overdue tasks")
        self.week_label = QLabel("Due this week")
        self.week_label.setObjectName("subheading")
        self.week = _task_table("Tasks due this week")
        for table in (self.overdue, self.week):
            table.doubleClicked.connect(lambda _i, t=table: self._open(t))
            for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                QShortcut(QKeySequence(key), table, activated=lambda t=table: self._open(t),
                          context=Qt.ShortcutContext.WidgetShortcut)
        from ui.common.table_export import add_list_menu

        for table in (self.overdue, self.week):
            add_list_menu(table, lambda t=table: self.export_list(t))
        for w in (self.overdue_label, self.overdue, self.week_label, self.week):
            box.addWidget(w)
        self.dialog: Any = None
        self.task_buttons: dict[str, Any] = {}
        from ui.common import services

        if services.can(ws.actor, "case.write"):
            actions = QHBoxLayout()
            for key, text, slot in (("done", "Mark &done", self.complete),
                                    ("snooze", "S&nooze…", self.snooze),
                                    ("reassign", "Reass&ign…", self.reassign)):
                b = QPushButton(text)
                b.setAccessibleName(text.replace("&", "").rstrip("…"))
                b.clicked.connect(lambda _c=False, f=slot: f())
                actions.addWidget(b)
                self.task_buttons[key] = b
            actions.addStretch(1)
            box.addLayout(actions)
            for table in (self.overdue, self.week):
                table.itemSelectionChanged.connect(
                    lambda t=table: self._chosen(t))
        from ui.common.changes import bus

        bus().changed.connect(self._on_change)  # a bound method: disconnected with the page
        hint = QLabel("Double-click or press Enter on a task to open its case. Right-click "
                      "a list to copy rows or export it.")
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        box.addWidget(hint)
        self.status = QLabel("")
        self.status.setObjectName("caseStatus")
        self.status.setAccessibleName("My work status")
        self.status.setWordWrap(True)
        self.status.hide()
        box.addWidget(self.status)

    # -- task actions -------------------------------------------------------------------
    def _chosen(self, table: RecordTable) -> None:
        """The task chosen last is the one the buttons act on (one list at a time)."""
        if table.selectedItems():
            self._acting_on = table
            other = self.week if table is self.overdue else self.overdue
            other.blockSignals(True)
            other.clearSelection()
            other.blockSignals(False)

    def current_task(self) -> Any:
        table = getattr(self, "_acting_on", None)
        for t in ([table] if table is not None else []) + [self.overdue, self.week]:
            if t.selectedItems() and t.current_record() is not None:
                return t.current_record()
        return None

    def _need_task(self) -> Any:
        task = self.current_task()
        if task is None:
            self.set_status("Choose a task first.")
        return task

    def complete(self) -> None:
        from casework.cases.tasks import complete_task

        task = self._need_task()
        if task is None:
            return
        ws = self.ws
        QueryOp(self, lambda: complete_task(ws, task.id),
                lambda _t: self._done(f"Done: {task.title}.")).run()

    def snooze(self) -> Any:
        from ui.cases.task_dialogs import SnoozeTaskDialog

        task = self._need_task()
        if task is None:
            return None
        return self._open_dialog(SnoozeTaskDialog(self, self.ws, task), f"Snoozed: {task.title}.")

    def reassign(self) -> None:
        from casework.cases.transitions import transfer_choices
        from ui.cases.task_dialogs import ReassignTaskDialog

        task = self._need_task()
        self.dialog = None
        if task is None:
            return
        if task.case_id is None:
            self.set_status("This task belongs to no case; it cannot be reassigned here.")
            return
        ws = self.ws

        def offer(choices: list[Any]) -> None:
            officers = [o for c in choices if c.team_id == task.team_id for o in c.officers]
            if not officers:
                self.set_status("No other active officer of the case's team can take it.")
                return
            self._open_dialog(ReassignTaskDialog(self, ws, task, officers),
                       f"Reassigned: {task.title}.")

        QueryOp(self, lambda: transfer_choices(ws, task.case_id), offer).run()

    def _open_dialog(self, dialog: Any, message: str) -> Any:
        self.dialog = dialog
        dialog.accepted.connect(lambda: self._done(message))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def _done(self, message: str) -> None:
        from ui.common.changes import Change, announce

        self.set_status(message)
        task = self.current_task()
        announce(Change(case_ids={task.case_id} if task and task.case_id else (),
                        kinds={"task"}))  # My work reloads from it too

    def set_status(self, text: str) -> None:
        self.status.setText(text)
        self.status.setVisible(bool(text))

    def export_list(self, table: RecordTable | None = None) -> Any:
        """Export a task list (the one with focus, else the overdue one) through the
        sharing pipeline."""
        from ui.common.table_export import export_list, record_source

        if table is None:
            table = self.week if self.week.hasFocus() else self.overdue
        which = "Overdue" if table is self.overdue else "Due this week"
        whose = self.whose.currentText()
        source = record_source(table, "tasks", TASK_FIELDS, lambda: f"{whose}: {which}")
        return export_list(self, self.ws, source, "tasks", self.set_status)

    def _on_change(self, change: Any) -> None:
        if self.loaded and (change.touches("task") or change.touches("case")):
            self.refresh()

    def refresh(self) -> None:
        fn = tasks.my_tasks if self.whose.currentData() == "mine" else tasks.team_tasks
        ws = self.ws
        QueryOp(self, lambda: fn(ws), self._show).run()

    def _show(self, board: Any) -> None:
        self.overdue.set_records(board.overdue)
        self.week.set_records(board.due_this_week)
        for table in (self.week, self.overdue):  # the overdue one chosen last: acted on
            if table.rowCount() and table.currentRow() < 0:
                table.setCurrentCell(0, 0)
        self.overdue_label.setText(f"Overdue ({len(board.overdue)})")
        self.week_label.setText(f"Due this week ({len(board.due_this_week)})")
        self.loaded = True

    def _open(self, table: RecordTable) -> None:
        task = table.current_record()
        if task is not None and task.case_id is not None:
            self.main.open_case(task.case_id, task.case_reference or "")

    def is_ready(self) -> bool:
        return self.loaded
