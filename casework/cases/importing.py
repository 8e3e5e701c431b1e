"""What the importers of every case type share: reading a table's rows through a parser
that reports (column, reason) problems, references that must be unique and new, and
turning a service's refusal of one row into that row's error."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.core import clock
from casework.core.errors import CaseworkError, StoreError, ValidationError
from casework.core.tabular import MAX_ERRORS_SHOWN, RowError, Table, check_header
from db.batches import MAX_VARIABLES, chunks
from db.models import Case, Lsoa

T = TypeVar("T")
Parser = Callable[[int, dict[str, str], date], tuple[T | None, list[tuple[str, str]]]]


def parse_table(session: Session, table: Table, columns: tuple[str, ...],
                required: tuple[str, ...], parse: Parser[T], errors: list[RowError], *,
                unique_reference: bool = True) -> list[tuple[int, T]]:
    """Every row of ``table`` parsed: (row number, parsed) for the good ones; problems
    (header, cells, unknown LSOAs, repeated or already imported references) added to
    ``errors``."""
    header_errors = check_header(table.header, columns, required, table.sheet)
    if header_errors:
        errors += header_errors
        return []
    lsoas = set(session.scalars(select(Lsoa.code))) if "lsoa_code" in columns else set()
    today = clock.today()
    out: list[tuple[int, T]] = []
    refs: dict[str, int] = {}
    for number, values in table.rows:
        row, problems = parse(number, values, today)
        errors += [RowError(number, f, m, table.sheet) for f, m in problems]
        lsoa = values.get("lsoa_code", "").upper()
        if lsoa and lsoa not in lsoas:
            errors.append(RowError(number, "lsoa_code", "not a known LSOA code", table.sheet))
        ref = values.get("reference_external", "")
        if unique_reference and ref:
            if ref in refs:
                errors.append(RowError(number, "reference_external",
                                       f"repeats row {refs[ref]}", table.sheet))
            refs.setdefault(ref, number)
        if len(ref) > 60:
            errors.append(RowError(number, "reference_external",
                                   "is longer than 60 characters", table.sheet))
        if row is not None:
            out.append((number, row))
        if len(errors) > 10 * MAX_ERRORS_SHOWN:
            return []
    if unique_reference and not out and not errors:
        errors.append(RowError(2, "file", "there are no rows to import", table.sheet))
    if refs:
        known = {r for batch in chunks(list(refs), MAX_VARIABLES)
                 for r in session.scalars(select(Case.external_reference).where(
                     Case.external_reference.in_(batch))) if r is not None}
        errors += [RowError(refs[r], "reference_external", "already imported", table.sheet)
                   for r in sorted(known, key=lambda r: refs[r])]
    return out


def row_refused(number: int, sheet: str, exc: Exception) -> RowError:
    """A service's refusal of one row as that row's error (service messages carry no
    personal data; a storage fault is named as such)."""
    if isinstance(exc, ValidationError):
        return RowError(number, exc.field or "row", str(exc).rstrip("."), sheet)
    if isinstance(exc, StoreError):
        return RowError(number, "row", f"the database refused it ({exc})", sheet)
    if isinstance(exc, CaseworkError):
        return RowError(number, "row", str(exc).rstrip("."), sheet)
    raise exc
