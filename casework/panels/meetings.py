"""Panel meetings: schedule, agenda from open referrals due for review, attendance,
minutes per referral, and outstanding actions carried to the next meeting.

Managing a meeting needs ``meeting.manage`` and the chair of that panel; reading it needs
``meeting.read`` and membership of the panel.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from casework.cases.lifecycle import add_task, schedule_review
from casework.cases.workflow import SafeRepr
from casework.core import audit, clock, settings
from casework.core.context import Workspace
from casework.core.errors import NotFound, PermissionDenied, ValidationError
from casework.core.permissions import can_see_case, require
from casework.panels.referrals import REFERRAL_TYPES, ActionView, action_view, load_referral
from db.models import Case, Meeting, MeetingAttendance, MeetingItem, Panel, PanelAction

TASK_MEETING = "panel.meeting"
RISK_ORDER = {"high": 0, "medium": 1, "standard": 2}
RESTRICTED = "Restricted"
_TIME = re.compile(r"([01]?[0-9]|2[0-3]):([0-5][0-9])")


@dataclass(frozen=True, repr=False)
class MeetingSummary(SafeRepr):
    id: int
    panel_id: int
    scheduled_on: date
    held: bool
    location: str
    starts_at: str = ""


@dataclass(frozen=True, repr=False)
class AgendaItemView(SafeRepr):
    """One referral on the agenda: why it is there, and the minute recorded for it."""

    case_id: int
    reference: str
    order: int
    reason: str  # new | review_due | added (actions_outstanding on older agendas)
    risk_level: str
    progress: str
    progress_shareable: bool
    discussed: bool
    decision: str = ""
    restricted: bool = False  # the reader may not see this referral: shown as Restricted


@dataclass(frozen=True, repr=False)
class AttendanceView(SafeRepr):
    id: int
    attendee: str
    agency: str
    present: bool
    user_id: int | None
    role: str = "member"  # chair | member | guest


@dataclass(frozen=True, repr=False)
class MeetingView(SafeRepr):
    """A meeting with its agenda, attendance, the actions it raised and those carried."""

    id: int
    panel_id: int
    panel_name: str
    scheduled_on: date
    held: bool
    location: str
    starts_at: str
    items: tuple[AgendaItemView, ...]
    attendance: tuple[AttendanceView, ...]
    actions: tuple[ActionView, ...]
    carried: tuple[ActionView, ...]
    references: tuple[tuple[int, str], ...] = ()  # (case id, reference) of every action

    def reference(self, case_id: int) -> str:
        """The reference of a case on the agenda or with an action here."""
        found = dict(self.references) | {i.case_id: i.reference for i in self.items}
        return found.get(case_id, f"Case {case_id}")


def _summary(m: Meeting) -> MeetingSummary:
    return MeetingSummary(m.id, m.panel_id, m.scheduled_on, m.held, m.location, m.starts_at)


def check_time(text: str) -> str:
    """A start time as "HH:MM" (blank: not set)."""
    text = text.strip()
    if not text:
        return ""
    found = _TIME.fullmatch(text)
    if found is None:
        raise ValidationError("Give the start time as hours and minutes, e.g. 10:00.",
                              field="starts_at")
    return f"{int(found.group(1)):02d}:{found.group(2)}"


def _refuse_clash(session: Session, panel_id: int, day: date,
                  meeting_id: int | None = None) -> None:
    clash = session.scalar(select(Meeting.id).where(
        Meeting.panel_id == panel_id, Meeting.scheduled_on == day,
        Meeting.id != (meeting_id or 0)).limit(1))
    if clash is not None:
        raise ValidationError(f"The panel already meets on {day:%A %d %B %Y}: move or "
                              "cancel that meeting first, or choose another day.",
                              field="first_on" if meeting_id is None else "scheduled_on")


def _require_chair(ws: Workspace, panel_id: int) -> None:
    require(ws.actor, "meeting.manage")
    if ws.actor.role != "system" and panel_id not in ws.actor.chair_panel_ids:
        raise PermissionDenied("Only the chair of this panel manages its meetings.")


def _require_member(ws: Workspace, panel_id: int) -> None:
    require(ws.actor, "meeting.read")
    if ws.actor.role != "system" and panel_id not in ws.actor.panel_ids:
        raise PermissionDenied("You are not a member of this panel.")


def _meeting(session: Session, meeting_id: int) -> Meeting:
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound("No such meeting.")
    return meeting


def schedule_meetings(ws: Workspace, panel_id: int, first_on: date, count: int,
                      location: str = "", starts_at: str = "") -> list[MeetingSummary]:
    """``count`` meetings from ``first_on``, every ``panel.meeting_interval_days`` days
    (six weeks by default), at ``starts_at`` in ``location``; each is a dated task for the
    chair. A day the panel already meets on is refused (nothing is scheduled)."""
    _require_chair(ws, panel_id)
    if not 1 <= count <= 52:
        raise ValidationError("Schedule between 1 and 52 meetings.", field="count")
    starts_at = check_time(starts_at)
    with ws.uow() as session:
        if session.get(Panel, panel_id) is None:
            raise NotFound("No such panel.")
        interval = int(settings.get(session, settings.PANEL_INTERVAL_DAYS))
        made = []
        for i in range(count):
            day = first_on + timedelta(days=interval * i)
            _refuse_clash(session, panel_id, day)
            meeting = Meeting(panel_id=panel_id, scheduled_on=day, chair_id=ws.actor.user_id,
                              location=location.strip(), starts_at=starts_at)
            session.add(meeting)
            session.flush()
            add_task(session, None, TASK_MEETING, "Panel meeting", day,
                     assigned_user_id=ws.actor.user_id)
            made.append(_summary(meeting))
        audit.record(ws, session, "meeting.schedule", "panel", panel_id,
                     detail={"count": count, "interval_days": interval})
        return made


def list_meetings(ws: Workspace, panel_id: int) -> list[MeetingSummary]:
    """The panel's meetings in date order."""
    _require_member(ws, panel_id)
    with ws.uow() as session:
        rows = session.scalars(select(Meeting).where(Meeting.panel_id == panel_id)
                               .order_by(Meeting.scheduled_on, Meeting.id))
        return [_summary(m) for m in rows]


def update_meeting(ws: Workspace, meeting_id: int, scheduled_on: date, starts_at: str,
                   location: str) -> MeetingSummary:
    """Move a meeting, or set its time and place; a day the panel already meets on is
    refused."""
    starts_at = check_time(starts_at)
    with ws.uow() as session:
        meeting = _meeting(session, meeting_id)
        _require_chair(ws, meeting.panel_id)
        _refuse_clash(session, meeting.panel_id, scheduled_on, meeting_id)
        meeting.scheduled_on, meeting.starts_at = scheduled_on, starts_at
        meeting.location = location.strip()
        session.flush()
        audit.record(ws, session, "meeting.update", "meeting", meeting_id)
        return _summary(meeting)


def build_agenda(ws: Workspace, meeting_id: int) -> MeetingView:
    """Add to the agenda the panel's open referrals that are new (not discussed at an
    earlier meeting) or due for review by the meeting date. Outstanding actions alone do
    not bring a referral: they are carried in the actions list. Items the chair removed
    stay off; safe to run again."""
    with ws.uow() as session:
        meeting = _meeting(session, meeting_id)
        _require_chair(ws, meeting.panel_id)
        on = meeting.scheduled_on
        earlier = select(Meeting.id).where(Meeting.panel_id == meeting.panel_id,
                                           Meeting.scheduled_on < on)
        discussed = exists().where(MeetingItem.case_id == Case.id, MeetingItem.discussed,
                                   MeetingItem.meeting_id.in_(earlier))
        rows = session.execute(
            select(Case.id, Case.risk_level, Case.opened_on, Case.next_review_on,
                   discussed.label("seen"))
            .where(Case.panel_id == meeting.panel_id, Case.case_type.in_(REFERRAL_TYPES),
                   Case.status == "open", Case.opened_on <= on)
        ).all()
        have = set(session.scalars(select(MeetingItem.case_id).where(
            MeetingItem.meeting_id == meeting_id)))
        order = _last_order(session, meeting_id)
        due = []
        for case_id, risk, opened_on, next_review, seen in rows:
            if case_id in have:
                continue
            if not seen:
                reason = "new"
            elif next_review is not None and next_review <= on:
                reason = "review_due"
            else:
                continue
            due.append((RISK_ORDER.get(risk, 3), opened_on, case_id, reason))
        for _r, _o, case_id, reason in sorted(due):
            order += 1
            session.add(MeetingItem(meeting_id=meeting_id, case_id=case_id, order=order,
                                    reason=reason))
        session.flush()
        audit.record(ws, session, "meeting.agenda", "meeting", meeting_id,
                     detail={"added": len(due)})
        return _meeting_view(session, meeting, ws)


def _last_order(session: Session, meeting_id: int) -> int:
    orders = session.scalars(select(MeetingItem.order).where(
        MeetingItem.meeting_id == meeting_id)).all()
    return max(orders, default=0)


def record_attendance(ws: Workspace, meeting_id: int, attendee: str, agency: str,
                      present: bool = True, user_id: int | None = None,
                      role: str = "guest") -> AttendanceView:
    """A professional's attendance (or apologies) at a meeting. ``set_attendance`` in
    ``casework.panels.attendance`` records the whole list from the panel's membership."""
    if not attendee.strip():
        raise ValidationError("Name the attendee.", field="attendee")
    with ws.uow() as session:
        meeting = _meeting(session, meeting_id)
        _require_chair(ws, meeting.panel_id)
        row = MeetingAttendance(meeting_id=meeting_id, attendee=attendee.strip(),
                                agency=agency.strip(), present=present, user_id=user_id,
                                role=role)
        session.add(row)
        session.flush()
        audit.record(ws, session, "meeting.attendance", "meeting", meeting_id,
                     detail={"present": present})
        return attendance_view(row)


def attendance_view(a: MeetingAttendance) -> AttendanceView:
    """The read model of one attendance row."""
    return AttendanceView(a.id, a.attendee, a.agency, a.present, a.user_id, a.role)


def record_minute(ws: Workspace, meeting_id: int, case_id: int, progress: str,
                  shareable: bool = False, decision: str = "") -> AgendaItemView:
    """The progress and decision minuted for one referral (``shareable`` covers both); the
    referral is next due for review at the following meeting (the panel interval
    later)."""
    if not progress.strip():
        raise ValidationError("Record the progress discussed.", field="progress")
    with ws.uow() as session:
        meeting = _meeting(session, meeting_id)
        _require_chair(ws, meeting.panel_id)
        case, _ref = load_referral(ws, session, case_id)
        item = session.scalar(select(MeetingItem).where(MeetingItem.meeting_id == meeting_id,
                                                        MeetingItem.case_id == case_id))
        if case.panel_id != meeting.panel_id and (item is None or item.removed):
            # Another panel's referral is minuted only when the chair put it on the agenda.
            raise ValidationError("That referral is not this panel's.", field="case_id")
        if item is None:
            item = MeetingItem(meeting_id=meeting_id, case_id=case_id,
                               order=_last_order(session, meeting_id) + 1, reason="added")
            session.add(item)
        item.removed, item.removed_reason = False, ""
        item.progress, item.progress_shareable, item.discussed = progress.strip(), shareable, True
        item.decision = decision.strip()
        meeting.held = True
        interval = int(settings.get(session, settings.PANEL_INTERVAL_DAYS))
        # the review took place at the meeting, whenever its minute is typed up
        schedule_review(session, case, meeting.scheduled_on + timedelta(days=interval),
                        "Review the case at the panel",
                        reviewed_on=min(meeting.scheduled_on, clock.today()))
        session.flush()
        audit.record(ws, session, "meeting.minute", "case", case_id,
                     detail={"meeting": meeting_id, "shareable": shareable})
        return AgendaItemView(case_id, case.reference, item.order, item.reason,
                              case.risk_level, item.progress, item.progress_shareable, True,
                              item.decision)


def _carried(session: Session, meeting: Meeting) -> list[ActionView]:
    rows = session.scalars(
        select(PanelAction).join(Case, Case.id == PanelAction.case_id)
        .outerjoin(Meeting, Meeting.id == PanelAction.meeting_id)
        .where(Case.panel_id == meeting.panel_id, Case.status == "open",
               PanelAction.completed_on.is_(None),
               (PanelAction.meeting_id.is_(None)) | (Meeting.scheduled_on < meeting.scheduled_on))
        .order_by(PanelAction.due_on, PanelAction.id))
    return [action_view(a) for a in rows]


def carried_actions(ws: Workspace, meeting_id: int) -> list[ActionView]:
    """Open actions of open referrals raised before this meeting, carried forward to it
    (a closed referral's actions were decided when it closed)."""
    with ws.uow() as session:
        meeting = _meeting(session, meeting_id)
        _require_member(ws, meeting.panel_id)
        return _carried(session, meeting)


def _meeting_view(session: Session, meeting: Meeting,
                  ws: Workspace | None = None) -> MeetingView:
    """The meeting as ``ws``'s actor may see it: a referral they may not see is listed as
    "Restricted", with nothing of it but its place on the agenda."""
    panel = session.get(Panel, meeting.panel_id)
    items = session.execute(
        select(MeetingItem, Case)
        .join(Case, Case.id == MeetingItem.case_id)
        .where(MeetingItem.meeting_id == meeting.id, MeetingItem.removed.is_(False))
        .order_by(MeetingItem.order, MeetingItem.id)).all()
    attendance = session.scalars(select(MeetingAttendance).where(
        MeetingAttendance.meeting_id == meeting.id).order_by(MeetingAttendance.id))
    actions = session.scalars(select(PanelAction).where(
        PanelAction.meeting_id == meeting.id).order_by(PanelAction.id))
    hidden = set()
    if ws is not None and ws.actor.role != "system":
        hidden = {case.id for _i, case in items if not can_see_case(
            ws.actor, case.case_type, case.team_id, case.panel_id)}
    raised = tuple(action_view(a) for a in actions if a.case_id not in hidden)
    carried = tuple(a for a in _carried(session, meeting) if a.case_id not in hidden)
    ids = sorted({a.case_id for a in raised + carried})
    refs = tuple((int(r[0]), str(r[1])) for r in session.execute(
        select(Case.id, Case.reference).where(Case.id.in_(ids)))) if ids else ()
    views = []
    for i, case in items:
        if case.id in hidden:
            views.append(AgendaItemView(case.id, RESTRICTED, i.order, i.reason, "", "", False,
                                        i.discussed, "", True))
        else:
            views.append(AgendaItemView(case.id, case.reference, i.order, i.reason,
                                        case.risk_level, i.progress, i.progress_shareable,
                                        i.discussed, i.decision))
    return MeetingView(
        meeting.id, meeting.panel_id, panel.name if panel else "", meeting.scheduled_on,
        meeting.held, meeting.location, meeting.starts_at, tuple(views),
        tuple(attendance_view(a) for a in attendance),
        raised, carried, tuple(sorted(refs)),
    )


def meeting_view(ws: Workspace, meeting_id: int) -> MeetingView:
    """The meeting for its panel's members (audited as a view of identifiable detail)."""
    with ws.uow() as session:
        meeting = _meeting(session, meeting_id)
        _require_member(ws, meeting.panel_id)
        audit.record(ws, session, "view", "meeting", meeting_id)
        return _meeting_view(session, meeting, ws)
