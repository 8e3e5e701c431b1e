"""police.uk import, and disclosure control on the real Oxford file, attacked."""

from __future__ import annotations

import csv
import random
import shutil
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from casework.core.errors import PermissionDenied, ValidationError
from casework.sharing import quarterly
from casework.sharing.police import import_police_uk
from db.models import Case, PoliceAsbIncident

POLICE = (Path(__file__).resolve().parents[2] / "data"
          / "police-uk-2018-06-thames-valley-street-oxford.csv")
LSOAS = Path(__file__).resolve().parents[3] / "resources" / "oxford-lsoas.csv"
MARK = "[c]"



def real_asb_counts() -> Counter[str]:
    with open(POLICE, newline="", encoding="utf-8") as fh:
        return Counter(r["LSOA code"] for r in csv.DictReader(fh)
                       if r["Crime type"] == "Anti-social behaviour")


def msoa_of() -> dict[str, str]:
    with open(LSOAS, newline="", encoding="utf-8") as fh:
        return {r["lsoa_code"]: r["msoa_code"] for r in csv.DictReader(fh)}


def published(path: Path) -> tuple[list[str], list[str], list[list[int | None]]]:
    """A published table: its column names, row labels and numbers (None where hidden)."""
    with open(path, newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.reader(fh) if r and not r[0].startswith("#")]
    header, body = rows[0], rows[1:]
    cells = [[None if v == MARK else int(v) for v in r[1:]] for r in body]
    return header[1:], [r[0] for r in body], cells


def test_import_keeps_asb_rows_and_counts_missing_areas(db, tmp_path):
    ws = db.ws("coord")
    res = import_police_uk(ws, POLICE)
    assert (res.rows_read, res.rows_kept, res.rows_no_lsoa) == (1515, 251, 0)
    assert res.months == ("2018-06",)
    again = import_police_uk(ws, POLICE)
    assert again.already_imported
    # A corrected file for the same month replaces it; an ASB row with no LSOA is counted.
    edited = tmp_path / "edited.csv"
    shutil.copy(POLICE, edited)
    with open(edited, "a", encoding="utf-8") as fh:
        fh.write(",2018-06,Thames Valley Police,Thames Valley Police,,,No Location,,,"
                 "Anti-social behaviour,,\n")
    res2 = import_police_uk(ws, edited)
    assert (res2.rows_kept, res2.rows_no_lsoa, res2.replaced) == (252, 1, 251)
    with ws.uow() as s:
        assert s.scalar(select(func.count()).select_from(PoliceAsbIncident)) == 252
        assert s.scalar(select(func.count()).select_from(PoliceAsbIncident)
                        .where(PoliceAsbIncident.lsoa_code.is_(None))) == 1
    out = quarterly.export_quarterly(ws, "2018Q2", tmp_path / "q")
    assert out.facts["rows"] == 0
    police_table = tmp_path / "q" / "quarterly-2018Q2-police_asb_by_lsoa.csv"
    cols, labels, cells = published(police_table)
    assert labels[-2] == "unknown"
    about = police_table.read_text()
    assert "1 police-recorded incidents had no LSOA" in about


def test_import_refuses_other_files_and_roles(db, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    with pytest.raises(ValidationError):
        import_police_uk(db.ws("coord"), bad)
    with pytest.raises(PermissionDenied):
        import_police_uk(db.ws("cm"), bad)


def add_council_asb(ws, n: int, seed: int = 7) -> Counter[str]:
    rng = random.Random(seed)
    codes = sorted(msoa_of())
    made: Counter[str] = Counter()
    with ws.uow() as s:
        for i in range(n):
            code = rng.choice(codes[:30])
            s.add(Case(reference=f"P-{i}", case_type=rng.choice(["asb", "asb", "trigger"]),
                       opened_on=date(2018, 4 + rng.randrange(3), 1 + rng.randrange(28)),
                       status="open", lsoa_code=code))
            made[code] += 1
    return made


def test_real_police_file_small_cells_are_suppressed_and_stand_apart(db, tmp_path):
    ws = db.ws("coord")
    import_police_uk(ws, POLICE)
    add_council_asb(db.system(), 60)
    quarterly.export_quarterly(ws, "2018Q2", tmp_path)
    real = real_asb_counts()
    # Every published number of every table is 0 or at least 5.
    tables = {}
    for name in quarterly.TABLE_NAMES:
        tables[name] = published(tmp_path / f"quarterly-2018Q2-{name}.csv")
        for row in tables[name][2]:
            assert all(v is None or v == 0 or v >= 5 for v in row)
    # The public figures have a table of their own: every real 1-4 is hidden there, every
    # published figure is the real one, and no council count is beside them.
    cols, labels, cells = tables[quarterly.POLICE_TABLE]
    assert cols == [quarterly.POLICE]
    by_label = dict(zip(labels, cells, strict=True))
    small = [code for code, n in real.items() if 1 <= n <= 4]
    assert len(small) >= 40
    for code in small:
        assert by_label[code][0] is None
    for code, n in real.items():
        if by_label[code][0] is not None:
            assert by_label[code][0] == n
    assert tables["asb_by_lsoa"][0] == [quarterly.COUNCIL]
    # The council figures, attacked with the public ones known, are attacked in
    # test_public_attack.py; here the council LSOA table adds up to the MSOA table.
    _c, a_rows, a_cells = tables["cases_by_msoa_and_type"]
    _c, b_rows, b_cells = tables["asb_by_lsoa"]
    assert a_cells[-1][0] == b_cells[-1][0] == sum(add_council_asb_counts(db).values())


def add_council_asb_counts(db) -> Counter[str]:
    with db.system().uow() as s:
        return Counter(s.scalars(select(Case.lsoa_code).where(Case.case_type == "asb")))
