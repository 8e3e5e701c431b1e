"""Import people and ASB cases from a spreadsheet (CSV) in the layout of docs/IMPORT.md.

All or nothing: every row is validated first; any bad row rejects the whole file with
each problem's spreadsheet row number and reason (never the cell's value), and nothing is
imported. A good file is inserted in one transaction, every case audited as it is created
and the import itself audited with its counts and the file's SHA-256.

The size of the file never reaches SQLite's limit on values in one statement: a lookup of
values from the file runs in batches of ``db.batches.MAX_VARIABLES``, and rows are written
a few statements per row. A cell too long for the CSV reader rejects the file, naming its
row and column.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casework.asb.import_rows import COLUMNS, REQUIRED, CaseRow, PersonRow, parse_row
from casework.asb.risk import first_contact_days, review_days
from casework.cases.lifecycle import add_task, create_case
from casework.cases.search import person_visible
from casework.cases.workflow import link_person
from casework.core import audit, clock, settings
from casework.core.context import Workspace
from casework.core.csvrows import CsvProblem, records
from casework.core.errors import ValidationError
from casework.core.permissions import require
from casework.core.workdays import add_working_days
from db.batches import MAX_VARIABLES, chunks
from db.models import AsbDetail, Case, Incident, Lsoa, Person

MAX_ERRORS_SHOWN = 20


@dataclass(frozen=True)
class RowError:
    """One problem: the spreadsheet row (the header is row 1), the column, the reason."""

    row: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.field}: {self.message}"


class ImportRejected(ValidationError):
    """The file was rejected; ``errors`` lists every problem found. Nothing was imported."""

    def __init__(self, errors: list[RowError]) -> None:
        first = errors[0]
        more = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
        super().__init__(f"Row {first.row}: {first.field}: {first.message}{more}. "
                         "Nothing was imported.", field=first.field)
        self.errors = errors


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


def read_rows(content: bytes) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Header and (row number, values) pairs; blank rows are skipped but keep numbering."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRejected([RowError(1, "file", "the file is not UTF-8 text (save it as "
                                       "CSV UTF-8)")]) from exc
    header: list[str] | None = None
    rows = []
    try:
        for number, values in records(text, COLUMNS):
            if header is None:
                header = [h.strip().lower() for h in values]
                continue
            if not any(v.strip() for v in values):
                continue
            if len(values) > len(header):
                rows.append((number, {"__extra__": "1"}))
                continue
            rows.append((number, {h: (values[i].strip() if i < len(values) else "")
                                  for i, h in enumerate(header)}))
    except CsvProblem as exc:
        raise ImportRejected([RowError(exc.row, exc.column.lower(), exc.reason)]) from None
    if header is None:
        raise ImportRejected([RowError(1, "file", "the file is empty")])
    return header, rows


def _check_header(header: list[str]) -> list[RowError]:
    # an unknown header cell is named by its position only: in a file without a header
    # row it is someone's data, and no message repeats a cell's content
    errors = [RowError(1, f"column {i}", "not a known column name (the first row must be "
                       "the header of docs/IMPORT.md)")
              for i, name in enumerate(header, start=1) if name not in COLUMNS]
    errors += [RowError(1, name, "required column is missing") for name in REQUIRED
               if name not in header]
    seen: set[str] = set()
    for name in header:
        if name in seen and name in COLUMNS:
            errors.append(RowError(1, name, "column appears twice"))
        seen.add(name)
    return errors


def validate(session: Session, content: bytes) -> tuple[list[CaseRow], list[RowError]]:
    """Every row parsed and checked against the database (LSOAs, earlier imports)."""
    header, raw = read_rows(content)
    errors = _check_header(header)
    if errors:
        return [], errors
    if not raw:
        return [], [RowError(2, "file", "there are no rows to import")]
    lsoas = set(session.scalars(select(Lsoa.code)))
    parsed: list[CaseRow] = []
    refs: dict[str, int] = {}
    for number, values in raw:
        if "__extra__" in values:
            errors.append(RowError(number, "row", "more cells than the header has columns"))
            continue
        row, problems = parse_row(number, values, today=clock.today())
        errors += [RowError(number, f, m) for f, m in problems]
        lsoa, ref = values.get("lsoa_code", "").upper(), values.get("reference_external", "")
        if lsoa and lsoa not in lsoas:
            errors.append(RowError(number, "lsoa_code", "not a known LSOA code"))
        if ref:
            if ref in refs:
                errors.append(RowError(number, "reference_external",
                                       f"repeats row {refs[ref]}"))
            refs.setdefault(ref, number)
        if row is not None:
            parsed.append(row)
    if refs:
        known = {r for batch in chunks(refs, MAX_VARIABLES)
                 for r in session.scalars(select(Case.external_reference).where(
                     Case.external_reference.in_(batch))) if r is not None}
        errors += [RowError(refs[r], "reference_external", "already imported")
                   for r in sorted(known, key=lambda r: refs[r])]
    return parsed, sorted(errors, key=lambda e: e.row)


def _person(ws: Workspace, session: Session, p: PersonRow,
            cache: dict[tuple[str, str, date], int], counts: dict[str, int]) -> int:
    """An existing person with the same name and date of birth whom the importer may see,
    else a new one. A person the importer may not see (a SWIP subject) is never matched,
    linked or counted: the import must not tell who exists behind a compartment."""
    if p.date_of_birth is not None:
        key = (p.given_name.lower(), p.family_name.lower(), p.date_of_birth)
        if key in cache:
            counts["matched"] += 1
            return cache[key]
        found = session.scalar(select(Person.id).where(
            func.lower(Person.given_name) == key[0], func.lower(Person.family_name) == key[1],
            Person.date_of_birth == p.date_of_birth, Person.merged_into_id.is_(None),
            Person.anonymised.is_(False), person_visible(ws)).limit(1))
        if found is not None:
            cache[key] = found
            counts["matched"] += 1
            return found
    person = Person(given_name=p.given_name, family_name=p.family_name,
                    date_of_birth=p.date_of_birth, gender=p.gender, phone=p.phone,
                    email=p.email)
    session.add(person)
    session.flush()
    counts["created"] += 1
    if p.date_of_birth is not None:
        cache[(p.given_name.lower(), p.family_name.lower(), p.date_of_birth)] = person.id
    return person.id


def _insert(ws: Workspace, session: Session, rows: Iterable[CaseRow]) -> dict[str, int]:
    counts = {"created": 0, "matched": 0, "incidents": 0, "cases": 0, "open": 0}
    cache: dict[tuple[str, str, date], int] = {}
    update_days = int(settings.get(session, settings.UPDATE_WORKING_DAYS))
    for row in rows:
        case = create_case(ws, session, "asb", opened_on=row.opened_on,
                           lsoa_code=row.lsoa_code, risk_level=row.risk_level,
                           summary=row.summary)
        case.external_reference = row.reference_external or None
        subject_id = _person(ws, session, row.subject, cache, counts) if row.subject else None
        due = add_working_days(row.opened_on, first_contact_days(session, row.risk_level))
        session.add(AsbDetail(case_id=case.id, category=row.category,
                              subcategory=row.subcategory, subject_person_id=subject_id,
                              first_contact_due=due, first_contact_on=row.first_contact_on))
        if row.complainant is not None:
            link_person(ws, session, case, _person(ws, session, row.complainant, cache, counts),
                        "complainant")
        if subject_id is not None:
            link_person(ws, session, case, subject_id, "perpetrator")
        for _ in range(row.incident_count):
            session.add(Incident(case_id=case.id, occurred_on=row.opened_on,
                                 reported_on=row.opened_on, lsoa_code=row.lsoa_code,
                                 source="council"))
        counts["incidents"] += row.incident_count
        if row.status == "closed":
            case.status, case.closed_on, case.outcome = "closed", row.closed_on, row.outcome
        else:
            counts["open"] += 1
            case.next_review_on = date.fromordinal(
                row.opened_on.toordinal() + review_days(session, row.risk_level))
            add_task(session, case, "risk_review", "Review the risk assessment",
                     case.next_review_on)
            if row.first_contact_on is None:
                add_task(session, case, "first_contact",
                         "Make first contact with the complainant", due)
            add_task(session, case, "complainant_update", "Update the complainant",
                     add_working_days(row.first_contact_on or row.opened_on, update_days))
        counts["cases"] += 1
    session.flush()
    return counts


def import_cases(ws: Workspace, content: bytes, dry_run: bool = False) -> ImportResult:
    """Validate the whole file, then (unless ``dry_run``) insert it in one transaction.
    Raises ImportRejected listing every bad row; nothing is imported then."""
    require(ws.actor, "import.cases")
    require(ws.actor, "case.write")
    with ws.uow() as session:
        rows, errors = validate(session, content)
        if errors:
            raise ImportRejected(errors[:MAX_ERRORS_SHOWN] if len(errors) > MAX_ERRORS_SHOWN
                                 else errors)
        if dry_run:
            return ImportResult(len(rows), len(rows), 0, 0, 0, 0, 0, True)
        counts = _insert(ws, session, rows)
        result = ImportResult(len(rows), counts["cases"], counts["open"],
                              counts["cases"] - counts["open"], counts["created"],
                              counts["matched"], counts["incidents"], False)
        audit.record(ws, session, "import.cases", "import", "",
                     detail={"sha256": hashlib.sha256(content).hexdigest(),
                             "cases": result.cases, "people_created": result.people_created,
                             "people_matched": result.people_matched})
        return result
