"""The generator's state: the random source, id counters, row buffers, people and places.

Every row is a plain dict destined for a Core ``insert()``; primary keys are assigned
here so that children can point at parents before anything is written. All randomness
comes from one ``random.Random(seed)`` and nothing iterates over a set or a hash-ordered
collection, so the same seed gives the same rows.
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any, TypeVar

from casework.core import workdays
from casework.demo import names

T = TypeVar("T")
Row = dict[str, Any]


@lru_cache(maxsize=1 << 16)
def add_working_days(start: date, days: int) -> date:
    """``days`` working days after ``start``, by the same calendar as the services
    (remembered: the demo asks the same few thousand questions again and again)."""
    return workdays.add_working_days(start, days)


def stored_stamp(value: datetime) -> str:
    """A timestamp as SQLAlchemy's SQLite dialect stores it (ISO text, microseconds)."""
    return (f"{value.year:04d}-{value.month:02d}-{value.day:02d} {value.hour:02d}:"
            f"{value.minute:02d}:{value.second:02d}.{value.microsecond:06d}")


def stamp(day: date, rng: random.Random) -> str:
    """A working-hours timestamp on ``day``, as stored text (rows only carry it to the
    database, so it is formatted once here rather than converted at the insert)."""
    minute = int(rng.random() * 540)
    return f"{day.isoformat()} {8 + minute // 60:02d}:{minute % 60:02d}:00.000000"


_bisect = bisect.bisect_right
_TIMES = tuple(f" {8 + minute // 60:02d}:{minute % 60:02d}:00.000000" for minute in range(540))


class Weighted:
    """A fast weighted choice over fixed (value, weight) pairs."""

    def __init__(self, pairs: Sequence[tuple[T, float]]) -> None:
        self.values: list[Any] = [v for v, _w in pairs]
        self.cum = list(itertools.accumulate(w for _v, w in pairs))
        self.total = self.cum[-1]

    def __call__(self, rng: random.Random) -> Any:
        return self.values[_bisect(self.cum, rng.random() * self.total)]


@dataclass
class Roster:
    """Who and what the generated cases belong to (ids from the database)."""

    asb_team: int | None = None
    sanctuary_team: int | None = None
    swip_panel: int | None = None
    mart_panel: int | None = None
    asb_officers: list[int | None] = field(default_factory=lambda: [None])
    sanctuary_officers: list[int | None] = field(default_factory=lambda: [None])
    swip_users: list[int | None] = field(default_factory=lambda: [None])
    mart_users: list[int | None] = field(default_factory=lambda: [None])
    swip_chair: int | None = None
    mart_chair: int | None = None
    display: dict[int, str] = field(default_factory=dict)


@dataclass
class Street:
    name: str
    lsoa: str
    postcodes: tuple[str, ...]
    flats: bool


GENDER = Weighted([("female", 48), ("male", 46), ("non_binary", 2), ("other", 1),
                   ("not_known", 3)])


class World:
    """Row buffers plus the factories for people, addresses, tasks and notes."""

    def __init__(self, rng: random.Random, today: date, lsoas: Sequence[str],
                 roster: Roster, first_ids: dict[str, int]) -> None:
        self.rng = rng
        self._random = rng.random  # bound once: the helpers below run millions of times
        self.today = today
        self.start = today - timedelta(days=730)
        self.roster = roster
        self.rows: dict[str, list[Row]] = defaultdict(list)
        self._ids = dict(first_ids)
        self.streets = self._make_streets(sorted(lsoas))
        self.home: dict[int, tuple[int, str]] = {}
        self.home_street: dict[int, Street] = {}
        self.victims: list[int] = []
        self.perpetrators: list[int] = []
        self.subjects: list[int] = []
        self.everyone: list[int] = []
        female = [s + e for s in names.GIVEN_STEMS for e in names.FEMALE_ENDINGS]
        male = [s + e for s in names.GIVEN_STEMS for e in names.MALE_ENDINGS]
        self.given = {"female": female, "male": male}
        self.family = [s + e.lower() for s in names.FAMILY_STEMS for e in names.FAMILY_ENDINGS]

    # -- plumbing -------------------------------------------------------------------
    def next_id(self, table: str) -> int:
        value = self._ids.get(table, 1)
        self._ids[table] = value + 1
        return value

    def add(self, table: str, row: Row) -> None:
        self.rows[table].append(row)

    def take_rows(self) -> dict[str, list[Row]]:
        rows, self.rows = self.rows, defaultdict(list)
        return rows

    def pick(self, seq: Sequence[T]) -> T:
        return seq[int(self._random() * len(seq))]

    def chance(self, p: float) -> bool:
        return self._random() < p

    def between(self, lo: int, hi: int) -> int:
        """An integer from lo to hi inclusive."""
        return lo + int(self._random() * (hi - lo + 1))

    def sample(self, seq: Sequence[T], lo: int, hi: int) -> list[T]:
        return self.rng.sample(list(seq), min(len(seq), self.between(lo, hi)))

    def stamp(self, day: date) -> str:
        """``stamp`` (the same draw, the same text), with the times of day made once."""
        if day > self.today:
            day = self.today
        return day.isoformat() + _TIMES[int(self._random() * 540)]

    # -- places ---------------------------------------------------------------------
    def _make_streets(self, lsoas: list[str]) -> list[Street]:
        stems = [a + b for a in names.STREET_STEMS for b in names.STREET_ENDINGS]
        self.rng.shuffle(stems)
        streets = []
        for i, stem in enumerate(stems):
            lsoa = lsoas[i % len(lsoas)] if i < len(lsoas) else self.pick(lsoas)
            district = 1 + lsoas.index(lsoa) % 4
            sector = self.between(1, 9)
            codes = tuple(
                f"OX{district} {sector}{self.pick(names.POSTCODE_LETTERS)}"
                f"{self.pick(names.POSTCODE_LETTERS)}" for _ in range(self.between(1, 3)))
            streets.append(Street(f"{stem} {self.pick(names.STREET_KINDS)}", lsoa, codes,
                                  self.chance(0.25)))
        return streets

    def new_address(self, street: Street | None = None) -> tuple[int, str]:
        """A new synthetic address; returns (address id, LSOA code)."""
        s = street or self.pick(self.streets)
        aid = self.next_id("addresses")
        line2 = ""
        if s.flats:
            line1 = f"Flat {self.between(1, 40)}, {self.pick(names.BLOCK_NAMES)}"
            line2 = f"{self.between(1, 90)} {s.name}"
        else:
            line1 = f"{self.between(1, 180)} {s.name}"
        self.add("addresses", {"id": aid, "line1": line1, "line2": line2, "town": names.TOWN,
                               "postcode": self.pick(s.postcodes), "lsoa_code": s.lsoa})
        return aid, s.lsoa

    # -- people ---------------------------------------------------------------------
    def new_person(self, on: date, min_age: int, max_age: int, *, gender: str | None = None,
                   repeat_victim: bool = False, hate: bool = False,
                   consent: str = "not_sought") -> int:
        """A new synthetic person with a current address (and sometimes aliases)."""
        rng = self.rng
        pid = self.next_id("people")
        g = gender or GENDER(rng)
        given = self.pick(self.given.get(g) or self.given[self.pick(("female", "male"))])
        family = self.pick(self.family)
        dob = on - timedelta(days=self.between(min_age * 365, max_age * 365 + 364))
        phone = (f"07700 900{self.between(0, 999):03d}" if self.chance(0.8)
                 else f"01632 960{self.between(0, 999):03d}") if self.chance(0.85) else ""
        email = f"{given.lower()}.{family.lower()}@example.org" if self.chance(0.4) else ""
        created = self.stamp(on)
        self.add("people", {
            "id": pid, "given_name": given, "family_name": family, "date_of_birth": dob,
            "gender": g, "phone": phone, "email": email,
            "flag_mental_health": self.chance(0.12), "flag_disability": self.chance(0.08),
            "flag_age": min_age >= 65 or self.chance(0.04), "flag_repeat_victim": repeat_victim,
            "flag_hate_motivated": hate, "consent": consent, "notes": "",
            "merged_into_id": None, "anonymised": False, "created_at": created,
            "updated_at": created,
        })
        street = self.pick(self.streets)
        aid, lsoa = self.new_address(street)
        self.add("person_addresses", {"id": self.next_id("person_addresses"), "person_id": pid,
                                      "address_id": aid, "current": True,
                                      "from_date": on - timedelta(days=self.between(30, 3000)),
                                      "to_date": None})
        if self.chance(0.1):
            old, _lsoa = self.new_address()
            self.add("person_addresses", {"id": self.next_id("person_addresses"),
                                          "person_id": pid, "address_id": old,
                                          "current": False, "from_date": None,
                                          "to_date": on - timedelta(days=self.between(60, 900))})
        if self.chance(0.15):
            alias = (f"{given[:3]}{self.pick(('zy', 'bo', 'ie'))}" if self.chance(0.5)
                     else f"{given} {self.pick(self.family)}")
            self.add("person_aliases", {"id": self.next_id("person_aliases"),
                                        "person_id": pid, "alias": alias})
        self.home[pid] = (aid, lsoa)
        self.home_street[pid] = street
        self.everyone.append(pid)
        return pid

    def reuse(self, pool: list[int], p: float) -> int | None:
        """Someone already known (from ``pool``) with probability ``p``."""
        if pool and self._random() < p:
            return pool[int(self._random() * len(pool))]
        return None

    def party(self, case_id: int, person_id: int, role: str, agency: str = "") -> None:
        self.add("case_parties", {"id": self.next_id("case_parties"), "case_id": case_id,
                                  "person_id": person_id, "role": role, "agency": agency})

    def professional(self) -> str:
        """A synthetic professional's name (for meetings, referrers, action owners)."""
        g = self.pick(("female", "male"))
        return f"{self.pick(self.given[g])} {self.pick(self.family)}"

    # -- work across all types ----------------------------------------------------------
    def task(self, case_id: int, kind: str, title: str, due: date, user: int | None,
             team: int | None, completed: date | None = None) -> None:
        self.add("tasks", {"id": self.next_id("tasks"), "case_id": case_id, "kind": kind,
                           "title": title, "due_on": due, "assigned_user_id": user,
                           "team_id": team, "completed_on": completed,
                           "created_at": self.stamp(due - timedelta(days=14))})

    def open_tasks(self, case_id: int, kind: str, title: str, user: int | None,
                   team: int | None) -> None:
        """An open task that is overdue, due this week, or due later."""
        r = self.rng.random()
        if r < 0.3:
            due = self.today - timedelta(days=self.between(1, 30))
        elif r < 0.6:
            due = self.today + timedelta(days=self.between(0, 6))
        else:
            due = self.today + timedelta(days=self.between(7, 60))
        self.task(case_id, kind, title, due, user, team)

    def notes(self, case_id: int, author: int | None, first: date, last: date,
              count: int) -> None:
        span = max(0, (last - first).days)
        for _ in range(count):
            day = first + timedelta(days=int(self.rng.random() * (span + 1)))
            self.add("notes", {"id": self.next_id("notes"), "case_id": case_id,
                               "author_id": author, "created_at": self.stamp(day),
                               "body": self.pick(names.NOTE_TEXT),
                               "shareable": self.chance(0.2)})

    def case(self, case_id: int, reference: str, case_type: str, opened: date,
             closed: date | None, outcome: str | None, owner: int | None, team: int | None,
             panel: int | None, risk: str, address: tuple[int, str] | None,
             next_review: date | None) -> None:
        created = self.stamp(opened)
        self.add("cases", {
            "id": case_id, "reference": reference, "case_type": case_type,
            "status": "closed" if closed else "open", "opened_on": opened,
            "closed_on": closed, "outcome": outcome if closed else None, "owner_id": owner,
            "team_id": team, "panel_id": panel, "risk_level": risk,
            "address_id": address[0] if address else None,
            "lsoa_code": address[1] if address else self.pick(self.streets).lsoa,
            "summary": names.CASE_SUMMARY[case_type],
            "next_review_on": None if closed else next_review, "anonymised_at": None,
            "created_at": created, "updated_at": self.stamp(closed or opened),
        })

    def close_date(self, opened: date, lo: int, hi: int) -> date | None:
        """A closing date lo..hi days after opening, or None if that is still to come."""
        closed = opened + timedelta(days=self.between(lo, hi))
        return closed if closed <= self.today else None
