"""Reading an imported CSV file: records with their spreadsheet row numbers, and a cell
too long for the CSV reader refused as bad input naming its row and column.

Python's ``csv`` module refuses a cell longer than ``csv.field_size_limit()`` with an
error that names neither; here that becomes a ``CsvProblem`` with the row (the header is
row 1) and the column's name from the header (or its position). A problem never repeats
a cell's value.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from casework.core.errors import ValidationError


class CsvProblem(ValidationError):
    """The file cannot be read as CSV at ``row``, ``column`` (``reason`` says why)."""

    def __init__(self, row: int, column: str, reason: str) -> None:
        super().__init__(f"Row {row}: {column}: {reason}. Nothing was imported.",
                         field=column)
        self.row = row
        self.column = column
        self.reason = reason


class _Lines:
    """The file's lines, remembering those of the record being read."""

    def __init__(self, text: str) -> None:
        self._lines = io.StringIO(text, newline="")
        self.taken: list[str] = []

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.taken.append(line)
        return line


def records(text: str) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells) for every record, the header first as row 1."""
    lines = _Lines(text)
    reader = csv.reader(lines)
    header: list[str] = []
    row = 0
    while True:
        lines.taken = []
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise _problem(row + 1, header, "".join(lines.taken), str(exc)) from None
        row += 1
        if row == 1:
            header = [c.strip() for c in cells]
        yield row, cells


def _problem(row: int, header: list[str], raw: str, error: str) -> CsvProblem:
    limit = csv.field_size_limit()
    if "field larger than field limit" in error:
        position = long_cell_position(raw, limit)
        name = header[position - 1] if 0 < position <= len(header) and row > 1 \
            and header[position - 1] else f"column {position}"
        return CsvProblem(row, name, f"the cell is longer than {limit} characters")
    return CsvProblem(row, "row", "this is not valid CSV (a stray quote or a NUL character)")


def long_cell_position(raw: str, limit: int) -> int:
    """The position (1 = first) of the first cell longer than ``limit`` in a record's raw
    text, read the way the ``csv`` module's default dialect reads it."""
    position, length, quoted, i = 1, 0, False, 0
    while i < len(raw):
        ch = raw[i]
        if quoted:
            if ch == '"' and raw[i + 1:i + 2] == '"':
                length, i = length + 1, i + 2
                continue
            if ch == '"':
                quoted = False
            else:
                length += 1
        elif ch == '"' and length == 0:
            quoted = True
        elif ch == ",":
            position, length = position + 1, 0
        elif ch in "\r\n":
            break
        else:
            length += 1
        if length > limit:
            return position
        i += 1
    return position
