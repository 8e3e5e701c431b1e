"""The CSV reader is strict and never repeats a cell: an unterminated quote, a NUL or a
row of the wrong width is an error naming its row; a file without a header row is refused
without echoing its cells; NUL bytes never reach a person's name."""

from __future__ import annotations

import pytest

from casework.asb import importer
from casework.core.csvrows import CsvProblem, records
from casework.core.errors import ValidationError
from casework.people import persons as people
from tests.casework.asb.test_importer import GOOD, HEADER, _counts


def test_an_unterminated_quote_is_an_error_naming_its_row_not_a_merged_case(db):
    rows = [GOOD[0],
            'OLD-7,2026-01-05,personal,,,E01028522,open,,,,1,"Zed,Quinn,,,,,,\n',
            GOOD[3]]
    before = _counts(db.ws("cm"))
    with pytest.raises(importer.ImportRejected) as exc:
        importer.import_cases(db.ws("cm"), (HEADER + "".join(rows)).encode())
    assert [(e.row, e.field) for e in exc.value.errors] == [(3, "row")]
    assert "quote" in str(exc.value) and "Zed" not in str(exc.value)
    assert _counts(db.ws("cm")) == before


def test_a_nul_is_an_error_naming_its_row(db):
    bad = GOOD[0].replace("OLD-1", "OLD-8").replace("Ann", "A\x00nn")
    with pytest.raises(importer.ImportRejected) as exc:
        importer.import_cases(db.ws("cm"), (HEADER + GOOD[1] + bad).encode())
    assert [(e.row, e.field) for e in exc.value.errors] == [(3, "row")]
    assert "NUL" in str(exc.value) and "nn" not in str(exc.value)


@pytest.mark.parametrize("cells", [17, 19])
def test_a_row_of_the_wrong_width_is_an_error_naming_its_row(db, cells):
    row = ",".join(["OLD-9", "2026-01-05", "personal"] + ["Sam"] * (cells - 3)) + "\n"
    with pytest.raises(importer.ImportRejected) as exc:
        importer.import_cases(db.ws("cm"), (HEADER + GOOD[0] + row).encode())
    assert [(e.row, e.field) for e in exc.value.errors] == [(3, "row")]
    assert f"{cells} cell(s)" in str(exc.value) and "Sam" not in str(exc.value)


def test_a_file_without_a_header_row_does_not_echo_its_cells(db):
    content = "".join(GOOD).encode()  # data only: the first row is someone's data
    with pytest.raises(importer.ImportRejected) as exc:
        importer.import_cases(db.ws("cm"), content)
    everything = str(exc.value) + " ".join(str(e) for e in exc.value.errors)
    for cell in ("Ann", "Lee", "Bob", "Ray", "OLD-1", "harassment", "1970-02-03"):
        assert cell not in everything
    assert {e.row for e in exc.value.errors} == {1}


def test_a_long_cell_is_named_by_position_when_the_header_is_data():
    text = "Ann,Lee\n" + "x," + "y" * 200_000 + "\n"
    with pytest.raises(CsvProblem) as exc:
        list(records(text))
    assert exc.value.row == 2 and exc.value.column == "column 2" and "Lee" not in str(exc.value)


def test_blank_rows_are_skipped_and_keep_the_numbering():
    assert list(records("a,b\n\n1,2\n")) == [(1, ["a", "b"]), (3, ["1", "2"])]


def test_nul_and_control_characters_are_never_stored_in_a_name(db):
    ws = db.ws("cm")
    for data in (people.PersonInput("Al\x00ex", "Example"),
                 people.PersonInput("Alex", "Exa\x07mple"),
                 people.PersonInput("Alex", "Example", aliases=("A\x00",))):
        with pytest.raises(ValidationError) as exc:
            people.create_person(ws, data)
        assert "NUL or control" in str(exc.value) and "Al" not in str(exc.value)
    # a line break in the notes is fine
    assert people.create_person(ws, people.PersonInput("Alex", "Example", notes="a\nb")).id
