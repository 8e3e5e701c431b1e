"""What panel referrals and panel meetings share: the referral types, an agency action's
read model, and loading a referral with its permission check.

Kept apart from ``casework.panels`` (referrals and actions) and ``casework.meetings``
(meetings) so that each of those imports this module and neither imports the other at
import time: ``import casework.meetings`` works on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from casework.cases.lifecycle import load_case
from casework.cases.workflow import SafeRepr
from casework.core.context import Workspace
from casework.core.errors import NotFound
from db.models import Case, PanelAction, Referral

REFERRAL_TYPES = ("swip", "mart")


@dataclass(frozen=True, repr=False)
class ActionView(SafeRepr):
    """An action for one agency on one referral."""

    id: int
    case_id: int
    meeting_id: int | None
    agency: str
    owner: str
    description: str
    shareable: bool
    due_on: date
    completed_on: date | None


def action_view(a: PanelAction) -> ActionView:
    """The read model of a stored action."""
    return ActionView(a.id, a.case_id, a.meeting_id, a.agency, a.owner, a.description,
                      a.shareable, a.due_on, a.completed_on)


def load_referral(ws: Workspace, session: Session, case_id: int) -> tuple[Case, Referral]:
    """A referral the actor's panel holds (PermissionDenied otherwise)."""
    case = load_case(ws, session, case_id)
    ref = session.get(Referral, case_id)
    if case.case_type not in REFERRAL_TYPES or ref is None:
        raise NotFound("No such referral.")
    return case, ref
