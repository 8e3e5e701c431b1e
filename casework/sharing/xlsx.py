"""A small, fast XLSX (Office Open XML) writer for released tabular data.

XlsxWriter spends tens of microseconds per cell, which is seconds for a record-level file
of 100,000 rows. Released data is a few distinct values repeated (case types, quarters,
area codes, bands), so this writer puts each distinct string once in the shared-strings
part and writes each row from pre-built cell fragments, streaming into the zip. Strings
are never formulas here: every text cell is a shared string (t="s").
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_BAD_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
PLAIN, BOLD, MARK = 0, 1, 2

STYLES = (
    f'{HEAD}<styleSheet xmlns="{MAIN}"><fonts count="3">'
    '<font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><color rgb="FFB00020"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
    '</cellStyleXfs><cellXfs count="3">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
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


def _text(value: str) -> str:
    return escape(_BAD_XML.sub("", value), {"\r": "&#13;"})


class _Strings:
    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.cells: dict[tuple[Any, int], str] = {}

    def cell(self, value: Any, style: int = PLAIN) -> str:
        key = (value, style)
        got = self.cells.get(key)
        if got is not None:
            return got
        s = f' s="{style}"' if style else ""
        if value is None or value == "":
            frag = f"<c{s}/>"
        elif isinstance(value, bool):
            frag = f'<c{s} t="b"><v>{int(value)}</v></c>'
        elif isinstance(value, int | float):
            frag = f"<c{s}><v>{value}</v></c>"
        else:
            text = str(value)
            i = self.index.setdefault(text, len(self.index))
            frag = f'<c{s} t="s"><v>{i}</v></c>'
        if len(self.cells) < 200_000:
            self.cells[key] = frag
        return frag


def _hf(text: str) -> str:
    return _text(text.replace("&", "&&"))


def write(path: Path, sheets: Sequence[XSheet], header: str, footer_left: str,
          footer_right: str) -> None:
    """Write the workbook; every sheet prints with ``header`` and a numbered footer."""
    strings = _Strings()
    hf = (f"<headerFooter><oddHeader>&amp;C&amp;\"-,Bold\"{_hf(header)}</oddHeader>"
          f"<oddFooter>&amp;L{_hf(footer_left)}&amp;CPage &amp;P of &amp;N&amp;R"
          f"{_hf(footer_right)}</oddFooter></headerFooter>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for n, sheet in enumerate(sheets, 1):
            with z.open(f"xl/worksheets/sheet{n}.xml", "w", force_zip64=True) as raw:
                buf: list[str] = [f'{HEAD}<worksheet xmlns="{MAIN}">']
                if sheet.widths:
                    buf.append("<cols>" + "".join(
                        f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'
                        for i, w in enumerate(sheet.widths, 1)) + "</cols>")
                buf.append("<sheetData>")
                r = 0
                for values, style in sheet.lead:
                    r += 1
                    buf.append(f'<row r="{r}">'
                               + "".join(strings.cell(v, style) for v in values) + "</row>")
                cell = strings.cell
                for values in sheet.rows:
                    r += 1
                    buf.append(f'<row r="{r}">' + "".join(map(cell, values)) + "</row>")
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
        names = [_text(s.name[:31]) for s in sheets]
        z.writestr("xl/workbook.xml", f'{HEAD}<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>'
                   + "".join(f'<sheet name="{nm}" sheetId="{i}" r:id="rId{i}"/>'
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
