"""Import police-recorded ASB from a police.uk street-level CSV, for area context.

The police.uk street-level file has the columns ``Crime ID, Month, Reported by, Falls
within, Longitude, Latitude, Location, LSOA code, LSOA name, Crime type, Last outcome
category, Context``. Only "Anti-social behaviour" rows are kept. Rows with no LSOA are
kept with no area and counted, never dropped silently. Importing a file replaces the rows
held for the same months and force, so a corrected file can be loaded again; loading the
very same file twice changes nothing.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import delete, select

from casework.core import audit
from casework.core.context import Workspace
from casework.core.errors import ValidationError
from casework.core.permissions import require
from db.models import PoliceAsbImport, PoliceAsbIncident

ASB = "Anti-social behaviour"
REQUIRED = ("Month", "Falls within", "Location", "LSOA code", "Crime type")
MAX_BYTES = 200 * 1024 * 1024


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


def import_police_uk(ws: Workspace, path: Path) -> PoliceImportResult:
    """Read a police.uk street-level CSV and keep its ASB rows (audited)."""
    require(ws.actor, "import.police")
    data = Path(path).read_bytes()
    if len(data) > MAX_BYTES:
        raise ValidationError("The file is too large for a police.uk monthly extract.")
    digest = hashlib.sha256(data).hexdigest()
    reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise ValidationError("This is not a police.uk street-level file: no column "
                              f"{', '.join(missing)}.", field="file")
    kept: list[PoliceAsbIncident] = []
    read = other = no_lsoa = 0
    for line, row in enumerate(reader, start=2):
        read += 1
        if (row.get("Crime type") or "").strip() != ASB:
            other += 1
            continue
        lsoa = (row.get("LSOA code") or "").strip() or None
        if lsoa is None:
            no_lsoa += 1
        kept.append(PoliceAsbIncident(
            month=_month(row.get("Month") or "", line),
            force=(row.get("Falls within") or "").strip()[:80],
            lsoa_code=lsoa[:9] if lsoa else None,
            location=(row.get("Location") or "").strip()[:200],
        ))
    months = tuple(sorted({f"{k.month:%Y-%m}" for k in kept}))
    with ws.uow() as session:
        same = session.scalar(select(PoliceAsbImport.id).where(PoliceAsbImport.sha256 == digest))
        if same is not None:
            return PoliceImportResult(read, len(kept), no_lsoa, other, months, 0, True)
        replaced = 0
        for force, month in {(k.force, k.month) for k in kept}:
            result = session.execute(delete(PoliceAsbIncident).where(
                PoliceAsbIncident.force == force, PoliceAsbIncident.month == month))
            replaced += int(getattr(result, "rowcount", 0) or 0)
        batch = PoliceAsbImport(imported_by=ws.actor.user_id, file_name=Path(path).name[:200],
                                sha256=digest, months=",".join(months)[:200], rows_read=read,
                                rows_kept=len(kept), rows_no_lsoa=no_lsoa)
        session.add(batch)
        session.flush()
        for k in kept:
            k.import_id = batch.id
        session.add_all(kept)
        audit.record(ws, session, "import", "police_uk", batch.id, detail={
            "sha256": digest, "rows_read": read, "rows_kept": len(kept),
            "rows_no_lsoa": no_lsoa, "rows_other_crime": other, "months": list(months),
            "rows_replaced": replaced,
        })
    return PoliceImportResult(read, len(kept), no_lsoa, other, months, replaced, False)
