"""Reading an import file: a CSV (UTF-8, with or without a byte-order mark, the delimiter
detected) or an XLSX workbook (read-only mode, one sheet per layout), as header and
row-numbered records, with problems that name a row and a column and never repeat a
cell's content (cells may hold personal data).

A CSV's delimiter is the one of comma, semicolon and tab that splits the header row into
the most known column names; a header that none of them splits into known names is
refused with a message that says which delimiters were tried.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from casework.core.csvrows import CsvProblem, records
from casework.core.errors import ValidationError

DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}
XLSX_MAGIC = b"PK\x03\x04"
MAX_ERRORS_SHOWN = 20


@dataclass(frozen=True)
class RowError:
    """One problem: the sheet (blank for a CSV), the spreadsheet row (the header is row
    1), the column, the reason."""

    row: int
    field: str
    message: str
    sheet: str = ""

    def __str__(self) -> str:
        where = f"sheet {self.sheet}: " if self.sheet else ""
        return f"{where}row {self.row}: {self.field}: {self.message}"


class ImportRejected(ValidationError):
    """The file was rejected; ``errors`` lists every problem found. Nothing was imported."""

    def __init__(self, errors: list[RowError], total: int | None = None) -> None:
        first = errors[0]
        count = total if total is not None else len(errors)
        more = f" (and {count - 1} more problem(s))" if count > 1 else ""
        super().__init__(f"{str(first)[0].upper()}{str(first)[1:]}{more}. "
                         "Nothing was imported.", field=first.field)
        self.errors = errors
        self.total = count


class ImportCancelled(ValidationError):
    """The user cancelled a running import; nothing was imported."""

    def __init__(self) -> None:
        super().__init__("The import was cancelled. Nothing was imported.")


def reject(errors: list[RowError], unlisted: int = 0) -> ImportRejected:
    """The rejection of a file, listing at most ``MAX_ERRORS_SHOWN`` problems
    (``unlisted``: problems counted but not among ``errors``)."""
    errors = sorted(errors, key=lambda e: (e.sheet, e.row))
    return ImportRejected(errors[:MAX_ERRORS_SHOWN], total=len(errors) + unlisted)


@dataclass
class Table:
    """One sheet (or a CSV file): its header (lower-cased names) and its records, each as
    (row number, {column: text}) with blank rows skipped (they keep their numbers)."""

    sheet: str
    header: list[str]
    rows: Iterator[tuple[int, dict[str, str]]]


def is_workbook(content: bytes) -> bool:
    return content[:4] == XLSX_MAGIC


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRejected([RowError(1, "file", "the file is not UTF-8 text (save it as "
                                       "CSV UTF-8, or as an Excel workbook)")]) from None


def detect_delimiter(first_line: str, columns: Collection[str]) -> str:
    """The delimiter that splits the header into the most known column names."""
    known = {c.lower() for c in columns}
    best, best_hits = ",", 0
    for delimiter in DELIMITERS:
        cells = [c.strip().strip('"').strip().lower() for c in first_line.split(delimiter)]
        hits = sum(1 for c in cells if c in known)
        if hits > best_hits:
            best, best_hits = delimiter, hits
    if best_hits == 0:
        raise ImportRejected([RowError(1, "file", "the first row holds no known column name "
                                       "when split by comma, semicolon or tab (the first "
                                       "row must be the header of docs/IMPORT.md)")])
    return best


def read_csv(content: bytes, columns: Collection[str], sheet: str = "") -> Table:
    """A CSV file as a Table; the delimiter detected from its header."""
    text = _decode(content)
    first = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = detect_delimiter(first, columns)
    it = records(text, columns, delimiter=delimiter)
    try:
        _number, header_cells = next(it)
    except StopIteration:
        raise ImportRejected([RowError(1, "file", "the file is empty", sheet)]) from None
    except CsvProblem as exc:
        raise ImportRejected([RowError(exc.row, exc.column.lower(), exc.reason,
                                       sheet)]) from None
    header = [h.strip().lower() for h in header_cells]

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        try:
            for number, values in it:
                yield number, {h: values[i].strip() for i, h in enumerate(header)}
        except CsvProblem as exc:
            raise ImportRejected([RowError(exc.row, exc.column.lower(), exc.reason,
                                           sheet)]) from None

    return Table(sheet, header, rows())


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() \
            else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_workbook(content: bytes) -> dict[str, Table]:
    """Every sheet of an XLSX workbook (read-only mode: rows stream from the file), by
    lower-cased sheet name. Sheets are read as they are iterated."""
    from openpyxl import load_workbook  # the desktop starts faster without it

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise ImportRejected([RowError(1, "file", "the file is not an Excel workbook "
                                       "(.xlsx) that can be read")]) from None
    tables: dict[str, Table] = {}
    for ws in book.worksheets:
        name = ws.title.strip().lower()
        it = ws.iter_rows(values_only=True)
        header: list[str] = []
        number = 0
        for number, values in enumerate(it, start=1):  # noqa: B007 (number used below)
            cells = [_cell_text(v) for v in values]
            if any(cells):
                header = [c.lower() for c in cells]
                while header and not header[-1]:
                    header.pop()
                break
        tables[name] = Table(name, header, _sheet_rows(it, header, number, name))
    return tables


def _sheet_rows(it: Iterator[tuple[Any, ...]], header: list[str], start: int,
                sheet: str) -> Iterator[tuple[int, dict[str, str]]]:
    width = len(header)
    for number, values in enumerate(it, start=start + 1):
        cells = [_cell_text(v) for v in values]
        if not any(cells):
            continue
        if any(cells[width:]):
            raise ImportRejected([RowError(number, "row", "there are cells to the right of "
                                           "the last column of the header", sheet)])
        yield number, {h: (cells[i] if i < len(cells) else "")
                       for i, h in enumerate(header) if h}


def check_header(header: list[str], columns: Collection[str], required: Collection[str],
                 sheet: str = "") -> list[RowError]:
    """Unknown (named by position only: without a header row it is someone's data),
    missing and repeated column names."""
    errors = [RowError(1, f"column {i}", "not a known column name (the first row must be "
                       "the header of docs/IMPORT.md)", sheet)
              for i, name in enumerate(header, start=1) if name and name not in columns]
    errors += [RowError(1, name, "required column is missing", sheet) for name in required
               if name not in header]
    seen: set[str] = set()
    for name in header:
        if name in seen and name in columns:
            errors.append(RowError(1, name, "column appears twice", sheet))
        seen.add(name)
    return errors
