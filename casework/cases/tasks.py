"""Tasks and deadlines: the "overdue" and "due this week" views per user and per team.

Every statutory or policy time limit becomes a dated task (made by the workflow that owns
the rule). Only tasks on cases the actor may see are shown; a task title never carries
personal data, so listing tasks is not an audited read (opening the case is).
"Due this week" means due today or in the next six days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from casework.cases.lifecycle import add_task, complete_with_task
from casework.core import audit, clock, settings
from casework.core.context import Workspace
from casework.core.errors import NotFound, ValidationError
from casework.core.permissions import require, require_case, visible_cases
from casework.core.workdays import add_working_days
from db.models import Case, Task, User

# Tasks that come round again when done, while the case is open: kind -> interval setting
RECURRING = {"complainant_update": settings.UPDATE_WORKING_DAYS}

WEEK = timedelta(days=7)


@dataclass(frozen=True)
class TaskView:
    id: int
    case_id: int | None
    case_reference: str | None
    case_type: str | None
    kind: str
    title: str
    due_on: date
    assigned_user_id: int | None
    team_id: int | None
    completed_on: date | None
    owner_name: str = ""
    snoozed_until: date | None = None

    def days_overdue(self, today: date) -> int:
        return max(0, (today - self.due_on).days)


@dataclass(frozen=True)
class TaskBoard:
    overdue: tuple[TaskView, ...]
    due_this_week: tuple[TaskView, ...]

    @property
    def count(self) -> int:
        return len(self.overdue) + len(self.due_this_week)


def _board(ws: Workspace, whose: ColumnElement[bool], today: date) -> TaskBoard:
    require(ws.actor, "task.read")
    with ws.uow() as session:
        rows = session.execute(
            select(Task, Case.reference, Case.case_type, User.display_name)
            .outerjoin(Case, Task.case_id == Case.id)
            .outerjoin(User, User.id == Task.assigned_user_id)
            .where(Task.completed_on.is_(None), Task.due_on < today + WEEK, whose,
                   or_(Task.snoozed_until.is_(None), Task.snoozed_until <= today),
                   or_(Task.case_id.is_(None), visible_cases(ws.actor)))
            .order_by(Task.due_on, Task.id)).all()
        views = [TaskView(t.id, t.case_id, ref, ctype, t.kind, t.title, t.due_on,
                          t.assigned_user_id, t.team_id, t.completed_on, owner or "",
                          t.snoozed_until)
                 for t, ref, ctype, owner in rows]
    return TaskBoard(tuple(v for v in views if v.due_on < today),
                     tuple(v for v in views if v.due_on >= today))


def my_tasks(ws: Workspace, today: date | None = None) -> TaskBoard:
    """Open tasks assigned to the signed-in user: overdue, and due in the next 7 days."""
    return _board(ws, Task.assigned_user_id == ws.actor.user_id, today or clock.today())


def team_tasks(ws: Workspace, today: date | None = None) -> TaskBoard:
    """Open tasks of the user's team (case managers) or their panels' cases (panel
    members), overdue and due in the next 7 days."""
    actor = ws.actor
    if actor.panel_ids:
        whose: ColumnElement[bool] = or_(Case.panel_id.in_(sorted(actor.panel_ids)),
                                         Task.assigned_user_id == actor.user_id)
    elif actor.team_id is not None:
        whose = Task.team_id == actor.team_id
    else:
        whose = and_(Task.assigned_user_id == actor.user_id)
    return _board(ws, whose, today or clock.today())


def _task(ws: Workspace, session: Session, task_id: int) -> tuple[Task, Case | None]:
    task = session.get(Task, task_id)
    if task is None:
        raise NotFound("No such task.")
    case = session.get(Case, task.case_id) if task.case_id is not None else None
    if case is not None:
        require_case(ws.actor, case)
    elif task.assigned_user_id != ws.actor.user_id and (
            task.team_id is None or task.team_id != ws.actor.team_id):
        raise NotFound("No such task.")
    if task.completed_on is not None:
        raise ValidationError("The task is already done.", field="completed_on")
    return task, case


def _view(session: Session, task: Task, case: Case | None) -> TaskView:
    owner = session.get(User, task.assigned_user_id) if task.assigned_user_id else None
    return TaskView(task.id, task.case_id, case.reference if case else None,
                    case.case_type if case else None, task.kind, task.title, task.due_on,
                    task.assigned_user_id, task.team_id, task.completed_on,
                    owner.display_name if owner else "", task.snoozed_until)


def complete_task(ws: Workspace, task_id: int, completed_on: date | None = None) -> TaskView:
    """Mark a task done (audited). A complainant update on an open case schedules the next
    one (every ``asb.update.working_days`` working days) until the case closes."""
    require(ws.actor, "case.write")
    completed_on = completed_on or clock.today()
    with ws.uow() as session:
        task, case = _task(ws, session, task_id)
        complete_with_task(session, task, completed_on, "task")
        audit.record(ws, session, "task.complete", "task", task.id,
                     detail={"case": task.case_id, "kind": task.kind})
        if task.kind in RECURRING and case is not None and case.status == "open":
            days = settings.get(session, RECURRING[task.kind])
            add_task(session, case, task.kind, task.title,
                     add_working_days(max(completed_on, clock.today()), days))
        return _view(session, task, case)


def snooze_task(ws: Workspace, task_id: int, until: date, reason: str) -> TaskView:
    """Hide a task from the boards until a day, with a reason (audited ``task.snooze``);
    its due date stays what the rule set."""
    require(ws.actor, "case.write")
    if not reason.strip():
        raise ValidationError("Give a reason for snoozing the task.", field="reason")
    if until <= clock.today():
        raise ValidationError("Snooze until a day after today.", field="until")
    with ws.uow() as session:
        task, case = _task(ws, session, task_id)
        task.snoozed_until = until
        audit.record(ws, session, "task.snooze", "task", task.id, reason=reason.strip(),
                     detail={"case": task.case_id, "until": until.isoformat()})
        return _view(session, task, case)


def reassign_task(ws: Workspace, task_id: int, user_id: int, reason: str) -> TaskView:
    """Give a task to another active user of the same team, with a reason (audited
    ``task.reassign``)."""
    require(ws.actor, "case.write")
    if not reason.strip():
        raise ValidationError("Give a reason for reassigning the task.", field="reason")
    with ws.uow() as session:
        task, case = _task(ws, session, task_id)
        user = session.get(User, user_id)
        team = case.team_id if case is not None else task.team_id
        if user is None or not user.active or (team is not None and user.team_id != team):
            raise ValidationError("Choose an active user of the case's team.",
                                  field="user_id")
        old = task.assigned_user_id
        task.assigned_user_id = user.id
        audit.record(ws, session, "task.reassign", "task", task.id, reason=reason.strip(),
                     detail={"case": task.case_id, "from": old, "to": user.id})
        return _view(session, task, case)
