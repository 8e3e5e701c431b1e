"""The spreadsheet layout of ``casework-cli import cases`` and the parsing of one row.

Problems are reported as (column, reason) and never repeat the cell's value, so an error
message cannot carry personal data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from casework.cases.lifecycle import OUTCOMES
from casework.people.importing import (
    DATE_HINT,
    PERSON_FIELDS,
    AddressRow,
    PersonRow,
    cell_date,
    parse_address,
    parse_date,
    parse_person,
)
from db.models.asb import ASB_CATEGORIES, INCIDENT_SOURCES
from db.models.cases import RISK_LEVELS

__all__ = ["COLUMNS", "DATE_HINT", "REQUIRED", "AddressRow", "CaseRow", "IncidentRow",
           "PersonRow", "parse_date", "parse_incident", "parse_row"]
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


def parse_row(number: int, v: dict[str, str],
              today: date) -> tuple[CaseRow | None, list[tuple[str, str]]]:
    """One row as a CaseRow, or None with the problems found (column, reason)."""
    problems: list[tuple[str, str]] = []
    opened = cell_date(v, "opened_on", problems)
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
    closed_on = cell_date(v, "closed_on", problems)
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
    contact = cell_date(v, "first_contact_on", problems)
    if contact is not None and opened is not None and not opened <= contact <= today:
        problems.append(("first_contact_on", "must fall between opened_on and today"))
    count_text = v.get("incident_count", "") or "0"
    count = int(count_text) if count_text.isdigit() else -1
    if not 0 <= count <= 500:
        problems.append(("incident_count", "must be a whole number from 0 to 500"))
    ref = v.get("reference_external", "")
    if len(ref) > 60:
        problems.append(("reference_external", "is longer than 60 characters"))
    complainant = parse_person("complainant", v, today, problems)
    subject = parse_person("subject", v, today, problems)
    address = parse_address(v, "", problems)
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
    occurred = cell_date(v, "occurred_on", problems)
    if occurred is None and not any(f == "occurred_on" for f, _m in problems):
        problems.append(("occurred_on", "is required"))
    reported = cell_date(v, "reported_on", problems) or occurred
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
