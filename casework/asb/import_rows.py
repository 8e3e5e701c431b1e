"""The spreadsheet layout of ``casework-cli import cases`` and the parsing of one row.

Problems are reported as (column, reason) and never repeat the cell's value, so an error
message cannot carry personal data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from casework.cases.lifecycle import OUTCOMES
from db.models.asb import ASB_CATEGORIES, INCIDENT_SOURCES
from db.models.cases import RISK_LEVELS
from db.models.people import GENDERS

PERSON_FIELDS = ("given_name", "family_name", "dob", "gender", "phone", "email", "address",
                 "town", "postcode")
ADDRESS_FIELDS = ("address", "town", "postcode")
COLUMNS = (
    "reference_external", "opened_on", "category", "subcategory", "risk_level", "lsoa_code",
    "status", "closed_on", "outcome", "first_contact_on", "incident_count", "summary",
    "address", "town", "postcode",
    *(f"complainant_{f}" for f in PERSON_FIELDS), *(f"subject_{f}" for f in PERSON_FIELDS),
)
REQUIRED = ("opened_on", "category")
# the incidents sheet (or file): one row per incident of a case imported beside it
INCIDENT_COLUMNS = ("reference_external", "occurred_on", "reported_on", "location",
                    "lsoa_code", "source", "police_reference", "hate_motivated",
                    "description")
INCIDENT_REQUIRED = ("reference_external", "occurred_on")

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


@dataclass(frozen=True, repr=False, slots=True)
class IncidentRow:
    row: int
    reference_external: str
    occurred_on: date
    reported_on: date
    location: str
    lsoa_code: str | None
    source: str
    police_reference: str
    hate_motivated: bool
    description: str

    def __repr__(self) -> str:
        return f"IncidentRow(row={self.row})"


@dataclass(frozen=True, repr=False, slots=True)
class CaseRow:
    row: int
    reference_external: str
    opened_on: date
    category: str
    subcategory: str
    risk_level: str
    lsoa_code: str | None
    status: str
    closed_on: date | None
    outcome: str | None
    first_contact_on: date | None
    incident_count: int
    summary: str
    complainant: PersonRow | None
    subject: PersonRow | None
    address: AddressRow | None = None

    def __repr__(self) -> str:
        return f"CaseRow(row={self.row})"


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


def _person(prefix: str, v: dict[str, str], today: date,
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
    address = _address(v, f"{prefix}_", problems)
    return PersonRow(cells["given_name"], cells["family_name"], dob, gender, cells["phone"],
                     cells["email"], address)


def _address(v: dict[str, str], prefix: str,
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


def _date(v: dict[str, str], name: str, problems: list[tuple[str, str]]) -> date | None:
    try:
        return parse_date(v.get(name, ""))
    except ValueError:
        problems.append((name, DATE_HINT))
        return None


def parse_row(number: int, v: dict[str, str],
              today: date) -> tuple[CaseRow | None, list[tuple[str, str]]]:
    """One row as a CaseRow, or None with the problems found (column, reason)."""
    problems: list[tuple[str, str]] = []
    opened = _date(v, "opened_on", problems)
    if opened is None and not any(f == "opened_on" for f, _m in problems):
        problems.append(("opened_on", "is required"))
    if opened is not None and opened > today:
        problems.append(("opened_on", "is in the future"))
    category = v.get("category", "").lower()
    if category not in ASB_CATEGORIES:
        problems.append(("category", f"must be one of: {', '.join(ASB_CATEGORIES)}"))
    subcategory = v.get("subcategory", "").lower().replace(" ", "_").replace("-", "_")
    if len(subcategory) > 40:
        problems.append(("subcategory", "is longer than 40 characters"))
    risk = (v.get("risk_level", "") or "standard").lower()
    if risk not in RISK_LEVELS:
        problems.append(("risk_level", f"must be one of: {', '.join(RISK_LEVELS)}"))
    status = (v.get("status", "") or "open").lower()
    closed_on = _date(v, "closed_on", problems)
    outcome = v.get("outcome", "").lower().replace(" ", "_") or None
    if status not in ("open", "closed"):
        problems.append(("status", "must be open or closed"))
    elif status == "closed":
        if closed_on is None and not any(f == "closed_on" for f, _m in problems):
            problems.append(("closed_on", "is required for a closed case"))
        if outcome not in OUTCOMES["asb"]:
            problems.append(("outcome", f"must be one of: {', '.join(OUTCOMES['asb'])}"))
    elif closed_on is not None or outcome is not None:
        problems.append(("status", "an open case has no closed_on or outcome"))
    if closed_on is not None and opened is not None and closed_on < opened:
        problems.append(("closed_on", "is before opened_on"))
    if closed_on is not None and closed_on > today:
        problems.append(("closed_on", "is in the future"))
    contact = _date(v, "first_contact_on", problems)
    if contact is not None and opened is not None and not opened <= contact <= today:
        problems.append(("first_contact_on", "must fall between opened_on and today"))
    count_text = v.get("incident_count", "") or "0"
    count = int(count_text) if count_text.isdigit() else -1
    if not 0 <= count <= 500:
        problems.append(("incident_count", "must be a whole number from 0 to 500"))
    ref = v.get("reference_external", "")
    if len(ref) > 60:
        problems.append(("reference_external", "is longer than 60 characters"))
    complainant = _person("complainant", v, today, problems)
    subject = _person("subject", v, today, problems)
    address = _address(v, "", problems)
    if problems or opened is None:
        return None, problems
    return CaseRow(number, ref, opened, category, subcategory, risk,
                   v.get("lsoa_code", "").upper() or None, status, closed_on, outcome, contact,
                   count, v.get("summary", ""), complainant, subject, address), []


def parse_incident(number: int, v: dict[str, str],
                   today: date) -> tuple[IncidentRow | None, list[tuple[str, str]]]:
    """One row of the incidents sheet, or None with the problems found."""
    problems: list[tuple[str, str]] = []
    ref = v.get("reference_external", "")
    if not ref:
        problems.append(("reference_external", "is required (the case's reference)"))
    occurred = _date(v, "occurred_on", problems)
    if occurred is None and not any(f == "occurred_on" for f, _m in problems):
        problems.append(("occurred_on", "is required"))
    reported = _date(v, "reported_on", problems) or occurred
    for name, day in (("occurred_on", occurred), ("reported_on", reported)):
        if day is not None and day > today:
            problems.append((name, "is in the future"))
    if occurred and reported and reported < occurred:
        problems.append(("reported_on", "is before occurred_on"))
    source = (v.get("source", "") or "council").lower()
    if source not in INCIDENT_SOURCES:
        problems.append(("source", f"must be one of: {', '.join(INCIDENT_SOURCES)}"))
    hate = (v.get("hate_motivated", "") or "no").lower()
    if hate not in ("yes", "no", "true", "false", "y", "n", "1", "0"):
        problems.append(("hate_motivated", "must be yes or no"))
    for name, limit in (("location", 200), ("police_reference", 80)):
        if len(v.get(name, "")) > limit:
            problems.append((name, f"is longer than {limit} characters"))
    if problems or occurred is None or reported is None:
        return None, problems
    return IncidentRow(number, ref, occurred, reported, v.get("location", ""),
                       v.get("lsoa_code", "").upper() or None, source,
                       v.get("police_reference", ""), hate in ("yes", "true", "y", "1"),
                       v.get("description", "")), []
