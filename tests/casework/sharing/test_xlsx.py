"""The project's XLSX writer, read back with openpyxl: values and types, dates, several
sheets, Excel-legal sheet names, refused numbers, text that looks like a formula, and
characters XML cannot hold."""

from __future__ import annotations

import re
import warnings
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from casework.sharing import xlsx
from casework.sharing.pipeline import Release
from casework.sharing.render_tabular import Sheet, write_xlsx
from casework.sharing.rules import letters

FORMULA_LIKE = ["=SUM(A1)", "+1", "-1", "@x", "=HYPERLINK(\"http://x\",\"y\")"]
FORBIDDEN = set("[]:*?/\\")


def write(path: Path, *sheets: xlsx.XSheet) -> Path:
    xlsx.write(path, list(sheets), "OFFICIAL-SENSITIVE", "Recipient", "protocol v1")
    return path


def sheet(name: str, *rows: list[Any], lead: list[tuple[list[Any], int]] | None = None,
          widths: tuple[float, ...] = ()) -> xlsx.XSheet:
    return xlsx.XSheet(name, lead or [], list(rows), widths)


def load(path: Path) -> openpyxl.Workbook:
    """Load as Excel would need it: every part well-formed XML, and openpyxl with no
    warning (it warns of titles over 31 characters) and no error."""
    with zipfile.ZipFile(path) as z:
        for part in z.namelist():
            ElementTree.fromstring(z.read(part))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return openpyxl.load_workbook(path)


def values(wb: openpyxl.Workbook, index: int = 0) -> list[list[Any]]:
    return [list(row) for row in wb.worksheets[index].iter_rows(values_only=True)]


def excel_legal(name: str) -> bool:
    return (0 < len(name) <= 31 and not FORBIDDEN & set(name)
            and not name.startswith("'") and not name.endswith("'")
            and not re.search(r"[\x00-\x1f\x7f]", name)
            and name.casefold() != "history")


# ---------------------------------------------------------------- values and types

def test_values_keep_their_types(tmp_path):
    row = ["text", 42, -7, 2**40, 3.25, 1e-7, -0.5, True, False, None, ""]
    wb = load(write(tmp_path / "a.xlsx", sheet("Data", row)))
    got = values(wb)[0]
    assert got == ["text", 42, -7, 2**40, 3.25, 1e-7, -0.5, True, False, None, None]
    assert [type(v) for v in got[:9]] == [str, int, int, int, float, float, float, bool, bool]
    cells = wb.worksheets[0][1]
    assert [c.data_type for c in cells[:9]] == ["s", "n", "n", "n", "n", "n", "n", "b", "b"]


def test_true_and_1_are_not_confused_in_either_order(tmp_path):
    wb = load(write(tmp_path / "a.xlsx", sheet("Data", [1, True, 0, False],
                                                [False, 0, True, 1, 1.0])))
    first, second = values(wb)
    assert first[:4] == [1, True, 0, False] and second == [False, 0, True, 1, 1.0]
    assert [type(v) for v in first[:4]] == [int, bool, int, bool]
    assert [type(v) for v in second] == [bool, int, bool, int, float]


def test_text_is_kept_as_given(tmp_path):
    texts = ["  spaced  ", "line\nbreak", "tab\there", "cr\rhere", "<b>&amp;</b>", "émoji 🙂",
             "a" * xlsx.MAX_TEXT]
    wb = load(write(tmp_path / "a.xlsx", sheet("Data", texts)))
    assert values(wb)[0] == texts


def test_lead_rows_are_styled_and_data_rows_follow(tmp_path):
    data = sheet("Data", ["a", 1], ["b", 2], widths=(20, 10),
                 lead=[(["OFFICIAL-SENSITIVE | Table"], xlsx.MARK), (["Name", "Count"],
                                                                    xlsx.BOLD)])
    wb = load(write(tmp_path / "a.xlsx", data))
    assert values(wb) == [["OFFICIAL-SENSITIVE | Table", None], ["Name", "Count"], ["a", 1],
                          ["b", 2]]
    ws = wb.worksheets[0]
    assert ws["A1"].font.b and ws["A1"].font.color.rgb == "FFB00020"
    assert ws["A2"].font.b and not ws["A3"].font.b
    assert ws.column_dimensions["A"].width == 20
    assert ws.oddHeader.center.text and "OFFICIAL-SENSITIVE" in ws.oddHeader.center.text


def test_several_sheets_in_order(tmp_path):
    wb = load(write(tmp_path / "a.xlsx", sheet("About", ["x"]), sheet("Records", [1], [2]),
                    sheet("Table 1", ["t", 3.5])))
    assert wb.sheetnames == ["About", "Records", "Table 1"]
    assert [values(wb, i) for i in range(3)] == [[["x"]], [[1], [2]], [["t", 3.5]]]


def test_a_workbook_needs_a_sheet(tmp_path):
    with pytest.raises(ValueError, match="at least one sheet"):
        write(tmp_path / "a.xlsx")


def test_many_rows_stream_through(tmp_path):
    rows = ([f"E0{i % 50:04d}", i, i / 4, date(2026, 1, 1) + timedelta(days=i % 90)]
            for i in range(10_000))
    wb = load(write(tmp_path / "a.xlsx", xlsx.XSheet("Data", [], rows)))
    got = values(wb)
    assert len(got) == 10_000 and got[-1][:3] == ["E00049", 9999, 2499.75]
    assert got[-1][3].date() == date(2026, 1, 1) + timedelta(days=9999 % 90)


# ---------------------------------------------------------------- dates

@pytest.mark.parametrize("day", [date(1900, 1, 1), date(1900, 2, 28), date(1900, 3, 1),
                                 date(1970, 1, 1), date(2024, 2, 29), date(2026, 12, 31),
                                 date(9999, 12, 31)])
def test_dates_read_back_as_dates(tmp_path, day):
    wb = load(write(tmp_path / "a.xlsx", sheet("Data", [day])))
    cell = wb.worksheets[0]["A1"]
    assert cell.is_date and cell.number_format == "yyyy-mm-dd"
    assert cell.value == datetime(day.year, day.month, day.day)


@pytest.mark.parametrize("moment", [datetime(2026, 3, 1, 13, 45, 30),
                                    datetime(2026, 3, 29, 0, 59, 59),
                                    datetime(2000, 1, 1, 23, 59, 59, 250_000)])
def test_datetimes_read_back_with_their_time(tmp_path, moment):
    wb = load(write(tmp_path / "a.xlsx", sheet("Data", [moment])))
    cell = wb.worksheets[0]["A1"]
    assert cell.is_date and cell.number_format == "yyyy-mm-dd hh:mm:ss"
    assert cell.value == moment


def test_dates_in_a_styled_lead_row_are_still_dates(tmp_path):
    wb = load(write(tmp_path / "a.xlsx", sheet("Data", lead=[(["Run", date(2026, 1, 2)],
                                                              xlsx.BOLD)])))
    assert wb.worksheets[0]["B1"].is_date


@pytest.mark.parametrize(("value", "why"), [
    (date(1899, 12, 31), "a date before 1900"),
    (datetime(2026, 1, 1, 9, tzinfo=UTC), "time zone"),
])
def test_dates_excel_cannot_hold_are_refused(tmp_path, value, why):
    with pytest.raises(ValueError, match=why):
        write(tmp_path / "a.xlsx", sheet("Data", ["ok", value]))


# ---------------------------------------------------------------- refused values

@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf")])
def test_nan_and_infinity_are_refused_naming_the_place_not_the_value(tmp_path, bad):
    data = sheet("Records", ["Zebediah Quillfeather", 1.5], ["Marigold", 2.0, bad])
    with pytest.raises(ValueError) as exc:
        write(tmp_path / "a.xlsx", sheet("About", ["x"]), data)
    message = str(exc.value)
    assert message == ("Cannot write sheet 'Records', row 2, column C: a number that is "
                       "not finite (NaN or infinity).")
    assert "nan" not in message and not re.search(r"\binf\b", message)
    assert "Marigold" not in message


def test_a_refused_value_in_a_lead_row_is_placed_too(tmp_path):
    data = sheet("Data", lead=[(["Title"], xlsx.MARK), (["a", "b", float("nan")], xlsx.BOLD)])
    with pytest.raises(ValueError, match="sheet 'Data', row 2, column C"):
        write(tmp_path / "a.xlsx", data)


def test_text_longer_than_a_cell_holds_is_refused(tmp_path):
    wide = [None] * 26 + ["x" * (xlsx.MAX_TEXT + 1)]
    with pytest.raises(ValueError) as exc:
        write(tmp_path / "a.xlsx", sheet("Notes", wide))
    assert str(exc.value).startswith("Cannot write sheet 'Notes', row 1, column AA: text")
    assert "xxx" not in str(exc.value)


def test_column_letters():
    assert [letters(n) for n in (1, 26, 27, 52, 53, 702, 703, 16384)] == [
        "A", "Z", "AA", "AZ", "BA", "ZZ", "AAA", "XFD"]


# ---------------------------------------------------------------- formulas

def test_text_that_looks_like_a_formula_is_text(tmp_path):
    path = write(tmp_path / "a.xlsx", sheet("Data", FORMULA_LIKE))
    wb = load(path)
    cells = wb.worksheets[0][1]
    assert [c.value for c in cells] == FORMULA_LIKE
    assert all(c.data_type == "s" for c in cells)
    with zipfile.ZipFile(path) as z:
        assert "<f>" not in z.read("xl/worksheets/sheet1.xml").decode()


def test_released_workbooks_also_neutralise_formula_text(tmp_path):
    release = Release("x", "T", 1, "OFFICIAL-SENSITIVE", "R", "P", "B", date(2026, 1, 1), "u",
                      None)
    write_xlsx(tmp_path / "r.xlsx", release,
               [Sheet("Data", "Title", ["a", "b", "c", "d", "e"], [FORMULA_LIKE + [-1]])], [])
    wb = load(tmp_path / "r.xlsx")
    assert values(wb, 1)[-1] == ["'" + v for v in FORMULA_LIKE] + [-1]


# ---------------------------------------------------------------- XML-illegal characters

def test_characters_xml_cannot_hold_are_removed(tmp_path):
    dirty = "a\x00b\x07c\x0bd\x1fe\ufffef\ud800g"
    path = write(tmp_path / "a.xlsx", sheet("Bad\x01name", [dirty, "fine\x7f"],
                                            lead=[([dirty], xlsx.BOLD)]))
    wb = load(path)
    assert wb.sheetnames == ["Badname"]
    assert values(wb) == [["abcdefg", None], ["abcdefg", "fine\x7f"]]


def test_header_and_footer_text_is_escaped(tmp_path):
    xlsx.write(tmp_path / "a.xlsx", [sheet("Data", [1])], "A & B <official>", "R&D \x01",
               "v1")
    ws = load(tmp_path / "a.xlsx").worksheets[0]
    assert "A && B <official>" in ws.oddHeader.center.text


# ---------------------------------------------------------------- sheet names

def test_sheet_names_are_made_excel_legal_and_distinct(tmp_path):
    asked = ["Cases [2026]: a/b\\c*?", "x" * 40, "x" * 40, "Data", "data", "DATA", "",
             "'quoted'", "History", "Q&A \"<1>\"", "Table 1", "Table 1"]
    expected = ["Cases _2026__ a_b_c__", "x" * 31, "x" * 27 + " (2)", "Data", "data (2)",
                "DATA (3)", "Sheet", "quoted", "History_", "Q&A \"<1>\"", "Table 1",
                "Table 1 (2)"]
    assert xlsx.sheet_names(asked) == expected
    wb = load(write(tmp_path / "a.xlsx", *[sheet(n, [i]) for i, n in enumerate(asked)]))
    assert wb.sheetnames == expected
    assert [values(wb, i) for i in range(len(asked))] == [[[i]] for i in range(len(asked))]


def test_a_truncated_name_does_not_end_in_an_apostrophe():
    name = "a" * 30 + "'b"
    assert xlsx.sheet_names([name, name]) == ["a" * 30, "a" * 27 + " (2)"]


@given(st.lists(st.text(max_size=40), min_size=1, max_size=12))
def test_any_names_become_legal_distinct_names(names):
    out = xlsx.sheet_names(names)
    assert len(out) == len(names)
    assert all(excel_legal(n) for n in out), out
    assert len({n.casefold() for n in out}) == len(out)
    assert xlsx.sheet_names(out) == out  # already legal names are kept as they are


@given(st.lists(st.text(alphabet=st.characters(codec="utf-8"), max_size=35), min_size=1,
                max_size=4))
def test_any_names_load_in_openpyxl(tmp_path_factory, names):
    path = tmp_path_factory.mktemp("names") / "n.xlsx"
    wb = load(write(path, *[sheet(n, [1]) for n in names]))
    assert wb.sheetnames == xlsx.sheet_names(names)
