"""Which complaints on a Community Trigger application look like one incident reported to
several agencies, compared on plain data (no database, no clock).

Two complaints are alike when they went to different agencies about behaviour on the same
or an adjacent day and their place or description agree (words in common, after case
folding and dropping common words). ``group`` joins alike complaints into groups; a group
never holds two complaints a person said report different incidents (``not_same_as``).
A group carries complaint ids and the reasons only, never the free text.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

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
    # Told apart: said to differ, or to differ from a report already confirmed as the
    # same incident (one incident key) as the other.
    mates: dict[str, set[int]] = {}
    for c in rows:
        if c.incident_key:
            mates.setdefault(c.incident_key, set()).add(c.id)

    def incident(i: int) -> set[int]:
        key = by_id[i].incident_key if i in by_id else ""
        return mates[key] if key else {i}

    differs: dict[int, set[int]] = {c.id: set() for c in rows}
    for c in rows:
        for other in c.not_same_as:
            for i in incident(c.id):
                for j in incident(other):
                    if j in differs:
                        differs[i].add(j)
                        differs[j].add(i)

    def apart(g: int, h: int) -> bool:
        return any(j in differs[i] for i in members[g] for j in members[h])

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


def parse_not_same_as(stored: str | None) -> frozenset[int]:
    """The ids kept in a complaint's ``not_same_as`` column (a JSON list)."""
    try:
        ids = json.loads(stored or "[]")
    except ValueError:
        return frozenset()
    return frozenset(int(i) for i in ids) if isinstance(ids, list) else frozenset()
