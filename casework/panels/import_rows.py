"""Importing SWIP and MART referrals (layout in docs/IMPORT.md): sheets ``swip`` and
``mart``, one row per referral with the referred person's details. Each goes through
``create_referral``, as a referral made by hand does (its checks, its party, its audit
entry); MART rows add the exploitation type, age group and nationality. The age group
follows the person's date of birth at the time of exploitation, as for a referral made
by hand: ``is_child`` may be left blank when a date of birth is given, and one that
differs from it needs ``age_override_reason``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.cases.importing import parse_table, row_refused
from casework.core.context import Workspace
from casework.core.permissions import require
from casework.core.tabular import RowError, Table, reject
from casework.panels.mart import age_group as mart_age_group
from casework.panels.mart import child_at
from casework.panels.swip import create_referral
from casework.people.importing import (
    PeopleMatcher,
    PersonRow,
    cell_date,
    codes,
    flag,
    parse_person,
    person_columns,
)
from db.models import MartDetail, Panel, Person
from db.models.cases import RISK_LEVELS
from db.models.panels import EXPLOITATION_TYPES
from db.models.people import CONSENT

COMMON = ("reference_external", "referred_on", "panel", "referrer_name", "referrer_agency",
          "consent", "needs", "risk_level", "agencies_engaged", "location_concern",
          "lsoa_code", *person_columns("person"))
COLUMNS = {"swip": COMMON, "mart": (*COMMON, "exploitation_type", "is_child", "nationality",
                                    "exploited_on", "age_override_reason")}
REQUIRED = {"swip": ("referred_on", "referrer_agency"),
            "mart": ("referred_on", "referrer_agency", "exploitation_type")}


@dataclass(frozen=True, repr=False, slots=True)
class ReferralRow:
    reference_external: str
    referred_on: date
    panel: str
    referrer_name: str
    referrer_agency: str
    consent: str
    needs: list[str]
    risk_level: str
    agencies: list[str]
    location_concern: bool
    lsoa_code: str | None
    person: PersonRow | None
    exploitation_type: str
    is_child: bool | None  # None: follow the date of birth
    nationality: str
    exploited_on: date | None = None
    age_override_reason: str = ""

    def __repr__(self) -> str:
        return "ReferralRow(...)"


@dataclass(frozen=True)
class ReferralImport:
    kind: str
    referrals: int
    people_created: int
    people_matched: int


def _parser(kind: str) -> Callable[[int, dict[str, str], date],
                                   tuple[ReferralRow | None, list[tuple[str, str]]]]:
    def parse(number: int, v: dict[str, str], today: date
              ) -> tuple[ReferralRow | None, list[tuple[str, str]]]:
        problems: list[tuple[str, str]] = []
        referred = cell_date(v, "referred_on", problems)
        if referred is None and not problems:
            problems.append(("referred_on", "is required"))
        if referred is not None and referred > today:
            problems.append(("referred_on", "is in the future"))
        consent = (v.get("consent", "") or "not_sought").lower().replace(" ", "_")
        if consent not in CONSENT:
            problems.append(("consent", f"must be one of: {', '.join(CONSENT)}"))
        risk = (v.get("risk_level", "") or "standard").lower()
        if risk not in RISK_LEVELS:
            problems.append(("risk_level", f"must be one of: {', '.join(RISK_LEVELS)}"))
        location = flag(v, "location_concern", problems)
        person = parse_person("person", v, today, problems)
        if person is None and not location:
            problems.append(("person_family_name", "is required unless location_concern "
                             "is yes"))
        exploitation = v.get("exploitation_type", "").lower()
        is_child: bool | None = False
        exploited_on = None
        if kind == "mart":
            if exploitation not in EXPLOITATION_TYPES:
                problems.append(("exploitation_type",
                                 f"must be one of: {', '.join(EXPLOITATION_TYPES)}"))
            is_child = flag(v, "is_child", problems) if v.get("is_child", "").strip() \
                else None
            exploited_on = cell_date(v, "exploited_on", problems)
            if exploited_on is not None and referred is not None and exploited_on > referred:
                problems.append(("exploited_on", "is after referred_on"))
        if problems or referred is None:
            return None, problems
        return ReferralRow(v.get("reference_external", ""), referred, v.get("panel", ""),
                           v.get("referrer_name", ""),
                           v.get("referrer_agency", "").lower(), consent,
                           codes(v, "needs"), risk, codes(v, "agencies_engaged"), location,
                           v.get("lsoa_code", "").upper() or None, person, exploitation,
                           is_child, v.get("nationality", ""), exploited_on,
                           v.get("age_override_reason", "").strip()), []

    return parse


def import_table(ws: Workspace, session: Session, kind: str, table: Table, *,
                 progress: Callable[[int], None] | None = None) -> ReferralImport:
    """Validate and insert SWIP or MART referrals in the caller's unit of work."""
    require(ws.actor, "import.cases")
    require(ws.actor, "case.write")
    errors: list[RowError] = []
    rows = parse_table(session, table, COLUMNS[kind], REQUIRED[kind], _parser(kind), errors)
    panels = {p.name.lower(): p.id for p in session.scalars(
        select(Panel).where(Panel.kind == kind))}
    mine = [pid for pid in panels.values() if pid in ws.actor.panel_ids]
    if errors:
        raise reject(errors)
    people = PeopleMatcher(ws, session)
    for done, (number, r) in enumerate(rows, start=1):
        if r.panel:
            panel_id = panels.get(r.panel.lower())
            if panel_id is None:
                errors.append(RowError(number, "panel", f"is not a {kind.upper()} panel of "
                                       "this database", table.sheet))
                continue
        elif len(panels) == 1:
            panel_id = next(iter(panels.values()))
        elif len(mine) == 1:
            panel_id = mine[0]
        else:
            errors.append(RowError(number, "panel", "is required (there is more than one "
                                   f"{kind.upper()} panel)", table.sheet))
            continue
        try:
            person_id = people.get(r.person) if r.person is not None else None
            age: tuple[bool, str] = (False, "")
            if kind == "mart":
                born = r.person.date_of_birth if r.person is not None else None
                if born is None and person_id is not None:
                    born = session.scalar(select(Person.date_of_birth).where(
                        Person.id == person_id))
                age = mart_age_group(child_at(born, r.exploited_on or r.referred_on),
                                     r.is_child, r.age_override_reason)
            case = create_referral(ws, session, panel_id, kind, person_id, r.referred_on,
                                   r.referrer_name, r.referrer_agency, r.consent, r.needs,
                                   r.risk_level, r.agencies,
                                   location_concern=r.location_concern,
                                   lsoa_code=r.lsoa_code)
        except Exception as exc:  # noqa: BLE001 - becomes the row's error
            errors.append(row_refused(number, table.sheet, exc))
            continue
        case.external_reference = r.reference_external or None
        if kind == "mart":
            detail = session.get(MartDetail, case.id)
            assert detail is not None
            detail.exploitation_type = r.exploitation_type
            detail.is_child, detail.age_override_reason = age
            detail.exploited_on = r.exploited_on or r.referred_on
            detail.nationality = r.nationality.strip()
        if progress is not None and done % 200 == 0:
            progress(done)
    if errors:
        raise reject(errors)
    session.flush()
    return ReferralImport(kind, len(rows), people.created, people.matched)
