"""Likely same-incident complaints: one event reported to several agencies counts once
towards the Community Trigger threshold, but officers rarely type the same incident key.

``suggest`` proposes groups of complaints on one application made to different agencies
about behaviour on the same or an adjacent day, whose place or description agree (words
in common, after case folding and dropping common words). Nothing changes until a person
confirms a group with ``confirm``, which gives its complaints one incident key (audited),
or rejects it with ``reject``: its complaints are then never suggested together again
(audited). A suggestion carries complaint ids and the reasons only, never the free text.
``group`` does the comparing on plain data, so a form can suggest before anything is saved.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.core import audit
from casework.core.context import Workspace
from casework.core.errors import ValidationError
from casework.core.permissions import require
from casework.trigger.applications import load_application
from db.models import TriggerComplaint

DAYS_APART = 1  # same day, or reported the next day
DESCRIPTION_OVERLAP = 0.4  # share of the shorter description's words in common
STOP = frozenset({"a", "an", "and", "are", "as", "at", "by", "for", "from", "in", "into",
                  "is", "it", "its", "of", "on", "or", "our", "the", "their", "there",
                  "they", "this", "to", "was", "were", "with", "outside", "near", "next",
                  "again", "very", "my", "me", "we", "us", "he", "she", "his", "her",
                  "him", "them", "who", "which", "that", "had", "has", "have", "been",
                  "be", "being", "not", "no", "so", "than", "then"})
_REASON_ORDER = ("same day", "a day apart", "same place", "similar description")
_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class SameIncident:
    """A likely group: complaint ids, the agencies they went to, and why (no free text)."""

    complaint_ids: tuple[int, ...]
    agencies: tuple[str, ...]
    reasons: tuple[str, ...]


@dataclass(frozen=True, repr=False)
class Reported:
    """What the comparison reads of a complaint (``not_same_as``: the ids of complaints a
    person said report another incident)."""

    id: int
    agency: str
    behaviour_on: date
    place: str = ""
    description: str = ""
    incident_key: str = ""
    not_same_as: frozenset[int] = frozenset()

    def __repr__(self) -> str:  # the place and description are free text
        return f"Reported(id={self.id!r}, agency={self.agency!r})"


def _words(text: str) -> frozenset[str]:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return frozenset(w for w in _WORD.findall(folded) if w not in STOP and len(w) > 1)


def _overlap(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def _why(a: Reported, b: Reported) -> list[str]:
    """The reasons two complaints look like one incident (empty: they do not)."""
    if a.agency == b.agency or abs((a.behaviour_on - b.behaviour_on).days) > DAYS_APART:
        return []
    if a.incident_key and a.incident_key == b.incident_key:
        return []  # already one incident
    if b.id in a.not_same_as or a.id in b.not_same_as:
        return []  # a person said they are not
    reasons = []
    pa, pb = _words(a.place or ""), _words(b.place or "")
    if pa and pb and (pa <= pb or pb <= pa or _overlap(pa, pb) >= 0.5):
        reasons.append("same place")
    if _overlap(_words(a.description or ""), _words(b.description or "")) \
            >= DESCRIPTION_OVERLAP:
        reasons.append("similar description")
    if not reasons:
        return []
    day = "same day" if a.behaviour_on == b.behaviour_on else "a day apart"
    return [day, *reasons]


def group(complaints: Sequence[Reported]) -> list[SameIncident]:
    """Likely same-incident groups among these complaints (pure: no database). A group
    never holds two complaints a person said report different incidents."""
    rows = sorted(complaints, key=lambda c: c.id)
    by_id = {c.id: c for c in rows}
    member_of = {c.id: c.id for c in rows}  # complaint -> its group's first complaint
    members: dict[int, list[int]] = {c.id: [c.id] for c in rows}
    why: dict[int, set[str]] = {}

    def apart(g: int, h: int) -> bool:
        return any(j in by_id[i].not_same_as or i in by_id[j].not_same_as
                   for i in members[g] for j in members[h])

    for n, a in enumerate(rows):
        for b in rows[n + 1:]:
            reasons = _why(a, b)
            g, h = member_of[a.id], member_of[b.id]
            if not reasons or (g != h and apart(g, h)):
                continue
            if g != h:
                g, h = min(g, h), max(g, h)
                for i in members.pop(h):
                    member_of[i] = g
                    members[g].append(i)
                why.setdefault(g, set()).update(why.pop(h, set()))
            why.setdefault(g, set()).update(reasons)
    return [SameIncident(tuple(sorted(ids)),
                         tuple(sorted({by_id[i].agency for i in ids})),
                         tuple(sorted(why.get(g, set()), key=_REASON_ORDER.index)))
            for g, ids in sorted(members.items()) if len(ids) > 1]


def not_same_as(c: TriggerComplaint) -> frozenset[int]:
    """The complaints a person said this one does not report the same incident as."""
    try:
        ids = json.loads(c.not_same_as or "[]")
    except ValueError:
        return frozenset()
    return frozenset(int(i) for i in ids)


def _reported(c: TriggerComplaint) -> Reported:
    return Reported(c.id, c.agency, c.behaviour_on, c.place or "", c.description or "",
                    c.incident_key or "", not_same_as(c))


def suggest(ws: Workspace, case_id: int) -> list[SameIncident]:
    """Likely same-incident groups among the application's complaints, for a person to
    confirm or reject (reading the complaints to compare them is audited)."""
    require(ws.actor, "case.read")
    with ws.uow() as session:
        load_application(ws, session, case_id)
        rows = list(session.scalars(select(TriggerComplaint).where(
            TriggerComplaint.case_id == case_id).order_by(TriggerComplaint.id)))
        out = group([_reported(c) for c in rows])
        audit.record(ws, session, "view", "case", case_id,
                     detail={"part": "same_incident", "suggested": len(out)})
        return out


def _members(ws: Workspace, session: Session, case_id: int,
             complaint_ids: Sequence[int]) -> list[TriggerComplaint]:
    ids = sorted(set(complaint_ids))
    if len(ids) < 2:
        raise ValidationError("Choose at least two complaints about the same incident.",
                              field="complaints")
    load_application(ws, session, case_id)
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
