"""Importing sanctuary jobs (layout in docs/IMPORT.md): sheet ``sanctuary``, one row per
referral with the victim's details and address and the eligibility checks as yes/no.
Each row is recorded as a referral made by hand is (case, job, victim party, audit)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session

from casework.cases.importing import parse_table, row_refused
from casework.cases.lifecycle import REVIEW_TASK, add_task, create_case
from casework.cases.workflow import link_person
from casework.core import audit, settings
from casework.core.context import Workspace
from casework.core.permissions import require
from casework.core.tabular import RowError, Table, reject
from casework.people.importing import (
    PeopleMatcher,
    PersonRow,
    cell_date,
    flag,
    parse_person,
    person_columns,
)
from casework.sanctuary.jobs import REVIEW_TITLE, VICTIM_OF
from db.models import SanctuaryJob
from db.models.cases import RISK_LEVELS
from db.models.sanctuary import REFERRAL_SOURCES

SHEET = "sanctuary"
CHECKS = ("victim_chose", "perpetrator_not_resident", "right_to_occupy", "landlord_consent",
          "risk_assessment_done")
COLUMNS = ("reference_external", "referred_on", "referral_source", "victim_of",
           "risk_level", "lsoa_code", *CHECKS, *person_columns("victim"))
REQUIRED = ("referred_on", "referral_source", "victim_family_name")


@dataclass(frozen=True, repr=False, slots=True)
class JobRow:
    reference_external: str
    referred_on: date
    referral_source: str
    victim_of: str
    risk_level: str
    lsoa_code: str | None
    checks: tuple[bool, ...]
    victim: PersonRow

    def __repr__(self) -> str:
        return "JobRow(...)"


@dataclass(frozen=True)
class SanctuaryImport:
    jobs: int
    people_created: int
    people_matched: int


def parse_job(number: int, v: dict[str, str], today: date
              ) -> tuple[JobRow | None, list[tuple[str, str]]]:
    problems: list[tuple[str, str]] = []
    referred = cell_date(v, "referred_on", problems)
    if referred is None and not problems:
        problems.append(("referred_on", "is required"))
    if referred is not None and referred > today:
        problems.append(("referred_on", "is in the future"))
    source = v.get("referral_source", "").lower()
    if source not in REFERRAL_SOURCES:
        problems.append(("referral_source", f"must be one of: {', '.join(REFERRAL_SOURCES)}"))
    victim_of = (v.get("victim_of", "") or "domestic_abuse").lower().replace(" ", "_")
    if victim_of not in VICTIM_OF:
        problems.append(("victim_of", f"must be one of: {', '.join(VICTIM_OF)}"))
    risk = (v.get("risk_level", "") or "standard").lower()
    if risk not in RISK_LEVELS:
        problems.append(("risk_level", f"must be one of: {', '.join(RISK_LEVELS)}"))
    checks = tuple(flag(v, c, problems) for c in CHECKS)
    victim = parse_person("victim", v, today, problems)
    if victim is None:
        problems.append(("victim_family_name", "is required"))
    if problems or referred is None or victim is None:
        return None, problems
    return JobRow(v.get("reference_external", ""), referred, source, victim_of, risk,
                  v.get("lsoa_code", "").upper() or None, checks, victim), []


def import_table(ws: Workspace, session: Session, table: Table, *,
                 progress: Callable[[int], None] | None = None) -> SanctuaryImport:
    """Validate and insert sanctuary jobs in the caller's unit of work."""
    require(ws.actor, "import.cases")
    require(ws.actor, "case.write")
    errors: list[RowError] = []
    rows = parse_table(session, table, COLUMNS, REQUIRED, parse_job, errors)
    if errors:
        raise reject(errors)
    people = PeopleMatcher(ws, session)
    review_days = int(settings.get(session, settings.SANCTUARY_REVIEW_DAYS))
    for done, (number, r) in enumerate(rows, start=1):
        try:
            case = create_case(ws, session, "sanctuary", opened_on=r.referred_on,
                               lsoa_code=r.lsoa_code, risk_level=r.risk_level)
        except Exception as exc:  # noqa: BLE001 - becomes the row's error
            errors.append(row_refused(number, table.sheet, exc))
            continue
        case.external_reference = r.reference_external or None
        session.add(SanctuaryJob(case_id=case.id, victim_of=r.victim_of,
                                 referral_source=r.referral_source, referred_on=r.referred_on,
                                 **dict(zip(CHECKS, r.checks, strict=True))))
        link_person(ws, session, case, people.get(r.victim), "victim")
        case.next_review_on = r.referred_on + timedelta(days=review_days)
        add_task(session, case, REVIEW_TASK, REVIEW_TITLE, case.next_review_on)
        audit.record(ws, session, "sanctuary.refer", "case", case.id,
                     detail={"source": r.referral_source, "imported": True})
        if progress is not None and done % 200 == 0:
            progress(done)
    if errors:
        raise reject(errors)
    return SanctuaryImport(len(rows), people.created, people.matched)
