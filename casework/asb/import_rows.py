"""The spreadsheet layout of ``casework-cli import cases`` and the parsing of one row.

Problems are reported as (column, reason) and never repeat the cell's value, so an error
message cannot carry personal data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from casework.cases.lifecycle import OUTCOMES
from db.models.asb import ASB_CATEGORIES
from db.models.cases import RISK_LEVELS
from db.models.people import GENDERS

PERSON_FIELDS = ("given_name", "family_name", "dob", "gender", "phone", "email")
COLUMNS = (
    "reference_external", "opened_on", "category", "subcategory", "risk_level", "lsoa_code",
    "status", "closed_on", "outcome", "first_contact_on", "incident_count", "summary",
    *(f"complainant_{f}" for f in PERSON_FIELDS), *(f"subject_{f}" for f in PERSON_FIELDS),
)
REQUIRED = ("opened_on", "category")
DATE_HINT = "is not a date (use YYYY-MM-DD or DD/MM/YYYY)"
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True, repr=False)
class PersonRow:
    given_name: str
    family_name: str
    date_of_birth: date | None
    gender: str
    phone: str
    email: str

    def __repr__(self) -> str:  # never print personal data
        return "PersonRow(...)"


@dataclass(frozen=True, repr=False)
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

    def __repr__(self) -> str:
        return f"CaseRow(row={self.row})"


def parse_date(text: str) -> date | None:
    """ISO (2026-07-01) or UK (01/07/2026) dates; None if blank; ValueError if bad."""
    if not text:
        return None
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
    return PersonRow(cells["given_name"], cells["family_name"], dob, gender, cells["phone"],
                     cells["email"])


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
    if problems or opened is None:
        return None, problems
    return CaseRow(number, ref, opened, category, subcategory, risk,
                   v.get("lsoa_code", "").upper() or None, status, closed_on, outcome, contact,
                   count, v.get("summary", ""), complainant, subject), []
