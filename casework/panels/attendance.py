"""Attendance picked from the panel's membership (each member with their coded agency),
plus guests by name and coded agency; apologies recorded as not present."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select

from casework.cases.workflow import SafeRepr
from casework.core import audit, vocabulary
from casework.core.context import Workspace
from casework.core.errors import ValidationError
from casework.panels.meetings import (
    AttendanceView,
    _meeting,
    _require_chair,
    attendance_view,
)
from db.models import MeetingAttendance, PanelMembership, User

PRESENT, APOLOGIES, ABSENT = "present", "apologies", "absent"
DEFAULT_AGENCY = "community_safety"


@dataclass(frozen=True, repr=False)
class MemberChoice(SafeRepr):
    """One member of the panel as the attendance list offers them."""

    user_id: int
    name: str
    agency: str  # coded
    chair: bool
    status: str  # present | apologies | absent (as recorded for this meeting, or absent)


@dataclass(frozen=True, repr=False)
class Guest(SafeRepr):
    """Someone from outside the panel's membership at this meeting."""

    name: str
    agency: str  # coded
    present: bool = True


def members(ws: Workspace, meeting_id: int) -> list[MemberChoice]:
    """The panel's members for the pick list, with what was recorded for this meeting."""
    with ws.uow() as session:
        meeting = _meeting(session, meeting_id)
        _require_chair(ws, meeting.panel_id)
        recorded = {a.user_id: a for a in session.scalars(select(MeetingAttendance).where(
            MeetingAttendance.meeting_id == meeting_id,
            MeetingAttendance.user_id.is_not(None)))}
        out = []
        for m, u in session.execute(
                select(PanelMembership, User).join(User, User.id == PanelMembership.user_id)
                .where(PanelMembership.panel_id == meeting.panel_id, User.active.is_(True))
                .order_by(PanelMembership.is_chair.desc(), User.display_name, User.id)):
            row = recorded.get(u.id)
            status = ABSENT if row is None else PRESENT if row.present else APOLOGIES
            agency = (row.agency if row is not None and row.agency else m.agency
                      or DEFAULT_AGENCY)
            out.append(MemberChoice(u.id, u.display_name, agency, m.is_chair, status))
        return out


def set_attendance(ws: Workspace, meeting_id: int, present: Sequence[int],
                   apologies: Sequence[int] = (), agencies: dict[int, str] | None = None,
                   guests: Sequence[Guest] = ()) -> list[AttendanceView]:
    """Record the meeting's whole attendance in one step: members present and members
    who sent apologies (by user id, from the panel's membership; each member's coded
    agency is remembered on their membership), and guests. Replaces what was recorded."""
    agencies = dict(agencies or {})
    with ws.uow() as session:
        meeting = _meeting(session, meeting_id)
        _require_chair(ws, meeting.panel_id)
        both = set(present) & set(apologies)
        if both:
            raise ValidationError("A member is either present or sends apologies, not both.",
                                  field="present")
        memberships = {m.user_id: (m, u) for m, u in session.execute(
            select(PanelMembership, User).join(User, User.id == PanelMembership.user_id)
            .where(PanelMembership.panel_id == meeting.panel_id))}
        unknown = [uid for uid in (*present, *apologies) if uid not in memberships]
        if unknown:
            raise ValidationError("Only the panel's members are on the pick list; add "
                                  "others as guests.", field="present")
        checked_guests = []
        for g in guests:
            if not g.name.strip():
                raise ValidationError("Name each guest.", field="guests")
            checked_guests.append(Guest(" ".join(g.name.split()), vocabulary.check(
                session, vocabulary.AGENCY, g.agency, "guests"), g.present))
        session.execute(delete(MeetingAttendance).where(
            MeetingAttendance.meeting_id == meeting_id))
        for uid, is_present in [(u, True) for u in present] + [(u, False) for u in apologies]:
            m, u = memberships[uid]
            agency = vocabulary.check(session, vocabulary.AGENCY,
                                      agencies.get(uid) or m.agency or DEFAULT_AGENCY,
                                      "agencies")
            m.agency = agency
            session.add(MeetingAttendance(meeting_id=meeting_id, attendee=u.display_name,
                                          agency=agency, present=is_present, user_id=uid,
                                          role="chair" if m.is_chair else "member"))
        for g in checked_guests:
            session.add(MeetingAttendance(meeting_id=meeting_id, attendee=g.name,
                                          agency=g.agency, present=g.present, role="guest"))
        session.flush()
        audit.record(ws, session, "meeting.attendance", "meeting", meeting_id,
                     detail={"present": len(present), "apologies": len(apologies),
                             "guests": len(checked_guests)})
        rows = session.scalars(select(MeetingAttendance).where(
            MeetingAttendance.meeting_id == meeting_id).order_by(MeetingAttendance.id))
        return [attendance_view(a) for a in rows]

