"""Importing Community Trigger applications with their complaints (layout in
docs/IMPORT.md): sheet ``trigger`` (one row per application, the applicant's details)
and sheet ``trigger_complaints`` (one row per complaint, linked by
``reference_external``). Each application gets its statutory deadlines as tasks, as when
it is recorded by hand."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from casework.cases.importing import parse_table, row_refused
from casework.cases.lifecycle import add_task, create_case
from casework.cases.workflow import link_person
from casework.core import audit, settings, vocabulary
from casework.core.context import Workspace
from casework.core.permissions import require
from casework.core.tabular import RowError, Table
from casework.core.workdays import add_working_days
from casework.people.importing import (
    PeopleMatcher,
    PersonRow,
    cell_date,
    flag,
    parse_person,
    person_columns,
)
from casework.trigger.applications import DEADLINES
from db.models import TriggerApplication, TriggerComplaint

SHEET, CHILD_SHEET = "trigger", "trigger_complaints"
COLUMNS = ("reference_external", "received_on", "on_behalf", "lsoa_code",
           *person_columns("applicant"))
REQUIRED = ("reference_external", "received_on", "applicant_family_name")
COMPLAINT_COLUMNS = ("reference_external", "behaviour_on", "complained_on", "agency",
                     "incident_key", "hate_related", "description")
COMPLAINT_REQUIRED = ("reference_external", "behaviour_on", "complained_on")


@dataclass(frozen=True, repr=False, slots=True)
class ApplicationRow:
    reference_external: str
    received_on: date
    on_behalf: bool
    lsoa_code: str | None
    applicant: PersonRow

    def __repr__(self) -> str:
        return "ApplicationRow(...)"


@dataclass(frozen=True, repr=False, slots=True)
class ComplaintRow:
    reference_external: str
    behaviour_on: date
    complained_on: date
    agency: str
    incident_key: str
    hate_related: bool
    description: str

    def __repr__(self) -> str:
        return "ComplaintRow(...)"


@dataclass(frozen=True)
class TriggerImport:
    applications: int
    complaints: int
    people_created: int
    people_matched: int


def parse_application(number: int, v: dict[str, str], today: date
                      ) -> tuple[ApplicationRow | None, list[tuple[str, str]]]:
    problems: list[tuple[str, str]] = []
    received = cell_date(v, "received_on", problems)
    if received is None and not problems:
        problems.append(("received_on", "is required"))
    if received is not None and received > today:
        problems.append(("received_on", "is in the future"))
    if not v.get("reference_external"):
        problems.append(("reference_external", "is required (complaints are linked by it)"))
    applicant = parse_person("applicant", v, today, problems)
    if applicant is None:
        problems.append(("applicant_family_name", "is required"))
    on_behalf = flag(v, "on_behalf", problems)
    if problems or received is None or applicant is None:
        return None, problems
    return ApplicationRow(v["reference_external"], received, on_behalf,
                          v.get("lsoa_code", "").upper() or None, applicant), []


def parse_complaint(number: int, v: dict[str, str], today: date
                    ) -> tuple[ComplaintRow | None, list[tuple[str, str]]]:
    problems: list[tuple[str, str]] = []
    behaviour = cell_date(v, "behaviour_on", problems)
    complained = cell_date(v, "complained_on", problems)
    for name, day in (("behaviour_on", behaviour), ("complained_on", complained)):
        if day is None and not any(f == name for f, _m in problems):
            problems.append((name, "is required"))
        if day is not None and day > today:
            problems.append((name, "is in the future"))
    if behaviour and complained and complained < behaviour:
        problems.append(("complained_on", "is before behaviour_on"))
    hate = flag(v, "hate_related", problems)
    if len(v.get("incident_key", "")) > 80:
        problems.append(("incident_key", "is longer than 80 characters"))
    if problems or behaviour is None or complained is None:
        return None, problems
    return ComplaintRow(v.get("reference_external", ""), behaviour, complained,
                        (v.get("agency", "") or "council").lower(),
                        v.get("incident_key", ""), hate, v.get("description", "")), []


def import_tables(ws: Workspace, session: Session, table: Table, complaints: Table | None,
                  *, progress: Callable[[int], None] | None = None) -> TriggerImport:
    """Validate and insert in the caller's unit of work; every problem is added to the
    ImportRejected raised (the caller's transaction must then roll back)."""
    from casework.core.tabular import reject

    require(ws.actor, "import.cases")
    require(ws.actor, "case.write")
    errors: list[RowError] = []
    apps = parse_table(session, table, COLUMNS, REQUIRED, parse_application, errors)
    found = parse_table(session, complaints, COMPLAINT_COLUMNS, COMPLAINT_REQUIRED,
                        parse_complaint, errors, unique_reference=False) \
        if complaints is not None else []
    by_ref: dict[str, list[tuple[int, ComplaintRow]]] = {}
    received = {a.reference_external: a.received_on for _n, a in apps}
    agencies = {t.code for t in vocabulary.terms_of(session, vocabulary.RECIPIENT_BODY)}
    sheet = complaints.sheet if complaints is not None else CHILD_SHEET
    for number, c in found:
        if c.reference_external not in received:
            errors.append(RowError(number, "reference_external", "matches no application "
                                   "of this import", sheet))
            continue
        if c.complained_on > received[c.reference_external]:
            errors.append(RowError(number, "complained_on", "is after the application was "
                                   "received (an application rests on earlier complaints)",
                                   sheet))
        if c.agency not in agencies:
            errors.append(RowError(number, "agency", "must be one of: "
                                   + ", ".join(sorted(agencies)), sheet))
        by_ref.setdefault(c.reference_external, []).append((number, c))
    if errors:
        raise reject(errors)
    people = PeopleMatcher(ws, session)
    deadlines = [(kind, int(settings.get(session, key)), title) for kind, key, title in DEADLINES]
    outcome_days = int(settings.get(session, settings.TRIGGER_OUTCOME_DAYS))
    count = 0
    for done, (number, a) in enumerate(apps, start=1):
        try:
            case = create_case(ws, session, "trigger", opened_on=a.received_on,
                               lsoa_code=a.lsoa_code)
        except Exception as exc:  # noqa: BLE001 - becomes the row's error
            errors.append(row_refused(number, table.sheet, exc))
            continue
        case.external_reference = a.reference_external
        applicant = people.get(a.applicant)
        session.add(TriggerApplication(case_id=case.id, applicant_person_id=applicant,
                                       on_behalf=a.on_behalf, received_on=a.received_on))
        link_person(ws, session, case, applicant, "victim")
        for kind, days, title in deadlines:
            add_task(session, case, kind, title, add_working_days(a.received_on, days))
        case.next_review_on = add_working_days(a.received_on, outcome_days)
        audit.record(ws, session, "trigger.open", "case", case.id,
                     detail={"on_behalf": a.on_behalf, "imported": True})
        for _n, c in by_ref.get(a.reference_external, []):
            row = TriggerComplaint(case_id=case.id, behaviour_on=c.behaviour_on,
                                   complained_on=c.complained_on, agency=c.agency,
                                   incident_key=c.incident_key, hate_related=c.hate_related,
                                   complainant_person_id=applicant,
                                   description=c.description)
            session.add(row)
            session.flush()
            audit.record(ws, session, "trigger.complaint", "case", case.id,
                         detail={"complaint": row.id})
            count += 1
        if progress is not None and done % 200 == 0:
            progress(done)
    if errors:
        raise reject(errors)
    session.flush()
    return TriggerImport(len(apps), count, people.created, people.matched)
