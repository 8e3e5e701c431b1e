"""What every case type shares: references, loading with permission, tasks, notes,
documents, closing. Type-specific workflows (asb.py, trigger.py, panels.py, mart.py,
sanctuary.py) build on these helpers.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from casework.core import audit, clock, versions
from casework.core.context import Workspace
from casework.core.errors import NotFound, ValidationError
from casework.core.permissions import require, require_case
from db.dialects import on_server
from db.models import Case, Document, Note, PanelAction, Task, TriggerRecommendation

PREFIX = {"asb": "ASB", "trigger": "CT", "swip": "SWIP", "mart": "MART", "sanctuary": "SAN"}
OUTCOMES: dict[str, tuple[str, ...]] = {
    "asb": ("resolved", "no_further_action", "referred_elsewhere", "enforcement_concluded"),
    "trigger": ("review_completed", "threshold_not_met", "withdrawn"),
    "swip": ("engaged_with_support", "exited", "moved_away", "disengaged"),
    "mart": ("removed_from_exploitation", "housed", "benefits_in_place",
             "perpetrators_disrupted", "prosecution", "no_further_action"),
    "sanctuary": ("completed", "declined", "not_eligible", "withdrawn"),
}


@dataclass(frozen=True)
class CaseHeader:
    """The fields every case has, as a read model."""

    id: int
    reference: str
    case_type: str
    status: str
    opened_on: date
    closed_on: date | None
    outcome: str | None
    risk_level: str
    owner_id: int | None
    team_id: int | None
    panel_id: int | None
    lsoa_code: str | None
    next_review_on: date | None
    version: int = 0  # what an edit hands back as ``loaded_version``

    @classmethod
    def of(cls, case: Case) -> CaseHeader:
        return cls(case.id, case.reference, case.case_type, case.status, case.opened_on,
                   case.closed_on, case.outcome, case.risk_level, case.owner_id, case.team_id,
                   case.panel_id, case.lsoa_code, case.next_review_on, case.version or 0)


@dataclass(frozen=True)
class NoteView:
    id: int
    created_at: str
    author_id: int | None
    body: str
    shareable: bool


@dataclass(frozen=True)
class DocumentView:
    id: int
    kind: str
    title: str
    created_at: str
    size: int
    sha256: str
    template_key: str = ""  # a letter: the template and version it was made from
    template_version: int | None = None


def check_loaded(session: Session, case: Case, loaded_version: int | None) -> None:
    """Refuse an edit based on an older version of the case (``EditConflict``)."""
    versions.check(session, case, loaded_version, f"Case {case.reference}", "case", case.id)


def new_reference(session: Session, case_type: str, year: int) -> str:
    """The next reference for a type and year, e.g. ASB-2026-000124."""
    prefix = f"{PREFIX[case_type]}-{year}-"
    if on_server(session):
        # Team server: the user sees only some cases; the server numbers over all of them.
        return str(session.scalar(text("SELECT casework_acl.next_reference(:p)"),
                                  {"p": prefix}))
    last = session.scalar(
        select(func.max(Case.reference)).where(Case.reference.like(prefix + "%"))
    )
    seq = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{seq:06d}"


def create_case(ws: Workspace, session: Session, case_type: str, *, opened_on: date,
                team_id: int | None = None, panel_id: int | None = None,
                owner_id: int | None = None, lsoa_code: str | None = None,
                risk_level: str = "standard", summary: str = "") -> Case:
    """Insert the common case row (callers add the type's detail row) and audit it."""
    if case_type not in PREFIX:
        raise ValidationError("Unknown case type.", field="case_type")
    if opened_on > clock.today():
        raise ValidationError("A case cannot be opened in the future.", field="opened_on")
    case = Case(reference=new_reference(session, case_type, opened_on.year),
                case_type=case_type, status="open", opened_on=opened_on,
                team_id=team_id if team_id is not None else ws.actor.team_id,
                panel_id=panel_id, owner_id=owner_id or ws.actor.user_id,
                lsoa_code=lsoa_code, risk_level=risk_level, summary=summary)
    require_case(ws.actor, case)
    session.add(case)
    session.flush()
    audit.record(ws, session, "case.create", "case", case.id, detail={"type": case_type})
    return case


def load_case(ws: Workspace, session: Session, case_id: int,
              case_type: str | None = None) -> Case:
    """A case the actor may see (PermissionDenied otherwise); NotFound if absent."""
    require(ws.actor, "case.read")
    case = session.get(Case, case_id)
    if case is None or (case_type is not None and case.case_type != case_type):
        raise NotFound("No such case.")
    require_case(ws.actor, case)
    return case


def load_case_by_reference(ws: Workspace, session: Session, reference: str) -> Case:
    require(ws.actor, "case.read")
    case = session.scalar(select(Case).where(Case.reference == reference))
    if case is None:
        raise NotFound("No case with that reference.")
    require_case(ws.actor, case)
    return case


def add_task(session: Session, case: Case | None, kind: str, title: str, due_on: date,
             assigned_user_id: int | None = None, team_id: int | None = None) -> Task:
    """A dated task from a rule (statutory or policy time limit)."""
    task = Task(case_id=case.id if case else None, kind=kind, title=title, due_on=due_on,
                assigned_user_id=assigned_user_id if assigned_user_id is not None
                else (case.owner_id if case else None),
                team_id=team_id if team_id is not None else (case.team_id if case else None))
    session.add(task)
    session.flush()
    return task


def complete_tasks(session: Session, case_id: int, kind: str | None, on: date) -> int:
    """Mark open tasks of a kind on a case done (every open task when ``kind`` is None);
    returns how many."""
    done = 0
    query = select(Task).where(Task.case_id == case_id, Task.completed_on.is_(None))
    if kind is not None:
        query = query.where(Task.kind == kind)
    for task in session.scalars(query):
        task.completed_on = on
        done += 1
    return done


def supersede_tasks(session: Session, case_id: int, kinds: tuple[str, ...], on: date,
                    reason: str) -> int:
    """Close the open tasks of these kinds, whose deadline a later step replaced, with the
    reason (they are not done: ``closed_reason`` says why they closed); returns how many."""
    if not kinds:
        return 0
    closed = 0
    for task in session.scalars(select(Task).where(Task.case_id == case_id,
                                                   Task.completed_on.is_(None),
                                                   Task.kind.in_(kinds))):
        task.completed_on = on
        task.closed_reason = reason[:200]
        closed += 1
    return closed


REVIEW_TASK = "review"


def schedule_review(session: Session, case: Case, on: date,
                    title: str = "Review the case", *, reviewed_on: date | None = None) -> Task:
    """Set the case's next review date and its review task (one open review task per
    case: an earlier one still open is closed as superseded, never left as overdue, on
    ``reviewed_on``: the day the review took place, today unless said)."""
    case.next_review_on = on
    supersede_tasks(session, case.id, (REVIEW_TASK,), reviewed_on or clock.today(),
                    f"superseded by the review due {on.isoformat()}")
    return add_task(session, case, REVIEW_TASK, title, on)


class Completable(Protocol):
    """A record that is done on a day (a task, a panel action, a recommendation...)."""

    completed_on: date | None


def complete_with_task(session: Session, record: Completable, on: date, what: str) -> None:
    """Mark ``record`` done on ``on`` and, when it carries a ``task_id``, close that dated
    task the same day (if it is still open). Refuses a record already done and a date in
    the future (field ``completed_on``); ``what`` names the record in the message."""
    if record.completed_on is not None:
        raise ValidationError(f"The {what} is already done.", field="completed_on")
    if on > clock.today():
        raise ValidationError(f"The {what} cannot be completed in the future.",
                              field="completed_on")
    record.completed_on = on
    task_id = getattr(record, "task_id", None)
    task = session.get(Task, task_id) if task_id is not None else None
    if task is not None and task.completed_on is None:
        task.completed_on = on


def add_note(ws: Workspace, case_id: int, body: str, shareable: bool = False) -> NoteView:
    require(ws.actor, "case.write")
    if not body.strip():
        raise ValidationError("The note is empty.", field="body")
    with ws.uow() as session:
        load_case(ws, session, case_id)
        note = Note(case_id=case_id, author_id=ws.actor.user_id, body=body, shareable=shareable)
        session.add(note)
        session.flush()
        audit.record(ws, session, "note.add", "case", case_id)
        return NoteView(note.id, note.created_at.isoformat(timespec="seconds"), note.author_id,
                        note.body, note.shareable)


def store_document(ws: Workspace, session: Session, case: Case, kind: str, title: str,
                   content: bytes, mime: str = "application/pdf",
                   template: tuple[str, int] | None = None) -> Document:
    """Keep a generated letter or file with the case (encrypted with the database);
    ``template``: a letter's template key and version."""
    doc = Document(case_id=case.id, kind=kind, title=title, created_by=ws.actor.user_id,
                   mime=mime, content=content, sha256=hashlib.sha256(content).hexdigest(),
                   size=len(content), template_key=template[0] if template else "",
                   template_version=template[1] if template else None)
    session.add(doc)
    session.flush()
    audit.record(ws, session, "document.add", "case", case.id,
                 detail={"document": doc.id, "kind": kind})
    return doc


CLOSE_DECISIONS = ("done", "cancel", "reassign")  # reassign: panel actions only


@dataclass(frozen=True)
class OpenItem:
    """An open task on a case being closed, and the record it stands for (a Community
    Trigger recommendation or a panel action) when it has one."""

    task_id: int
    kind: str
    title: str
    due_on: date
    record: str  # "task" | "recommendation" | "action"


def _records_of(session: Session, task: Task) -> list[Completable]:
    found: list[Completable] = list(session.scalars(
        select(TriggerRecommendation).where(TriggerRecommendation.task_id == task.id,
                                            TriggerRecommendation.completed_on.is_(None))))
    found += list(session.scalars(select(PanelAction).where(PanelAction.task_id == task.id,
                                                            PanelAction.completed_on.is_(None))))
    return found


def _open_items(session: Session, case_id: int) -> list[OpenItem]:
    out = []
    for task in session.scalars(select(Task).where(Task.case_id == case_id,
                                                   Task.completed_on.is_(None))
                                .order_by(Task.due_on, Task.id)):
        recs = _records_of(session, task)
        kind = ("recommendation" if any(isinstance(r, TriggerRecommendation) for r in recs)
                else "action" if recs else "task")
        out.append(OpenItem(task.id, task.kind, task.title, task.due_on, kind))
    return out


def _reassign_target(ws: Workspace, session: Session, case: Case, items: list[OpenItem],
                     decisions: Mapping[int, str], reassign_to: int | None) -> Case | None:
    """The open referral of the same panel that reassigned actions move to."""
    moving = [i for i in items if decisions.get(i.task_id) == "reassign"]
    if not moving:
        return None
    if any(i.record != "action" for i in moving):
        raise ValidationError("Only a panel action can be reassigned to another referral.",
                              field="decisions")
    if reassign_to is None or reassign_to == case.id:
        raise ValidationError("Choose the referral the actions move to.", field="reassign_to")
    target = load_case(ws, session, reassign_to)
    if target.status != "open" or target.panel_id is None or target.panel_id != case.panel_id:
        raise ValidationError("Actions move to an open referral of the same panel.",
                              field="reassign_to")
    return target


def open_items(ws: Workspace, case_id: int) -> list[OpenItem]:
    """The case's open tasks; those standing for a recommendation or an action need a
    decision when the case closes (done, or cancelled)."""
    with ws.uow() as session:
        load_case(ws, session, case_id)
        return _open_items(session, case_id)


def close_case(ws: Workspace, case_id: int, outcome: str, closed_on: date | None = None,
               reason: str = "", decisions: Mapping[int, str] | None = None,
               reassign_to: int | None = None, *,
               loaded_version: int | None = None) -> CaseHeader:
    """Close with an outcome allowed for the case type. Every open task standing for a
    recommendation or a panel action needs a decision in ``decisions`` (task id -> ``done``
    or ``cancel``): nothing is completed silently. ``done`` completes the task and the
    record; ``cancel`` closes the task with the reason "Cancelled when the case closed" and
    leaves the record open (still reported as not completed). Other open tasks (deadline
    reminders) close with the reason "Case closed", or as decided. A panel action may
    instead be ``reassign``ed: it moves, open, with its task, to ``reassign_to`` (an open
    referral of the same panel) and is carried there. ``loaded_version``
    (the case's version on the user's screen) refuses the close if someone else changed
    the case since (``EditConflict``)."""
    require(ws.actor, "case.write")
    closed_on = closed_on or clock.today()
    decisions = dict(decisions or {})
    with ws.uow() as session:
        case = load_case(ws, session, case_id)
        check_loaded(session, case, loaded_version)
        if case.status == "closed":
            raise ValidationError("The case is already closed.", field="status")
        if outcome not in OUTCOMES[case.case_type]:
            raise ValidationError("That outcome does not apply to this case type.",
                                  field="outcome")
        if closed_on < case.opened_on:
            raise ValidationError("A case cannot close before it opened.", field="closed_on")
        if closed_on > clock.today():
            raise ValidationError("A case cannot close in the future.", field="closed_on")
        items = _open_items(session, case.id)
        undecided = [i for i in items if i.record != "task"
                     and decisions.get(i.task_id) not in CLOSE_DECISIONS]
        if undecided:
            raise ValidationError(f"Decide what happens to {len(undecided)} open "
                                  f"item(s) first: mark each done or cancel it.",
                                  field="decisions")
        target = _reassign_target(ws, session, case, items, decisions, reassign_to)
        counts: dict[str, int] = {}
        for item in items:
            task = session.get(Task, item.task_id)
            assert task is not None
            choice = decisions.get(item.task_id, "closed")
            counts[choice] = counts.get(choice, 0) + 1
            if choice == "closed":
                task.completed_on = closed_on
                task.closed_reason = "Case closed"
            elif choice == "reassign" and target is not None:
                for record in _records_of(session, task):
                    if isinstance(record, PanelAction):
                        record.case_id = target.id
                task.case_id = target.id
            elif choice == "done":
                for record in _records_of(session, task):
                    record.completed_on = closed_on
                task.completed_on = closed_on
            else:
                task.completed_on = closed_on
                task.closed_reason = "Cancelled when the case closed"
        case.status = "closed"
        case.closed_on = closed_on
        case.outcome = outcome
        case.next_review_on = None
        audit.record(ws, session, "case.close", "case", case.id, reason=reason,
                     detail={"outcome": outcome, **counts})
        return CaseHeader.of(case)
