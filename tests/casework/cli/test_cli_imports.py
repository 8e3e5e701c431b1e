"""Imports of any size stay within SQLite's limit on values per statement; a cell too
long for its field is bad input naming its row and column, and nothing is imported.

A file of 260,000 rows once failed with "too many SQL variables" (reported as damage):
the case import looked up every external reference in one statement. Rather than import
that many rows, these tests import more rows than the bound every statement keeps
(``db.batches.MAX_VARIABLES``) and measure the values bound to every statement.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, event, func, select

from casework.cli.main import main
from db.batches import MAX_VARIABLES
from db.models import Case, PoliceAsbIncident

ROWS = MAX_VARIABLES + 101
POLICE_HEADER = ("Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,"
                 "LSOA code,LSOA name,Crime type,Last outcome category,Context\n")


@contextmanager
def widest_statement() -> Iterator[list[int]]:
    """The most values any one statement bound while the block ran (in ``[0]``)."""
    widest = [0]

    def measure(_conn, _cursor, _statement, parameters, _context, executemany):
        parameters = parameters or ()
        if executemany and parameters and isinstance(parameters[0], tuple | list | dict):
            sizes = [len(row) for row in parameters]  # one execution per row
        else:
            sizes = [len(parameters)]
        widest[0] = max(widest[0], *sizes)

    event.listen(Engine, "before_cursor_execute", measure)
    try:
        yield widest
    finally:
        event.remove(Engine, "before_cursor_execute", measure)


def cli(db, monkeypatch, capsys, user: str, *argv: str) -> tuple[int, list[str]]:
    code = main([*db.cli(user).use(monkeypatch), *argv])
    return code, capsys.readouterr().err.strip().splitlines()


def bounded_run(db, monkeypatch, capsys, user: str, *argv: str) -> tuple[int, list[str]]:
    """``cli``, checking that no statement bound more than ``MAX_VARIABLES`` values."""
    db.close()
    with widest_statement() as widest:
        result = cli(db, monkeypatch, capsys, user, *argv)
    assert widest[0] <= MAX_VARIABLES
    return result


def count(db, model) -> int:
    with db.system().uow() as session:  # every row, whoever may see it
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_a_large_case_import_binds_a_bounded_number_of_values(db, tmp_path, monkeypatch,
                                                              capsys):
    path = tmp_path / "cases.csv"
    path.write_text("reference_external,opened_on,category\n" + "".join(
        f"OLD-{i:05d},2026-01-05,nuisance\n" for i in range(ROWS)), encoding="utf-8")
    code, err = bounded_run(db, monkeypatch, capsys, "cm", "import", "cases", str(path))
    assert code == 0, err
    assert count(db, Case) == ROWS
    # New references, then one imported already: it falls in the lookup's last batch.
    again = tmp_path / "again.csv"
    again.write_text("reference_external,opened_on,category\n" + "".join(
        f"NEW-{i:05d},2026-01-05,nuisance\n" for i in range(ROWS))
        + f"OLD-{ROWS - 1:05d},2026-01-05,nuisance\n", encoding="utf-8")
    code, err = bounded_run(db, monkeypatch, capsys, "cm", "import", "cases", "--dry-run",
                            str(again))
    assert code == 2
    assert err == [f"casework-cli: row {ROWS + 2}: reference_external: already imported",
                   "casework-cli: error: the file was rejected (1 problem(s)); nothing was "
                   "imported."]
    assert count(db, Case) == ROWS


def _police_rows(n: int, location: str = "On or near Cowley Road") -> str:
    return "".join(f",2018-06,Thames Valley Police,Thames Valley Police,-1.2,51.7,"
                   f"{location},E01028522,Oxford 001A,Anti-social behaviour,,\n"
                   for _ in range(n))


def test_a_large_police_import_binds_a_bounded_number_of_values(db, tmp_path, monkeypatch,
                                                                capsys):
    path = tmp_path / "street.csv"
    path.write_text(POLICE_HEADER + _police_rows(ROWS), encoding="utf-8")
    code, err = bounded_run(db, monkeypatch, capsys, "coord", "import", "police-uk",
                            str(path))
    assert code == 0, err
    assert count(db, PoliceAsbIncident) == ROWS


def test_a_case_cell_too_long_for_the_csv_reader_names_row_and_column(db, tmp_path,
                                                                      monkeypatch, capsys):
    path = tmp_path / "cases.csv"
    huge = "x" * 200_000
    path.write_text("reference_external,opened_on,category,summary\n"
                    "A-1,2026-01-05,nuisance,short\n"
                    f'A-2,2026-01-05,nuisance,"{huge}"\n'
                    "A-3,2026-01-05,nuisance,short\n", encoding="utf-8")
    db.close()
    code, err = cli(db, monkeypatch, capsys, "cm", "import", "cases", str(path))
    assert code == 2
    assert err[0] == "casework-cli: row 3: summary: the cell is longer than 131072 characters"
    assert "nothing was imported" in err[-1]
    assert huge[:50] not in "\n".join(err)
    assert count(db, Case) == 0


def test_a_police_cell_longer_than_its_field_names_line_and_column(db, tmp_path,
                                                                   monkeypatch, capsys):
    path = tmp_path / "street.csv"
    path.write_text(POLICE_HEADER + _police_rows(2) + _police_rows(1, "L" * 201)
                    + _police_rows(1), encoding="utf-8")
    db.close()
    code, err = cli(db, monkeypatch, capsys, "coord", "import", "police-uk", str(path))
    assert code == 2
    assert err == ["casework-cli: error: Line 4: Location is longer than 200 characters; "
                   "nothing was imported."]
    assert count(db, PoliceAsbIncident) == 0


def test_a_police_file_that_is_not_utf8_is_bad_input(db, tmp_path, monkeypatch, capsys):
    path = Path(tmp_path / "street.csv")
    path.write_bytes(POLICE_HEADER.encode() + b"\xff\xfe,2018-06\n")
    db.close()
    code, err = cli(db, monkeypatch, capsys, "coord", "import", "police-uk", str(path))
    assert (code, err) == (2, ["casework-cli: error: The file is not UTF-8 text."])
