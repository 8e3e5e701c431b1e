"""Snooze a task until a day, or give it to another officer of the case's team, each with
a reason (the services audit both)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from casework.core import clock
from ui.cases.dialogs import text_box
from ui.common.forms import FormDialog, date_edit
from ui.common.qt import QWidget


class SnoozeTaskDialog(FormDialog):
    """Hide a task from the boards until a later day; its due date stays."""

    def __init__(self, parent: QWidget | None, ws: Any, task: Any) -> None:
        super().__init__(parent, "Snooze a task", submit_label="&Snooze",
                         intro=f"“{task.title}” (due {task.due_on:%d %b %Y}) leaves the "
                               "boards until the day chosen. Its due date does not change.")
        self.ws, self.task_id = ws, task.id
        self.add("until", "&Until", date_edit(clock.today() + timedelta(days=7)))
        self.add("reason", "&Reason", text_box(60))

    def on_submit(self) -> None:
        from casework.cases.tasks import snooze_task

        v = self.form.values()
        self.submit(lambda: snooze_task(self.ws, self.task_id, v["until"], v["reason"]))


class ReassignTaskDialog(FormDialog):
    """Give a task to another active officer of the case's team."""

    def __init__(self, parent: QWidget | None, ws: Any, task: Any,
                 officers: list[tuple[int, str]]) -> None:
        from ui.common.pickers import user_picker

        super().__init__(parent, "Reassign a task", submit_label="Reass&ign",
                         intro=f"“{task.title}” goes to another officer of the case's "
                               "team; they see it on their board at once.")
        self.ws, self.task_id = ws, task.id
        self.add("user_id", "&Officer", user_picker(officers, current=task.assigned_user_id))
        self.add("reason", "&Reason", text_box(60))

    def on_submit(self) -> None:
        from casework.cases.tasks import reassign_task

        v = self.form.values()
        if v["user_id"] is None:
            from casework.core.errors import ValidationError

            self.form.show_error(ValidationError("Choose an officer.", field="user_id"))
            return
        self.submit(lambda: reassign_task(self.ws, self.task_id, v["user_id"], v["reason"]))
