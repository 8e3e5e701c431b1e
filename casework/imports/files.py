"""Importing a file of any case type, all or nothing.

A CSV holds one type (named by the caller; ASB incidents and Community Trigger complaints
come as a second CSV). An XLSX workbook holds a sheet per type (``asb``,
``asb_incidents``, ``trigger``, ``trigger_complaints``, ``swip``, ``mart``,
``sanctuary``: see docs/IMPORT.md and the template workbook). Every sheet is checked and
written in one transaction: a problem in any sheet rejects the whole file, listing every
problem with its sheet, row and column, and nothing is imported. ``progress`` is called
now and then with what is being done and how many rows are done; it may raise
``ImportCancelled`` to stop, and then nothing is imported either.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from casework.asb import import_rows as asb_rows
from casework.asb import importer as asb
from casework.core import audit
from casework.core.context import Workspace
from casework.core.permissions import require
from casework.core.resources import read_bytes
from casework.core.tabular import (
    ImportCancelled,
    ImportRejected,
    RowError,
    Table,
    is_workbook,
    read_csv,
    read_workbook,
    reject,
)
from casework.panels import import_rows as panels
from casework.sanctuary import import_rows as sanctuary
from casework.trigger import import_rows as trigger

KINDS = ("asb", "trigger", "swip", "mart", "sanctuary")
SHEETS = ("asb", "asb_incidents", "trigger", "trigger_complaints", "swip", "mart",
          "sanctuary")
CHILDREN = {"asb": "asb_incidents", "trigger": "trigger_complaints"}
TEMPLATE = "import_template.xlsx"
Progress = Callable[[str, int], None]
__all__ = ["KINDS", "ImportCancelled", "ImportRejected", "ImportSummary", "import_file",
           "template_bytes"]


@dataclass(frozen=True)
class ImportSummary:
    counts: dict[str, int] = field(default_factory=dict)
    lines: tuple[str, ...] = ()


def columns(kind: str) -> tuple[str, ...]:
    return {"asb": asb_rows.COLUMNS, "asb_incidents": asb_rows.INCIDENT_COLUMNS,
            "trigger": trigger.COLUMNS, "trigger_complaints": trigger.COMPLAINT_COLUMNS,
            "swip": panels.COLUMNS["swip"], "mart": panels.COLUMNS["mart"],
            "sanctuary": sanctuary.COLUMNS}[kind]


def template_bytes() -> bytes:
    """The template workbook (a sheet per layout, the header row and one example row)."""
    return read_bytes(TEMPLATE)


def _run(ws: Workspace, session: Session, tables: dict[str, Table],
         progress: Progress | None) -> list[str]:
    def step(kind: str) -> Callable[[int], None] | None:
        if progress is None:
            return None
        return lambda done: progress(kind, done)

    lines: list[str] = []
    errors: list[RowError] = []
    unlisted = 0
    for kind in KINDS:
        table = tables.get(kind)
        child = tables.get(CHILDREN.get(kind, ""))
        if table is None:
            if child is not None:
                errors.append(RowError(1, "file", f"the sheet {CHILDREN[kind]} needs the "
                                       f"sheet {kind} beside it", child.sheet))
            continue
        if progress is not None:
            progress(kind, 0)
        try:
            if kind == "asb":
                r = asb.import_tables(ws, session, table, child, progress=step(kind))
                lines.append(f"ASB: {r.cases} case(s) ({r.open_cases} open), {r.incidents} "
                             f"incident(s), {r.addresses} address(es); people "
                             f"{r.people_created} created, {r.people_matched} matched.")
            elif kind == "trigger":
                t = trigger.import_tables(ws, session, table, child, progress=step(kind))
                lines.append(f"Community Trigger: {t.applications} application(s), "
                             f"{t.complaints} complaint(s); people {t.people_created} "
                             f"created, {t.people_matched} matched.")
            elif kind in ("swip", "mart"):
                p = panels.import_table(ws, session, kind, table, progress=step(kind))
                lines.append(f"{kind.upper()}: {p.referrals} referral(s); people "
                             f"{p.people_created} created, {p.people_matched} matched.")
            else:
                s = sanctuary.import_table(ws, session, table, progress=step(kind))
                lines.append(f"Sanctuary: {s.jobs} job(s); people {s.people_created} "
                             f"created, {s.people_matched} matched.")
        except ImportRejected as exc:
            errors += exc.errors
            unlisted += exc.total - len(exc.errors)
    if errors:
        raise reject(errors, unlisted)
    return lines


def import_file(ws: Workspace, content: bytes, kind: str | None = None, *,
                child: bytes | None = None, progress: Progress | None = None
                ) -> ImportSummary:
    """Import a workbook (every sheet of a known name) or a CSV of ``kind`` (with
    ``child``: the incidents of ASB cases or the complaints of applications)."""
    require(ws.actor, "import.cases")
    require(ws.actor, "case.write")
    digest = hashlib.sha256(content + (child or b"")).hexdigest()
    with ws.uow() as session:
        if is_workbook(content):
            sheets = read_workbook(content)
            unknown = [RowError(1, "file", f"sheet {i} has a name that is not one of: "
                                f"{', '.join(SHEETS)}", "")
                       for i, name in enumerate(sheets, start=1) if name not in SHEETS]
            if unknown:
                raise reject(unknown)
            tables = {name: t for name, t in sheets.items() if t.header}
            if not tables:
                raise reject([RowError(1, "file", "the workbook has no sheet with a header "
                                       "row")])
        else:
            if kind not in KINDS:
                raise reject([RowError(1, "file", "say which case type the CSV holds "
                                       f"(one of: {', '.join(KINDS)})")])
            tables = {kind: read_csv(content, columns(kind))}
            if child is not None:
                if kind not in CHILDREN:
                    raise reject([RowError(1, "file", f"a {kind} import has no second file")])
                tables[CHILDREN[kind]] = read_csv(child, columns(CHILDREN[kind]),
                                                  CHILDREN[kind])
        lines = _run(ws, session, tables, progress)
        detail: dict[str, Any] = {"sha256": digest, "sheets": sorted(tables)}
        audit.record(ws, session, "import.file", "import", "", detail=detail)
        return ImportSummary({"sheets": len(tables)}, tuple(lines))
