"""Import people and ASB cases, with their addresses and incidents, from a spreadsheet in
the layout of docs/IMPORT.md: a CSV file (and optionally a CSV of incidents), or an XLSX
workbook with the sheets ``asb`` and ``asb_incidents``.

All or nothing: every row is validated first; any bad row rejects the whole file with
each problem's spreadsheet row number and reason (never the cell's value), and nothing is
imported. A good file is inserted in one transaction: every case, person, address, party,
incident and task is written in batches (``casework.core.bulk``), every case and party is
audited (``audit.record_many``: one chained entry each, the head signed once), and the
import itself is audited with its counts and the file's SHA-256.

Why it is fast: the earlier importer created each case through the one-case services, so
each row cost a dozen flushes, three signed audit entries and, for each person, a query
that scanned the people table (a lower-cased name match cannot use an index). The people
the importer may see are now read once into a dictionary, references are numbered in
memory, and rows are written with one ``executemany`` per table per batch.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.asb.import_rows import (
    COLUMNS,
    INCIDENT_COLUMNS,
    INCIDENT_REQUIRED,
    REQUIRED,
    AddressRow,
    CaseRow,
    IncidentRow,
    PersonRow,
    parse_incident,
    parse_row,
)
from casework.asb.risk import first_contact_days, review_days
from casework.cases.lifecycle import PREFIX, new_reference
from casework.cases.search import person_visible
from casework.core import audit, clock, settings
from casework.core.bulk import BulkWriter
from casework.core.context import Workspace
from casework.core.permissions import require, require_case
from casework.core.tabular import (
    MAX_ERRORS_SHOWN,
    ImportCancelled,
    ImportRejected,
    RowError,
    Table,
    check_header,
    is_workbook,
    read_csv,
    read_workbook,
    reject,
)
from casework.core.workdays import add_working_days
from db.batches import MAX_VARIABLES, chunks
from db.models import (
    Address,
    AsbDetail,
    Case,
    CaseParty,
    Incident,
    Lsoa,
    Person,
    PersonAddress,
    Task,
)
from db.models.cases import RISK_LEVELS

SHEET, INCIDENT_SHEET = "asb", "asb_incidents"
Progress = Callable[[int], None]
__all__ = ["MAX_ERRORS_SHOWN", "ImportCancelled", "ImportRejected", "ImportResult",
           "RowError", "import_cases", "import_tables"]


@dataclass(frozen=True)
class ImportResult:
    rows: int
    cases: int
    open_cases: int
    closed_cases: int
    people_created: int
    people_matched: int
    incidents: int
    dry_run: bool
    addresses: int = 0


def _validate_cases(session: Session, table: Table,
                    errors: list[RowError]) -> list[CaseRow]:
    errors += check_header(table.header, COLUMNS, REQUIRED, table.sheet)
    if errors:
        return []
    lsoas = set(session.scalars(select(Lsoa.code)))
    today = clock.today()
    parsed: list[CaseRow] = []
    refs: dict[str, int] = {}
    for number, values in table.rows:
        row, problems = parse_row(number, values, today=today)
        errors += [RowError(number, f, m, table.sheet) for f, m in problems]
        lsoa, ref = values.get("lsoa_code", "").upper(), values.get("reference_external", "")
        if lsoa and lsoa not in lsoas:
            errors.append(RowError(number, "lsoa_code", "not a known LSOA code", table.sheet))
        if ref:
            if ref in refs:
                errors.append(RowError(number, "reference_external",
                                       f"repeats row {refs[ref]}", table.sheet))
            refs.setdefault(ref, number)
        if row is not None:
            parsed.append(row)
        if len(errors) > 10 * MAX_ERRORS_SHOWN:
            return []  # enough to show; the rest of a wrong file is not worth reading
    if not parsed and not errors:
        errors.append(RowError(2, "file", "there are no rows to import", table.sheet))
    if refs:
        known = {r for batch in chunks(list(refs), MAX_VARIABLES)
                 for r in session.scalars(select(Case.external_reference).where(
                     Case.external_reference.in_(batch))) if r is not None}
        errors += [RowError(refs[r], "reference_external", "already imported", table.sheet)
                   for r in sorted(known, key=lambda r: refs[r])]
    return parsed


def _validate_incidents(session: Session, table: Table, cases: list[CaseRow],
                        errors: list[RowError]) -> list[IncidentRow]:
    problems = check_header(table.header, INCIDENT_COLUMNS, INCIDENT_REQUIRED, table.sheet)
    if problems:
        errors += problems
        return []
    lsoas = set(session.scalars(select(Lsoa.code)))
    opened = {c.reference_external: c.opened_on for c in cases if c.reference_external}
    today = clock.today()
    out: list[IncidentRow] = []
    for number, values in table.rows:
        row, found = parse_incident(number, values, today=today)
        errors += [RowError(number, f, m, table.sheet) for f, m in found]
        lsoa = values.get("lsoa_code", "").upper()
        if lsoa and lsoa not in lsoas:
            errors.append(RowError(number, "lsoa_code", "not a known LSOA code", table.sheet))
        if row is not None:
            if row.reference_external not in opened:
                errors.append(RowError(number, "reference_external", "matches no case of "
                                       "this import", table.sheet))
            out.append(row)
        if len(errors) > 10 * MAX_ERRORS_SHOWN:
            return []
    return out


def validate(session: Session, cases: Table, incidents: Table | None = None
             ) -> tuple[list[CaseRow], list[IncidentRow], list[RowError]]:
    """Every row parsed and checked against the database (LSOAs, earlier imports)."""
    errors: list[RowError] = []
    rows = _validate_cases(session, cases, errors)
    found = _validate_incidents(session, incidents, rows, errors) if incidents else []
    return rows, found, errors


class _People:
    """The people the importer may see, by (given, family, date of birth), read once. A
    person the importer may not see (a SWIP subject) is never matched, linked or
    counted: the import must not tell who exists behind a compartment."""

    def __init__(self, ws: Workspace, session: Session, bulk: BulkWriter) -> None:
        self.bulk = bulk
        self.index: dict[tuple[str, str, date], int] = {}
        self.created = self.matched = self.addresses = 0
        self.updated_at = clock.utcnow()
        query = select(Person.id, Person.given_name, Person.family_name,
                       Person.date_of_birth).where(
            Person.date_of_birth.is_not(None), Person.merged_into_id.is_(None),
            Person.anonymised.is_(False), person_visible(ws)).order_by(Person.id)
        for pid, given, family, dob in session.execute(query):
            if dob is not None:
                self.index.setdefault((given.lower(), family.lower(), dob), pid)

    def address(self, a: AddressRow, lsoa: str | None) -> int:
        self.addresses += 1
        return self.bulk.add(Address, line1=a.line1, line2="", town=a.town,
                             postcode=a.postcode, lsoa_code=lsoa)

    def get(self, p: PersonRow) -> int:
        key = (p.given_name.lower(), p.family_name.lower(), p.date_of_birth) \
            if p.date_of_birth is not None else None
        if key is not None and key in self.index:
            self.matched += 1
            return self.index[key]
        pid = self.bulk.add(Person, given_name=p.given_name, family_name=p.family_name,
                            date_of_birth=p.date_of_birth, gender=p.gender, phone=p.phone,
                            email=p.email, created_at=self.updated_at,
                            updated_at=self.updated_at)
        self.created += 1
        if key is not None:
            self.index[key] = pid
        if p.address is not None:
            address_id = self.address(p.address, None)
            self.bulk.add(PersonAddress, person_id=pid, address_id=address_id, current=True,
                          from_date=None, to_date=None)
        return pid


def _references(session: Session) -> Callable[[int], str]:
    """The next ASB reference of a year, numbered in memory after the first one of the
    import (``new_reference``: on a file the last stored plus one; on a team server the
    server's next over every case, under a lock on the year's prefix held until the
    import's transaction ends, so no other writer numbers meanwhile)."""
    next_seq: dict[int, int] = {}

    def reference(year: int) -> str:
        if year not in next_seq:
            first = new_reference(session, "asb", year)
            next_seq[year] = int(first.rsplit("-", 1)[1])
        seq = next_seq[year]
        next_seq[year] = seq + 1
        return f"{PREFIX['asb']}-{year}-{seq:06d}"

    return reference


def _insert(ws: Workspace, session: Session, rows: list[CaseRow],
            incidents: list[IncidentRow], progress: Progress | None) -> dict[str, int]:
    bulk = BulkWriter(session)
    people = _People(ws, session, bulk)
    reference = _references(session)
    update_days = int(settings.get(session, settings.UPDATE_WORKING_DAYS))
    first_days = {r: first_contact_days(session, r) for r in RISK_LEVELS}
    review = {r: review_days(session, r) for r in RISK_LEVELS}
    by_ref: dict[str, list[IncidentRow]] = {}
    for inc in incidents:
        by_ref.setdefault(inc.reference_external, []).append(inc)
    owner, team = ws.actor.user_id, ws.actor.team_id
    working: dict[tuple[date, int], date] = {}

    def add_working(start: date, days: int) -> date:
        if (start, days) not in working:
            working[(start, days)] = add_working_days(start, days)
        return working[(start, days)]

    now = clock.utcnow()
    created: list[int] = []  # case ids, and the parties as (case id, person id, role)
    linked: list[tuple[int, int, str]] = []
    counts = {"incidents": 0, "cases": 0, "open": 0}

    def task(case_id: int, kind: str, title: str, due: date) -> None:
        bulk.add(Task, case_id=case_id, kind=kind, title=title, due_on=due,
                 assigned_user_id=owner, team_id=team, completed_on=None, closed_reason="",
                 snoozed_until=None, created_at=now)

    for done, row in enumerate(rows, start=1):
        closed = row.status == "closed"
        next_review = None if closed else date.fromordinal(
            row.opened_on.toordinal() + review.get(row.risk_level, review["standard"]))
        address_id = people.address(row.address, row.lsoa_code) if row.address else None
        case_id = bulk.add(
            Case, reference=reference(row.opened_on.year), case_type="asb",
            status="closed" if closed else "open", opened_on=row.opened_on,
            closed_on=row.closed_on if closed else None,
            outcome=row.outcome if closed else None, owner_id=owner, team_id=team,
            panel_id=None, risk_level=row.risk_level, address_id=address_id,
            lsoa_code=row.lsoa_code, summary=row.summary, next_review_on=next_review,
            external_reference=row.reference_external or None, anonymised_at=None,
            created_at=now, updated_at=now)
        created.append(case_id)
        subject_id = people.get(row.subject) if row.subject else None
        due = add_working(row.opened_on,
                               first_days.get(row.risk_level, first_days["standard"]))
        bulk.add(AsbDetail, case_id=case_id, category=row.category,
                 subcategory=row.subcategory, stage=0, subject_person_id=subject_id,
                 first_contact_due=due, first_contact_on=row.first_contact_on,
                 guardcam_installed=False)
        parties = []
        if row.complainant is not None:
            parties.append((people.get(row.complainant), "complainant"))
        if subject_id is not None:
            parties.append((subject_id, "perpetrator"))
        for person_id, role in parties:
            bulk.add(CaseParty, case_id=case_id, person_id=person_id, role=role, agency="",
                     ended_on=None)
            linked.append((case_id, person_id, role))
        own = by_ref.get(row.reference_external, []) if row.reference_external else []
        for inc in own:
            bulk.add(Incident, case_id=case_id, occurred_on=inc.occurred_on,
                     reported_on=inc.reported_on, location=inc.location,
                     lsoa_code=inc.lsoa_code or row.lsoa_code, reporter_person_id=None,
                     source=inc.source, police_reference=inc.police_reference,
                     hate_motivated=inc.hate_motivated, description=inc.description)
        if not own:  # a count without incident rows: undated incidents on the opening day
            for _ in range(row.incident_count):
                bulk.add(Incident, case_id=case_id, occurred_on=row.opened_on,
                         reported_on=row.opened_on, location="", lsoa_code=row.lsoa_code,
                         reporter_person_id=None, source="council", police_reference="",
                         hate_motivated=False, description="")
        counts["incidents"] += len(own) or row.incident_count
        if not closed:
            counts["open"] += 1
            assert next_review is not None
            task(case_id, "risk_review", "Review the risk assessment", next_review)
            if row.first_contact_on is None:
                task(case_id, "first_contact", "Make first contact with the complainant", due)
            task(case_id, "complainant_update", "Update the complainant",
                 add_working(row.first_contact_on or row.opened_on, update_days))
        counts["cases"] += 1
        if progress is not None and done % 1000 == 0:
            progress(done)
    bulk.finish()
    audit.record_many(ws, session, _entries(created, linked))
    counts.update(created=people.created, matched=people.matched,
                  addresses=people.addresses)
    if progress is not None:
        progress(len(rows))
    return counts


def _entries(created: list[int], linked: list[tuple[int, int, str]]
             ) -> Iterator[tuple[str, str, object, dict[str, object] | None]]:
    """The audit entries of an import: each case created, then each party linked."""
    for case_id in created:
        yield "case.create", "case", case_id, {"type": "asb"}
    for case_id, person_id, role in linked:
        yield "party.add", "case", case_id, {"person": person_id, "role": role}


def tables_of(content: bytes, incidents: bytes | None = None
              ) -> tuple[Table, Table | None]:
    """The cases table and the incidents table (if any) of a CSV or a workbook."""
    if is_workbook(content):
        sheets = read_workbook(content)
        if SHEET not in sheets:
            raise ImportRejected([RowError(1, "file", f"the workbook has no sheet named "
                                           f"'{SHEET}'")])
        return sheets[SHEET], sheets.get(INCIDENT_SHEET)
    cases = read_csv(content, COLUMNS)
    return cases, read_csv(incidents, INCIDENT_COLUMNS, "incidents") if incidents else None


def import_tables(ws: Workspace, session: Session, cases: Table, incidents: Table | None,
                  *, dry_run: bool = False, progress: Progress | None = None,
                  sha256: str = "") -> ImportResult:
    """Validate and (unless ``dry_run``) insert, in the caller's unit of work. Raises
    ImportRejected listing the bad rows; the caller's transaction must then roll back."""
    require(ws.actor, "import.cases")
    require(ws.actor, "case.write")
    require_case(ws.actor, Case(case_type="asb", team_id=ws.actor.team_id,
                                owner_id=ws.actor.user_id, status="open"))
    rows, found, errors = validate(session, cases, incidents)
    if errors:
        raise reject(errors)
    if dry_run:
        return ImportResult(len(rows), len(rows), 0, 0, 0, 0, len(found), True)
    counts = _insert(ws, session, rows, found, progress)
    result = ImportResult(len(rows), counts["cases"], counts["open"],
                          counts["cases"] - counts["open"], counts["created"],
                          counts["matched"], counts["incidents"], False, counts["addresses"])
    audit.record(ws, session, "import.cases", "import", "",
                 detail={"sha256": sha256, "type": "asb", "cases": result.cases,
                         "incidents": result.incidents,
                         "people_created": result.people_created,
                         "people_matched": result.people_matched})
    return result


def import_cases(ws: Workspace, content: bytes, dry_run: bool = False, *,
                 incidents: bytes | None = None,
                 progress: Progress | None = None) -> ImportResult:
    """Validate the whole file, then (unless ``dry_run``) insert it in one transaction.
    Raises ImportRejected listing every bad row (nothing is imported then), and
    ImportCancelled when ``progress`` raises it (nothing is imported either)."""
    require(ws.actor, "import.cases")
    require(ws.actor, "case.write")
    digest = hashlib.sha256(content + (incidents or b"")).hexdigest()
    with ws.uow() as session:
        cases, inc = tables_of(content, incidents)
        return import_tables(ws, session, cases, inc, dry_run=dry_run, progress=progress,
                             sha256=digest)
