"""The chair's hand on the agenda: order its items, add a referral, take one off with a
recorded reason (each change audited, the reason with it)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from casework.core import audit
from casework.core.context import Workspace
from casework.core.errors import NotFound, ValidationError
from casework.panels.meetings import (
    MeetingView,
    _last_order,
    _meeting,
    _meeting_view,
    _require_chair,
)
from casework.panels.referrals import load_referral
from db.models import MeetingItem

REASON_MAX = 200


def _reason(text: str) -> str:
    reason = " ".join(text.split())
    if not reason:
        raise ValidationError("Give the reason: it is kept with the agenda's history.",
                              field="reason")
    if len(reason) > REASON_MAX:
        raise ValidationError(f"Keep the reason under {REASON_MAX} characters.",
                              field="reason")
    return reason


def order_agenda(ws: Workspace, meeting_id: int, case_ids: Sequence[int]) -> MeetingView:
    """Put the agenda in the order of ``case_ids``: every item on it, each once."""
    with ws.uow() as session:
        meeting = _meeting(session, meeting_id)
        _require_chair(ws, meeting.panel_id)
        items = {i.case_id: i for i in session.scalars(select(MeetingItem).where(
            MeetingItem.meeting_id == meeting_id, MeetingItem.removed.is_(False)))}
        if sorted(case_ids) != sorted(items) or len(set(case_ids)) != len(case_ids):
            raise ValidationError("Order every item on the agenda, each once (the agenda "
                                  "changed: open the meeting again).", field="order")
        for n, case_id in enumerate(case_ids, 1):
            items[case_id].order = n
        session.flush()
        audit.record(ws, session, "meeting.agenda.order", "meeting", meeting_id,
                     detail={"items": len(case_ids)})
        return _meeting_view(session, meeting, ws)


def move_item(ws: Workspace, meeting_id: int, case_id: int, by: int) -> MeetingView:
    """Move one item ``by`` places (negative: up), within the agenda."""
    with ws.uow() as session:
        meeting = _meeting(session, meeting_id)
        _require_chair(ws, meeting.panel_id)
        order = list(session.scalars(select(MeetingItem.case_id).where(
            MeetingItem.meeting_id == meeting_id, MeetingItem.removed.is_(False))
            .order_by(MeetingItem.order, MeetingItem.id)))
    if case_id not in order:
        raise NotFound("That referral is not on the agenda.")
    at = order.index(case_id)
    order.insert(max(0, min(len(order) - 1, at + by)), order.pop(at))
    return order_agenda(ws, meeting_id, order)


def add_item(ws: Workspace, meeting_id: int, case_id: int, reason: str) -> MeetingView:
    """Add a referral the chair may see to the agenda, at its end (reason recorded)."""
    why = _reason(reason)
    with ws.uow() as session:
        meeting = _meeting(session, meeting_id)
        _require_chair(ws, meeting.panel_id)
        case, _ref = load_referral(ws, session, case_id)
        if case.status != "open":
            raise ValidationError("That referral is closed: reopen it to discuss it.",
                                  field="case_id")
        item = session.scalar(select(MeetingItem).where(MeetingItem.meeting_id == meeting_id,
                                                        MeetingItem.case_id == case_id))
        if item is not None and not item.removed:
            raise ValidationError("That referral is already on the agenda.", field="case_id")
        order = _last_order(session, meeting_id) + 1
        if item is None:
            session.add(MeetingItem(meeting_id=meeting_id, case_id=case_id, order=order,
                                    reason="added"))
        else:
            item.removed, item.removed_reason, item.order = False, "", order
        session.flush()
        audit.record(ws, session, "meeting.agenda.add", "case", case_id, reason=why,
                     detail={"meeting": meeting_id})
        return _meeting_view(session, meeting, ws)


def remove_item(ws: Workspace, meeting_id: int, case_id: int, reason: str) -> MeetingView:
    """Take a referral off the agenda with a reason; building the agenda again does not
    bring it back. A minuted item stays: its minute is part of the record."""
    why = _reason(reason)
    with ws.uow() as session:
        meeting = _meeting(session, meeting_id)
        _require_chair(ws, meeting.panel_id)
        item = session.scalar(select(MeetingItem).where(MeetingItem.meeting_id == meeting_id,
                                                        MeetingItem.case_id == case_id,
                                                        MeetingItem.removed.is_(False)))
        if item is None:
            raise NotFound("That referral is not on the agenda.")
        if item.discussed:
            raise ValidationError("That referral has been minuted at this meeting: its "
                                  "minute stays on the record.", field="case_id")
        item.removed, item.removed_reason = True, why
        session.flush()
        audit.record(ws, session, "meeting.agenda.remove", "case", case_id, reason=why,
                     detail={"meeting": meeting_id})
        return _meeting_view(session, meeting, ws)
