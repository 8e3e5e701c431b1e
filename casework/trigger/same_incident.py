"""Likely same-incident complaints: one event reported to several agencies counts once
towards the Community Trigger threshold, but officers rarely type the same incident key.

``suggest`` proposes groups of an application's complaints (``incidents.group``: made to
different agencies about the same or an adjacent day, the place or description agreeing).
Nothing changes until a person confirms a group with ``confirm``, which gives its
complaints one incident key (audited), or rejects it with ``reject``: its complaints are
then never suggested together again (audited). A suggestion carries complaint ids and the
reasons only, never the free text. Once the threshold decision is recorded, the count it
rests on is fixed: confirming or rejecting a group is refused (``DECIDED``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.core import audit
from casework.core.context import Workspace
from casework.core.errors import ValidationError
from casework.core.permissions import require
from casework.trigger.applications import load_application, reported
from casework.trigger.incidents import Reported, SameIncident, group, parse_not_same_as
from db.models import TriggerComplaint

DECIDED = ("The threshold decision has been recorded: the complaints it counted can no "
           "longer be grouped as one incident or set apart.")


def not_same_as(c: TriggerComplaint) -> frozenset[int]:
    """The complaints a person said this one does not report the same incident as."""
    return parse_not_same_as(c.not_same_as)


def suggest(ws: Workspace, case_id: int) -> list[SameIncident]:
    """Likely same-incident groups among the application's complaints, for a person to
    confirm or reject (reading the complaints to compare them is audited)."""
    require(ws.actor, "case.read")
    with ws.uow() as session:
        load_application(ws, session, case_id)
        rows = list(session.scalars(select(TriggerComplaint).where(
            TriggerComplaint.case_id == case_id).order_by(TriggerComplaint.id)))
        out = group([reported(c) for c in rows])
        audit.record(ws, session, "view", "case", case_id,
                     detail={"part": "same_incident", "suggested": len(out)})
        return out


def _members(ws: Workspace, session: Session, case_id: int,
             complaint_ids: Sequence[int]) -> list[TriggerComplaint]:
    ids = sorted(set(complaint_ids))
    if len(ids) < 2:
        raise ValidationError("Choose at least two complaints about the same incident.",
                              field="complaints")
    _case, app = load_application(ws, session, case_id)
    if app.threshold_met is not None:
        raise ValidationError(DECIDED, field="threshold_met")
    rows = list(session.scalars(select(TriggerComplaint).where(
        TriggerComplaint.case_id == case_id, TriggerComplaint.id.in_(ids))))
    if len(rows) != len(ids):
        raise ValidationError("Those complaints are not all on this application.",
                              field="complaints")
    return rows


def confirm(ws: Workspace, case_id: int, complaint_ids: tuple[int, ...] | list[int]) -> str:
    """A person confirms that these complaints report one incident: they get one incident
    key (an existing key of one of them, or a new one) and count once. Audited."""
    require(ws.actor, "case.write")
    with ws.uow() as session:
        rows = _members(ws, session, case_id, complaint_ids)
        ids = sorted(c.id for c in rows)
        keys = sorted({c.incident_key for c in rows if c.incident_key})
        key = keys[0] if keys else f"incident-{ids[0]}"
        for c in rows:
            c.incident_key = key
        audit.record(ws, session, "trigger.same_incident", "case", case_id,
                     detail={"complaints": ids})
        return key


def reject(ws: Workspace, case_id: int, complaint_ids: tuple[int, ...] | list[int]) -> None:
    """A person says these complaints are not one incident: each keeps counting on its
    own, and they are not suggested together again. Audited."""
    require(ws.actor, "case.write")
    with ws.uow() as session:
        rows = _members(ws, session, case_id, complaint_ids)
        ids = sorted(c.id for c in rows)
        for c in rows:
            c.not_same_as = json.dumps(sorted(not_same_as(c) | (set(ids) - {c.id})))
        audit.record(ws, session, "trigger.not_same_incident", "case", case_id,
                     detail={"complaints": ids})


__all__ = ["DECIDED", "Reported", "SameIncident", "confirm", "group", "not_same_as", "reject",
           "suggest"]
