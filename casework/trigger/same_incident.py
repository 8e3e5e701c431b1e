"""Likely same-incident complaints: one event reported to several agencies counts once
towards the Community Trigger threshold, but officers rarely type the same incident key.

``suggest`` proposes groups of complaints on one application made to different agencies
about behaviour on the same or an adjacent day, whose place or description agree (words
in common, after case folding and dropping common words). Nothing changes until a person
confirms a group with ``confirm``, which gives its complaints one incident key (audited).
A suggestion carries complaint ids and the reasons only, never the free text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import select

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
_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class SameIncident:
    """A likely group: complaint ids, the agencies they went to, and why (no free text)."""

    complaint_ids: tuple[int, ...]
    agencies: tuple[str, ...]
    reasons: tuple[str, ...]


def _words(text: str) -> frozenset[str]:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return frozenset(w for w in _WORD.findall(folded) if w not in STOP and len(w) > 1)


def _overlap(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def _why(a: TriggerComplaint, b: TriggerComplaint) -> list[str]:
    """The reasons two complaints look like one incident (empty: they do not)."""
    if a.agency == b.agency or abs((a.behaviour_on - b.behaviour_on).days) > DAYS_APART:
        return []
    if a.incident_key and a.incident_key == b.incident_key:
        return []  # already one incident
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


def suggest(ws: Workspace, case_id: int) -> list[SameIncident]:
    """Likely same-incident groups among the application's complaints, for a person to
    confirm or ignore (reading the complaints to compare them is audited)."""
    require(ws.actor, "case.read")
    with ws.uow() as session:
        load_application(ws, session, case_id)
        rows = list(session.scalars(select(TriggerComplaint).where(
            TriggerComplaint.case_id == case_id).order_by(TriggerComplaint.id)))
        parent = {c.id: c.id for c in rows}

        def root(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        pairs: list[tuple[int, list[str]]] = []
        for n, a in enumerate(rows):
            for b in rows[n + 1:]:
                reasons = _why(a, b)
                if reasons:
                    parent[root(b.id)] = root(a.id)
                    pairs.append((a.id, reasons))
        why: dict[int, set[str]] = {}
        for a_id, reasons in pairs:
            why.setdefault(root(a_id), set()).update(reasons)
        groups: dict[int, list[TriggerComplaint]] = {}
        for c in rows:
            groups.setdefault(root(c.id), []).append(c)
        out = [SameIncident(tuple(c.id for c in members),
                            tuple(sorted({c.agency for c in members})),
                            tuple(sorted(why.get(r, set()))))
               for r, members in groups.items() if len(members) > 1]
        audit.record(ws, session, "view", "case", case_id,
                     detail={"part": "same_incident", "suggested": len(out)})
        return out


def confirm(ws: Workspace, case_id: int, complaint_ids: tuple[int, ...] | list[int]) -> str:
    """A person confirms that these complaints report one incident: they get one incident
    key (an existing key of one of them, or a new one) and count once. Audited."""
    require(ws.actor, "case.write")
    ids = sorted(set(complaint_ids))
    if len(ids) < 2:
        raise ValidationError("Choose at least two complaints about the same incident.",
                              field="complaints")
    with ws.uow() as session:
        load_application(ws, session, case_id)
        rows = list(session.scalars(select(TriggerComplaint).where(
            TriggerComplaint.case_id == case_id, TriggerComplaint.id.in_(ids))))
        if len(rows) != len(ids):
            raise ValidationError("Those complaints are not all on this application.",
                                  field="complaints")
        keys = sorted({c.incident_key for c in rows if c.incident_key})
        key = keys[0] if keys else f"incident-{ids[0]}"
        for c in rows:
            c.incident_key = key
        audit.record(ws, session, "trigger.same_incident", "case", case_id,
                     detail={"complaints": ids})
        return key
