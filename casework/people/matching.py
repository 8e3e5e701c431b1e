"""Likely duplicate people, scored, so that adding a person can link instead of creating.

A score out of 100 combines:
- name similarity (rapidfuzz ratio on normalised names), against the person's name and
  aliases, including the given and family names swapped and a shortened given name
  (Jon/Jonathan): up to 55 points, and nothing below 60% similarity;
- date of birth: 30 points if equal, 20 if day and month are swapped, 15 if one digit
  differs (a typing slip), minus 20 if both are known and differ otherwise;
- address: 15 points for a shared postcode (current or past), 5 more for the same first line.
Only people the actor may see are offered; each one shown is audited as a ``view``.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from rapidfuzz import fuzz
from sqlalchemy import select

from casework.core import audit
from casework.core.context import Workspace
from casework.core.permissions import require
from casework.people.persons import PersonInput, can_see_person, normalise_postcode
from db.models import Address, Person, PersonAddress, PersonAlias

NAME_WEIGHT = 0.55
NAME_FLOOR = 60.0
DOB_SAME, DOB_SWAPPED, DOB_NEAR, DOB_DIFFERENT = 30, 20, 15, -20
POSTCODE_SAME, ADDRESS_SAME = 15, 5


@dataclass(frozen=True)
class DuplicateMatch:
    """A possible existing record for the person being added."""

    person_id: int
    score: int
    reasons: tuple[str, ...]
    display_name: str
    date_of_birth: date | None
    postcode: str

    def __repr__(self) -> str:  # never print personal data
        return f"DuplicateMatch(person_id={self.person_id}, score={self.score})"


def normalise_name(name: str) -> str:
    """Lower case, accents and punctuation removed, single spaces."""
    decomposed = unicodedata.normalize("NFKD", name)
    letters = "".join(c if c.isalnum() else " " for c in decomposed
                      if not unicodedata.combining(c))
    return " ".join(letters.lower().split())


def name_similarity(given: str, family: str, aliases: tuple[str, ...], other_given: str,
                    other_family: str, other_aliases: list[str]) -> tuple[float, str]:
    """Best similarity (0-100) of a candidate's names to a person's, and why."""
    full = normalise_name(f"{given} {family}")
    swapped = normalise_name(f"{family} {given}")
    theirs = normalise_name(f"{other_given} {other_family}")
    best, why = 0.0, ""

    def consider(score: float, reason: str) -> None:
        nonlocal best, why
        if score > best:
            best, why = score, reason

    consider(fuzz.ratio(full, theirs), "name")
    if swapped != full:
        consider(fuzz.ratio(swapped, theirs) - 0.5, "given and family names swapped")
    g, f = normalise_name(given), normalise_name(family)
    og, of = normalise_name(other_given), normalise_name(other_family)
    if f and f == of and g and og and (og.startswith(g) or g.startswith(og)) and g != og:
        consider(90.0, "same family name, shortened given name")
    for alias in other_aliases:
        a = normalise_name(alias)
        consider(fuzz.ratio(full, a) - 0.5, "matches an alias")
        consider(fuzz.ratio(swapped, a) - 1.0, "matches an alias with names swapped")
    for own in aliases:
        consider(fuzz.ratio(normalise_name(own), theirs) - 0.5, "alias matches the name")
    return max(best, 0.0), why


def transposed(a: str, b: str) -> bool:
    """True when ``b`` is ``a`` with two digits swapped (1984 / 1948, 12 / 21): the usual
    slip in typing a date, adjacent or not, within one field or across them."""
    diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    return (len(diff) == 2 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
            and a[diff[0]].isdigit() and a[diff[1]].isdigit())


def _dob_points(mine: date | None, theirs: date | None) -> tuple[int, str]:
    if mine is None or theirs is None:
        return 0, ""
    if mine == theirs:
        return DOB_SAME, "same date of birth"
    if (mine.year == theirs.year and mine.day == theirs.month
            and mine.month == theirs.day):
        return DOB_SWAPPED, "date of birth with day and month swapped"
    a, b = mine.isoformat(), theirs.isoformat()
    if sum(x != y for x, y in zip(a, b, strict=True)) == 1:
        return DOB_NEAR, "date of birth differs by one digit"
    if transposed(a, b):
        return DOB_NEAR, "date of birth with two digits transposed"
    return DOB_DIFFERENT, "different date of birth"


def find_duplicates(ws: Workspace, candidate: PersonInput, *, min_score: int = 50,
                    limit: int = 10, exclude_id: int | None = None) -> list[DuplicateMatch]:
    """People who may be the candidate, best first, that the actor may see."""
    require(ws.actor, "people.read")
    postcode = normalise_postcode(candidate.address.postcode) if candidate.address else ""
    line1 = normalise_name(candidate.address.line1) if candidate.address else ""
    with ws.uow() as session:
        aliases: dict[int, list[str]] = defaultdict(list)
        for pid, alias in session.execute(select(PersonAlias.person_id, PersonAlias.alias)):
            aliases[pid].append(alias)
        places: dict[int, list[tuple[str, str, bool]]] = defaultdict(list)
        for pid, pc, l1, current in session.execute(
                select(PersonAddress.person_id, Address.postcode, Address.line1,
                       PersonAddress.current).join(Address)):
            places[pid].append((pc, normalise_name(l1), current))
        scored: list[tuple[int, int, tuple[str, ...]]] = []
        rows = session.execute(
            select(Person.id, Person.given_name, Person.family_name, Person.date_of_birth)
            .where(Person.merged_into_id.is_(None), Person.anonymised.is_(False)))
        for pid, given, family, dob in rows:
            if pid == exclude_id:
                continue
            similarity, why = name_similarity(candidate.given_name, candidate.family_name,
                                              candidate.aliases, given, family, aliases[pid])
            if similarity < NAME_FLOOR:
                continue
            reasons = [why if why != "name" else
                       ("name matches" if similarity >= 99.5
                        else f"name similar ({similarity:.0f}%)")]
            points = similarity * NAME_WEIGHT
            dob_points, dob_why = _dob_points(candidate.date_of_birth, dob)
            points += dob_points
            if dob_why:
                reasons.append(dob_why)
            same_pc = [p for p in places[pid] if postcode and p[0] == postcode]
            if same_pc:
                points += POSTCODE_SAME
                reasons.append("same postcode")
                if line1 and any(fuzz.ratio(line1, p[1]) >= 85 for p in same_pc):
                    points += ADDRESS_SAME
                    reasons.append("same address")
            score = max(0, min(100, round(points)))
            if score >= min_score:
                scored.append((score, pid, tuple(reasons)))
        scored.sort(key=lambda s: (-s[0], s[1]))
        out: list[DuplicateMatch] = []
        for score, pid, why_all in scored:
            if len(out) >= limit:
                break
            if not can_see_person(ws, session, pid):
                continue
            person = session.get(Person, pid)
            assert person is not None
            current_pc = next((p[0] for p in places[pid] if p[2]), "")
            out.append(DuplicateMatch(pid, score, why_all,
                                      f"{person.given_name} {person.family_name}".strip(),
                                      person.date_of_birth, current_pc))
            audit.record(ws, session, "view", "person", pid,
                         detail={"part": "duplicate_match", "score": score})
        return out
