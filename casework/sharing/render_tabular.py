"""CSV and XLSX renderers. They see a ``Release`` and nothing else.

Every file starts with the protective marking and the protocol version; every text cell
that a spreadsheet could run (=, +, -, @, tab, CR) is neutralised; XLSX is written with
text cells are always stored as shared strings, never formulas.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Any

from casework.sharing import xlsx
from casework.sharing.disclosure import ProtectedTable
from casework.sharing.pipeline import Release
from casework.sharing.safety import FORMULA_STARTS, neutralise


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
    rows: list[list[Any]] = [["Protocol warning", release.caveat]] if release.caveat else []
    rows += [
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


def _clean_rows(rows: Iterable[Sequence[Any]]) -> Iterable[Sequence[Any]]:
    """``neutralise`` every cell, inline: this loop runs for every cell of every file.

    A list of rows whose distinct values need no change (coded and generalised values,
    counts: the usual case) is passed through as it is, after one look at each distinct
    value."""
    starts = FORMULA_STARTS
    if isinstance(rows, list):
        try:
            distinct = set(chain.from_iterable(rows))
        except TypeError:  # an unhashable value: look at every cell
            distinct = None
        if distinct is not None and not any(
                isinstance(c, str) and c.startswith(starts) for c in distinct):
            return rows
    return _neutralised(rows)


def _neutralised(rows: Iterable[Sequence[Any]]) -> Iterator[list[Any]]:
    starts = FORMULA_STARTS
    for row in rows:
        yield [("'" + c) if isinstance(c, str) and c.startswith(starts) else c for c in row]


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
        if release.caveat:
            writer.writerow([neutralise(f"# {release.caveat}")])
        writer.writerow(["item", "value"])
        writer.writerows(about_rows(release, facts))


def write_xlsx(path: Path, release: Release, sheets: Sequence[Sheet],
               facts: Iterable[tuple[str, Any]]) -> None:
    """One workbook: an About sheet, then one sheet per block, each marked for print."""
    about = xlsx.XSheet("About", [(row, xlsx.MARK if i == 0 else xlsx.PLAIN)
                                  for i, row in enumerate(about_rows(release, facts))],
                        (), (28, 90))
    out = [about]
    for sheet in sheets:
        lead: list[tuple[Sequence[Any], int]] = [
            ([neutralise((f"{release.caveat} | " if release.caveat else "")
                         + f"{release.marking} | {sheet.title}")], xlsx.MARK)]
        lead += [([neutralise(n)], xlsx.PLAIN) for n in sheet.notes]
        lead.append(([neutralise(c) for c in sheet.columns], xlsx.BOLD))
        out.append(xlsx.XSheet(sheet.name, lead, _clean_rows(sheet.rows),
                               [18] * len(sheet.columns)))
    xlsx.write(path, out, release.marking, release.recipient,
               f"protocol v{release.protocol_version}")
