"""Reading an imported CSV file strictly: records with their spreadsheet row numbers, and
every malformed record refused as bad input naming its row.

- An unterminated or stray quote is an error (``csv`` in strict mode), never two rows
  silently read as one.
- A NUL character anywhere in a record is an error.
- After the header (the first record that is not blank), a record with more or fewer
  cells than the header has columns is an error. Blank lines are skipped.
- Python's ``csv`` module refuses a cell longer than ``csv.field_size_limit()`` with an
  error that names neither row nor column; here that becomes a ``CsvProblem`` with the
  row and the column's position (or its name, when the caller says which header names
  are columns: a file without a header row has data in its first row).

A problem never repeats a cell's content.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection, Iterator

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


def records(text: str, columns: Collection[str] = (),
            delimiter: str = ",") -> Iterator[tuple[int, list[str]]]:
    """(row number, cells) for every record that is not blank, the header first.

    ``columns`` are the column names the caller knows: only a header cell that is one of
    them is ever named in a problem (any other is named by its position)."""
    lines = _Lines(text)
    reader = csv.reader(lines, strict=True, delimiter=delimiter)
    header: list[str] | None = None
    row = 0
    while True:
        lines.taken = []
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise _problem(row + 1, header or [], columns, "".join(lines.taken),
                           str(exc), delimiter) from None
        row += 1
        if any("\x00" in line for line in lines.taken):
            raise CsvProblem(row, "row", "the record contains a NUL character")
        if not any(c.strip() for c in cells):
            continue  # a blank row (it still counts in the numbering)
        if header is None:
            header = [c.strip() for c in cells]
        elif len(cells) != len(header):
            raise CsvProblem(row, "row", f"the record has {len(cells)} cell(s) where the "
                                         f"header has {len(header)} column(s)")
        yield row, cells


def _problem(row: int, header: list[str], columns: Collection[str], raw: str,
             error: str, delimiter: str = ",") -> CsvProblem:
    limit = csv.field_size_limit()
    if "field larger than field limit" in error:
        position = long_cell_position(raw, limit, delimiter)
        known = header[position - 1] if 0 < position <= len(header) else ""
        name = known if known and known.strip().lower() in {c.lower() for c in columns} \
            else f"column {position}"
        return CsvProblem(row, name, f"the cell is longer than {limit} characters")
    if "NUL" in error:
        return CsvProblem(row, "row", "the record contains a NUL character")
    if "unexpected end of data" in error or "EOF" in error:
        return CsvProblem(row, "row", "a quote opened in this record is never closed")
    return CsvProblem(row, "row", "this is not valid CSV (a stray quote: a quote inside a "
                                  "cell must be doubled, and the cell quoted)")


def long_cell_position(raw: str, limit: int, delimiter: str = ",") -> int:
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
        elif ch == delimiter:
            position, length = position + 1, 0
        elif ch in "\r\n":
            break
        else:
            length += 1
        if length > limit:
            return position
        i += 1
    return position
