"""What every import reads about a person: names, date of birth, gender, contact details
and an address, from columns ``<prefix>_<field>``; dates as ISO or UK text. Problems are
(column, reason) and never repeat the cell's value, so no error message carries personal
data."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from db.models.people import GENDERS

PERSON_FIELDS = ("given_name", "family_name", "dob", "gender", "phone", "email", "address",
                 "town", "postcode")
POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][0-9A-Z]? ?[0-9][A-Z]{2}$")
DATE_HINT = "is not a date (use YYYY-MM-DD or DD/MM/YYYY)"
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
@dataclass(frozen=True, repr=False, slots=True)
class AddressRow:
    line1: str
    town: str
    postcode: str

    def __repr__(self) -> str:
        return "AddressRow(...)"


@dataclass(frozen=True, repr=False, slots=True)
class PersonRow:
    given_name: str
    family_name: str
    date_of_birth: date | None
    gender: str
    phone: str
    email: str
    address: AddressRow | None = None

    def __repr__(self) -> str:  # never print personal data
        return "PersonRow(...)"


def parse_date(text: str) -> date | None:
    """ISO (2026-07-01) or UK (01/07/2026) dates; None if blank; ValueError if bad."""
    if not text:
        return None
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise ValueError(text) from None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def parse_person(prefix: str, v: dict[str, str], today: date,
            problems: list[tuple[str, str]]) -> PersonRow | None:
    cells = {f: v.get(f"{prefix}_{f}", "") for f in PERSON_FIELDS}
    if not any(cells.values()):
        return None
    if not cells["family_name"]:
        problems.append((f"{prefix}_family_name", "is required when any "
                         f"{prefix} detail is given"))
    dob = None
    try:
        dob = parse_date(cells["dob"])
    except ValueError:
        problems.append((f"{prefix}_dob", DATE_HINT))
    if dob is not None and not date(1900, 1, 1) <= dob <= today:
        problems.append((f"{prefix}_dob", "is not a plausible date of birth"))
    gender = (cells["gender"] or "not_known").lower().replace(" ", "_").replace("-", "_")
    if gender not in GENDERS:
        problems.append((f"{prefix}_gender", f"must be one of: {', '.join(GENDERS)}"))
    if cells["email"] and not EMAIL.match(cells["email"]):
        problems.append((f"{prefix}_email", "is not an email address"))
    for f in ("given_name", "family_name", "phone", "email"):
        if any(ord(ch) < 32 or ord(ch) == 127 for ch in cells[f]):
            problems.append((f"{prefix}_{f}", "contains a control character"))
    for f, limit in (("given_name", 80), ("family_name", 80), ("phone", 40), ("email", 120)):
        if len(cells[f]) > limit:
            problems.append((f"{prefix}_{f}", f"is longer than {limit} characters"))
    address = parse_address(v, f"{prefix}_", problems)
    return PersonRow(cells["given_name"], cells["family_name"], dob, gender, cells["phone"],
                     cells["email"], address)


def parse_address(v: dict[str, str], prefix: str,
             problems: list[tuple[str, str]]) -> AddressRow | None:
    line1, town = v.get(f"{prefix}address", ""), v.get(f"{prefix}town", "")
    postcode = " ".join(v.get(f"{prefix}postcode", "").upper().split())
    if not (line1 or town or postcode):
        return None
    if not line1:
        problems.append((f"{prefix}address", "is required when a town or postcode is given"))
    if postcode and not POSTCODE.match(postcode):
        problems.append((f"{prefix}postcode", "is not a UK postcode"))
    for name, value, limit in (("address", line1, 160), ("town", town, 80)):
        if len(value) > limit:
            problems.append((f"{prefix}{name}", f"is longer than {limit} characters"))
    if postcode and " " not in postcode:
        postcode = f"{postcode[:-3]} {postcode[-3:]}"
    return AddressRow(line1, town, postcode)


def cell_date(v: dict[str, str], name: str, problems: list[tuple[str, str]]) -> date | None:
    try:
        return parse_date(v.get(name, ""))
    except ValueError:
        problems.append((name, DATE_HINT))
        return None



def person_columns(prefix: str) -> tuple[str, ...]:
    return tuple(f"{prefix}_{f}" for f in PERSON_FIELDS)


def flag(v: dict[str, str], name: str, problems: list[tuple[str, str]]) -> bool:
    """A yes/no cell (blank is no)."""
    text = (v.get(name, "") or "no").lower()
    if text not in ("yes", "no", "true", "false", "y", "n", "1", "0"):
        problems.append((name, "must be yes or no"))
    return text in ("yes", "true", "y", "1")


def codes(v: dict[str, str], name: str) -> list[str]:
    """A list of codes in one cell, separated by "|"."""
    return [c.strip().lower() for c in v.get(name, "").split("|") if c.strip()]


class PeopleMatcher:
    """Find or create the people of an import in the caller's unit of work: a person of
    the same name and date of birth whom the importer may see is reused, once read;
    anyone else (a person behind a compartment included) is created afresh."""

    def __init__(self, ws: Any, session: Any) -> None:
        from sqlalchemy import select

        from casework.cases.search import person_visible
        from db.models import Person

        self.session = session
        self.created = self.matched = 0
        self.index: dict[tuple[str, str, date], int] = {}
        for pid, given, family, dob in session.execute(
                select(Person.id, Person.given_name, Person.family_name, Person.date_of_birth)
                .where(Person.date_of_birth.is_not(None), Person.merged_into_id.is_(None),
                       Person.anonymised.is_(False), person_visible(ws)).order_by(Person.id)):
            if dob is not None:
                self.index.setdefault((given.lower(), family.lower(), dob), pid)

    def get(self, p: PersonRow) -> int:
        from db.models import Address, Person, PersonAddress

        key = (p.given_name.lower(), p.family_name.lower(), p.date_of_birth) \
            if p.date_of_birth is not None else None
        if key is not None and key in self.index:
            self.matched += 1
            return self.index[key]
        person = Person(given_name=p.given_name, family_name=p.family_name,
                        date_of_birth=p.date_of_birth, gender=p.gender, phone=p.phone,
                        email=p.email)
        self.session.add(person)
        self.session.flush()
        if p.address is not None:
            address = Address(line1=p.address.line1, town=p.address.town,
                              postcode=p.address.postcode)
            self.session.add(address)
            self.session.flush()
            self.session.add(PersonAddress(person_id=person.id, address_id=address.id))
        self.created += 1
        if key is not None:
            self.index[key] = person.id
        return int(person.id)
