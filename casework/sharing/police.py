"""Import police-recorded ASB from a police.uk street-level CSV, for area context.

The police.uk street-level file has the columns ``Crime ID, Month, Reported by, Falls
within, Longitude, Latitude, Location, LSOA code, LSOA name, Crime type, Last outcome
category, Context``. Only "Anti-social behaviour" rows are kept. Rows with no LSOA are
kept with no area and counted, never dropped silently. Importing a file replaces the rows
held for the same months and force, so a corrected file can be loaded again; loading the
very same file twice changes nothing.

A kept cell longer than its field (force 80, location 200, LSOA code 9 characters), or
too long for the CSV reader, rejects the file naming its line and column: nothing is
imported, nothing is cut short. The rows are written in batches that stay within SQLite's
limit on values per statement, whatever the size of the file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, select

from casework.core import audit
from casework.core.context import Workspace
from casework.core.csvrows import records
from casework.core.errors import ValidationError
from casework.core.permissions import require
from db.batches import chunks, rows_per_statement
from db.models import PoliceAsbImport, PoliceAsbIncident

ASB = "Anti-social behaviour"
REQUIRED = ("Month", "Falls within", "Location", "LSOA code", "Crime type")
MAX_BYTES = 200 * 1024 * 1024
# The kept columns and the length of the field each is stored in.
LIMITS = {"Falls within": 80, "Location": 200, "LSOA code": 9}


@dataclass(frozen=True)
class PoliceImportResult:
    rows_read: int
    rows_kept: int
    rows_no_lsoa: int
    rows_other_crime: int
    months: tuple[str, ...]
    replaced: int
    already_imported: bool


def _month(text: str, line: int) -> date:
    try:
        year, month = text.strip().split("-")
        return date(int(year), int(month), 1)
    except ValueError:
        raise ValidationError(f"Line {line}: the Month column is not YYYY-MM.",
                              field="Month") from None


def _rows(data: bytes) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, row) of a police.uk file, its header checked."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError("The file is not UTF-8 text.", field="file") from None
    header: list[str] | None = None
    for line, cells in records(text):
        if not cells:
            continue  # a blank line
        if header is None:
            header = cells
            missing = [c for c in REQUIRED if c not in header]
            if missing:
                raise ValidationError("This is not a police.uk street-level file: no column "
                                      f"{', '.join(missing)}.", field="file")
            continue
        yield line, {h: (cells[i].strip() if i < len(cells) else "")
                     for i, h in enumerate(header)}


def _kept(line: int, row: dict[str, str]) -> dict[str, Any]:
    """An ASB row as it is stored; a cell longer than its field refuses the file."""
    for column, limit in LIMITS.items():
        if len(row.get(column, "")) > limit:
            raise ValidationError(f"Line {line}: {column} is longer than {limit} characters; "
                                  "nothing was imported.", field=column)
    return {"month": _month(row.get("Month", ""), line), "force": row.get("Falls within", ""),
            "lsoa_code": row.get("LSOA code") or None, "location": row.get("Location", "")}


def import_police_uk(ws: Workspace, path: Path) -> PoliceImportResult:
    """Read a police.uk street-level CSV and keep its ASB rows (audited)."""
    require(ws.actor, "import.police")
    data = Path(path).read_bytes()
    if len(data) > MAX_BYTES:
        raise ValidationError("The file is too large for a police.uk monthly extract.")
    digest = hashlib.sha256(data).hexdigest()
    kept: list[dict[str, Any]] = []
    read = other = no_lsoa = 0
    for line, row in _rows(data):
        read += 1
        if row.get("Crime type") != ASB:
            other += 1
            continue
        kept.append(_kept(line, row))
        if kept[-1]["lsoa_code"] is None:
            no_lsoa += 1
    months = tuple(sorted({f"{k['month']:%Y-%m}" for k in kept}))
    with ws.uow() as session:
        same = session.scalar(select(PoliceAsbImport.id).where(PoliceAsbImport.sha256 == digest))
        if same is not None:
            return PoliceImportResult(read, len(kept), no_lsoa, other, months, 0, True)
        replaced = 0
        for force, month in sorted({(k["force"], k["month"]) for k in kept}):
            result = session.execute(delete(PoliceAsbIncident).where(
                PoliceAsbIncident.force == force, PoliceAsbIncident.month == month))
            replaced += int(getattr(result, "rowcount", 0) or 0)
        batch = PoliceAsbImport(imported_by=ws.actor.user_id, file_name=Path(path).name[:200],
                                sha256=digest, months=",".join(months)[:200], rows_read=read,
                                rows_kept=len(kept), rows_no_lsoa=no_lsoa)
        session.add(batch)
        session.flush()
        for rows in chunks(kept, rows_per_statement(len(kept[0]) + 1) if kept else 1):
            session.execute(insert(PoliceAsbIncident).values(
                [{**k, "import_id": batch.id} for k in rows]))
        audit.record(ws, session, "import", "police_uk", batch.id, detail={
            "sha256": digest, "rows_read": read, "rows_kept": len(kept),
            "rows_no_lsoa": no_lsoa, "rows_other_crime": other, "months": list(months),
            "rows_replaced": replaced,
        })
    return PoliceImportResult(read, len(kept), no_lsoa, other, months, replaced, False)
