"""CSV and XLSX renderers. They see a ``Release`` and nothing else.

Every file starts with the protective marking and the protocol version; every text cell
that a spreadsheet could run (=, +, -, @, tab, CR) is neutralised; XLSX is written with
formula, URL and number conversion of strings switched off as well.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import xlsxwriter

from casework.isp.disclosure import ProtectedTable
from casework.isp.pipeline import Release
from casework.isp.safety import neutralise


@dataclass(frozen=True)
class Sheet:
    """One rectangular block of released data: a record-level file or a table."""

    name: str
    title: str
    columns: Sequence[str]
    rows: Sequence[Sequence[Any]]
    notes: Sequence[str] = ()


def table_sheet(table: ProtectedTable) -> Sheet:
    """A protected table as a sheet: suppressed entries show the marker."""
    rows: list[list[Any]] = [[label] + [table.marker if v is None else v for v in cells]
            for label, cells in zip(table.rows + ["Total"], table.cells, strict=True)]
    notes = [f"{table.marker}: suppressed to protect confidentiality "
             f"({table.primary} small counts and {table.secondary} further entries that "
             f"would let them be worked out)."] + list(table.notes)
    return Sheet(table.name, table.title, [table.row_label] + table.cols, rows, notes)


def about_rows(release: Release, facts: Iterable[tuple[str, Any]]) -> list[list[Any]]:
    """The header block of a file: marking, title, protocol, recipient, purpose, basis."""
    rows: list[list[Any]] = [
        ["Protective marking", release.marking],
        ["Output", release.title],
        ["Sharing protocol version", release.protocol_version],
        ["Recipient", release.recipient],
        ["Purpose", release.purpose],
        ["Lawful basis", release.lawful_basis],
        ["Produced", f"{release.produced_on.isoformat()} by {release.produced_by}"],
    ]
    rows += [[k, v] for k, v in facts]
    return [[neutralise(c) for c in r] for r in rows]


def _clean_rows(rows: Iterable[Sequence[Any]]) -> Iterable[list[Any]]:
    for row in rows:
        yield [neutralise(c) for c in row]


def write_csv(path: Path, release: Release, sheet: Sheet) -> None:
    """One CSV: a marking line, the header row, then the rows."""
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow([neutralise(f"# {release.stamp}")])
        for note in sheet.notes:
            writer.writerow([neutralise(f"# {note}")])
        writer.writerow([neutralise(c) for c in sheet.columns])
        writer.writerows(_clean_rows(sheet.rows))


def write_about_csv(path: Path, release: Release, facts: Iterable[tuple[str, Any]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["item", "value"])
        writer.writerows(about_rows(release, facts))


def write_xlsx(path: Path, release: Release, sheets: Sequence[Sheet],
               facts: Iterable[tuple[str, Any]]) -> None:
    """One workbook: an About sheet, then one sheet per block, each marked for print."""
    wb = xlsxwriter.Workbook(str(path), {
        "constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
        "strings_to_numbers": False,
    })
    try:
        bold = wb.add_format({"bold": True})
        marking = wb.add_format({"bold": True, "font_color": "#B00020"})
        header = f"&C&\"-,Bold\"{_hf(release.marking)}"
        footer = f"&L{_hf(release.recipient)}&CPage &P of &N&Rprotocol v{release.protocol_version}"
        about = wb.add_worksheet("About")
        about.set_header(header)
        about.set_footer(footer)
        about.set_column(0, 0, 28)
        about.set_column(1, 1, 90)
        for r, row in enumerate(about_rows(release, facts)):
            about.write_string(r, 0, str(row[0]), bold)
            about.write_string(r, 1, str(row[1]), marking if r == 0 else None)
        for sheet in sheets:
            ws = wb.add_worksheet(sheet.name[:31])
            ws.set_header(header)
            ws.set_footer(footer)
            ws.write_string(0, 0, neutralise(f"{release.marking} | {sheet.title}"), marking)
            r = 1
            for note in sheet.notes:
                ws.write_string(r, 0, neutralise(note))
                r += 1
            ws.write_row(r, 0, [neutralise(c) for c in sheet.columns], bold)
            ws.set_column(0, len(sheet.columns) - 1, 16)
            for row in _clean_rows(sheet.rows):
                r += 1
                ws.write_row(r, 0, row)
    finally:
        wb.close()


def _hf(text: str) -> str:
    # '&' starts a header/footer control code in Excel: double it to print it.
    return text.replace("&", "&&")
