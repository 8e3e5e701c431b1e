"""A small, fast XLSX (Office Open XML) writer for released tabular data.

XlsxWriter spends tens of microseconds per cell, which is seconds for a record-level file
of 100,000 rows. Released data is a few distinct values repeated (case types, quarters,
area codes, bands), so this writer puts each distinct string once in the shared-strings
part and writes each row from pre-built cell fragments, streaming into the zip.

What a cell holds:
- ``None`` and ``""``: an empty cell; ``bool``: a boolean; ``int`` and ``float``: a number
  (NaN and infinity are refused: Excel has neither);
- ``date`` and ``datetime``: a date serial with a date (``yyyy-mm-dd``) or date-and-time
  format, so the file reads back as dates; dates before 1900 and datetimes with a time
  zone are refused;
- anything else: text, always a shared string (t="s"), so text is never a formula
  (``=SUM(A1)`` stays text; ``render_tabular`` also neutralises it for other programs).
  Characters XML cannot hold (control characters, lone surrogates) are removed; text over
  Excel's 32,767 characters per cell is refused.
A refusal is a ValueError naming the sheet, row and column, never the value.
Sheet names are made Excel-legal by ``sheet_names``.
"""

from __future__ import annotations

import math
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from casework.sharing.rules import letters

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_BAD_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
PLAIN, BOLD, MARK = 0, 1, 2
DATE, DATETIME = 3, 4  # styles this writer gives date and datetime cells itself
MAX_TEXT = 32_767  # characters in one cell
MAX_SHEET_NAME = 31
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_NAME_DROPPED = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
RESERVED_SHEET_NAMES = frozenset({"history"})
EPOCH = datetime(1899, 12, 30)  # day 0 of the 1900 date system, counting from March 1900
FIRST_DAY = datetime(1900, 1, 1)  # day 1: nothing earlier can be written
LEAP_DAY_BUG_ENDS = datetime(1900, 3, 1)

STYLES = (
    f'{HEAD}<styleSheet xmlns="{MAIN}"><numFmts count="2">'
    '<numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>'
    '<numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm:ss"/></numFmts><fonts count="3">'
    '<font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><color rgb="FFB00020"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
    '</cellStyleXfs><cellXfs count="5">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
    '</cellStyles></styleSheet>'
)


@dataclass(frozen=True)
class XSheet:
    """One worksheet: styled leading rows (title, notes, header) then plain data rows."""

    name: str
    lead: Sequence[tuple[Sequence[Any], int]]
    rows: Iterable[Sequence[Any]]
    widths: Sequence[float] = ()


class Unwritable(ValueError):
    """A value that an XLSX cell cannot hold (the message says why, never the value)."""


def _text(value: str) -> str:
    return escape(_BAD_XML.sub("", value), {"\r": "&#13;"})


def _attr(value: str) -> str:
    return escape(_BAD_XML.sub("", value), {'"': "&quot;", "\r": "&#13;", "\n": "&#10;",
                                             "\t": "&#9;"})


def _serial(value: date) -> str:
    """Excel's day number for a date or naive datetime (the 1900 system, which counts a
    29 February 1900 that never was: days before 1 March 1900 are one less)."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            raise Unwritable("a date and time with a time zone (give it as naive UTC)")
        moment = value
    else:
        moment = datetime(value.year, value.month, value.day)
    if moment < FIRST_DAY:
        raise Unwritable("a date before 1900")
    delta = moment - EPOCH
    days = delta.days - (1 if moment < LEAP_DAY_BUG_ENDS else 0)
    if not isinstance(value, datetime):
        return str(days)
    return repr(days + (delta.seconds + delta.microseconds / 1e6) / 86400)


class _Strings:
    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.cells: dict[tuple[Any, Any, int], str] = {}
        # Unstyled text cells by value alone (only ``str`` keys, so 1 never meets True).
        self.plain: dict[str, str] = {}

    def cell(self, value: Any, style: int = PLAIN) -> str:
        key = (value.__class__, value, style)  # the class keeps True apart from 1
        got = self.cells.get(key)
        if got is not None:
            return got
        s = f' s="{style}"' if style else ""
        if value is None or value == "":
            frag = f"<c{s}/>"
        elif isinstance(value, bool):
            frag = f'<c{s} t="b"><v>{int(value)}</v></c>'
        elif isinstance(value, int):
            frag = f"<c{s}><v>{value}</v></c>"
        elif isinstance(value, float):
            if not math.isfinite(value):
                raise Unwritable("a number that is not finite (NaN or infinity)")
            frag = f"<c{s}><v>{value!r}</v></c>"
        elif isinstance(value, date):
            kind = DATETIME if isinstance(value, datetime) else DATE
            frag = f'<c s="{kind}"><v>{_serial(value)}</v></c>'
        else:
            text = _BAD_XML.sub("", str(value))
            if len(text) > MAX_TEXT:
                raise Unwritable(f"text longer than the {MAX_TEXT:,} characters a cell holds")
            i = self.index.setdefault(text, len(self.index))
            frag = f'<c{s} t="s"><v>{i}</v></c>'
        if len(self.cells) < 200_000:
            self.cells[key] = frag
            if style == PLAIN and value.__class__ is str:
                self.plain[value] = frag
        return frag

    def row(self, r: int, values: Sequence[Any], style: int, sheet: str) -> str:
        """One ``<row>``; a value no cell can hold raises ValueError naming its place."""
        try:
            return (f'<row r="{r}">' + "".join([self.cell(v, style) for v in values])
                    + "</row>")
        except Unwritable:
            self.refuse(r, values, style, sheet)
            raise

    def refuse(self, r: int, values: Sequence[Any], style: int, sheet: str) -> None:
        """Raise the refusal of the first value in the row that no cell can hold, with
        the sheet, row and column (not the value)."""
        for c, value in enumerate(values, 1):
            try:
                self.cell(value, style)
            except Unwritable as exc:
                raise Unwritable(f"Cannot write sheet {sheet!r}, row {r}, column "
                                 f"{letters(c)}: {exc}.") from None


def _legal_name(name: str) -> str:
    name = SHEET_NAME_FORBIDDEN.sub("_", _NAME_DROPPED.sub("", name))
    name = name.strip(" '")[:MAX_SHEET_NAME].strip(" '")
    if name.casefold() in RESERVED_SHEET_NAMES:
        name = name[:MAX_SHEET_NAME - 1] + "_"
    return name or "Sheet"


def sheet_names(names: Sequence[str]) -> list[str]:
    r"""Excel-legal, distinct sheet names for ``names``, in order: each of ``[]:*?/\``
    becomes ``_``; control characters and those XML cannot hold go; leading and trailing
    apostrophes and spaces go; at most 31 characters; an empty name becomes "Sheet"; the reserved
    "History" becomes "History_"; a name already taken (Excel ignores case) gets " (2)",
    " (3)"... within the 31 characters."""
    taken: set[str] = set()
    out: list[str] = []
    for raw in names:
        base = _legal_name(raw)
        name, n = base, 1
        while name.casefold() in taken:
            n += 1
            suffix = f" ({n})"
            name = base[:MAX_SHEET_NAME - len(suffix)].rstrip("'") + suffix
        taken.add(name.casefold())
        out.append(name)
    return out


def _hf(text: str) -> str:
    return _text(text.replace("&", "&&"))


def write(path: Path, sheets: Sequence[XSheet], header: str, footer_left: str,
          footer_right: str) -> None:
    """Write the workbook; every sheet prints with ``header`` and a numbered footer.
    Sheet names are made legal and distinct (``sheet_names``). A value no cell can hold
    raises ValueError (naming the sheet, row and column), and the file is left incomplete:
    callers write to a pending file (``safety.pending_files``) and discard it."""
    if not sheets:
        raise ValueError("A workbook needs at least one sheet.")
    strings = _Strings()
    names = sheet_names([s.name for s in sheets])
    hf = (f"<headerFooter><oddHeader>&amp;C&amp;\"-,Bold\"{_hf(header)}</oddHeader>"
          f"<oddFooter>&amp;L{_hf(footer_left)}&amp;CPage &amp;P of &amp;N&amp;R"
          f"{_hf(footer_right)}</oddFooter></headerFooter>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for n, (sheet, name) in enumerate(zip(sheets, names, strict=True), 1):
            with z.open(f"xl/worksheets/sheet{n}.xml", "w", force_zip64=True) as raw:
                buf: list[str] = [f'{HEAD}<worksheet xmlns="{MAIN}">']
                if sheet.widths:
                    buf.append("<cols>" + "".join(
                        f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'
                        for i, w in enumerate(sheet.widths, 1)) + "</cols>")
                buf.append("<sheetData>")
                r = 0
                row = strings.row
                for values, style in sheet.lead:
                    r += 1
                    buf.append(row(r, values, style, name))
                cell = strings.cell
                plain = strings.plain
                for values in sheet.rows:
                    r += 1
                    try:  # the hot loop: one cached fragment per value
                        body = "".join([plain[v] for v in values])
                    except (KeyError, TypeError):  # a value not seen yet, or not text
                        try:
                            body = "".join(map(cell, values))
                        except Unwritable:
                            strings.refuse(r, values, PLAIN, name)
                            raise
                    buf.append(f'<row r="{r}">{body}</row>')
                    if len(buf) >= 2000:
                        raw.write("".join(buf).encode("utf-8"))
                        buf.clear()
                buf.append(f'</sheetData><pageMargins left="0.5" right="0.5" top="0.75" '
                           f'bottom="0.75" header="0.3" footer="0.3"/>{hf}</worksheet>')
                raw.write("".join(buf).encode("utf-8"))
        shared = "".join(f'<si><t xml:space="preserve">{_text(s)}</t></si>'
                         for s in strings.index)
        z.writestr("xl/sharedStrings.xml",
                   f'{HEAD}<sst xmlns="{MAIN}" count="{len(strings.index)}" '
                   f'uniqueCount="{len(strings.index)}">{shared}</sst>')
        z.writestr("xl/styles.xml", STYLES)
        z.writestr("xl/workbook.xml", f'{HEAD}<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>'
                   + "".join(f'<sheet name="{_attr(nm)}" sheetId="{i}" r:id="rId{i}"/>'
                             for i, nm in enumerate(names, 1)) + "</sheets></workbook>")
        k = len(sheets)
        z.writestr("xl/_rels/workbook.xml.rels", f'{HEAD}<Relationships xmlns="{PKG_REL}">'
                   + "".join(f'<Relationship Id="rId{i}" Type="{REL}/worksheet" '
                             f'Target="worksheets/sheet{i}.xml"/>' for i in range(1, k + 1))
                   + f'<Relationship Id="rId{k + 1}" Type="{REL}/styles" Target="styles.xml"/>'
                   + f'<Relationship Id="rId{k + 2}" Type="{REL}/sharedStrings" '
                     'Target="sharedStrings.xml"/></Relationships>')
        z.writestr("_rels/.rels", f'{HEAD}<Relationships xmlns="{PKG_REL}"><Relationship '
                   f'Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>'
                   "</Relationships>")
        z.writestr("[Content_Types].xml", f'{HEAD}<Types xmlns="http://schemas.openxmlformats.'
                   'org/package/2006/content-types"><Default Extension="rels" ContentType='
                   '"application/vnd.openxmlformats-package.relationships+xml"/><Default '
                   'Extension="xml" ContentType="application/xml"/><Override PartName='
                   f'"/xl/workbook.xml" ContentType="{CT}.sheet.main+xml"/>'
                   + "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
                             f'ContentType="{CT}.worksheet+xml"/>' for i in range(1, k + 1))
                   + f'<Override PartName="/xl/styles.xml" ContentType="{CT}.styles+xml"/>'
                   f'<Override PartName="/xl/sharedStrings.xml" '
                   f'ContentType="{CT}.sharedStrings+xml"/></Types>')
