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
from tests.casework.sharing.attacker import Attack

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
    cols, labels, cells = published(tmp_path / "q" / "quarterly-2018Q2-asb_by_lsoa.csv")
    assert labels[-2] == "unknown"
    about = (tmp_path / "q" / "quarterly-2018Q2-asb_by_lsoa.csv").read_text()
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


def test_real_police_file_small_cells_are_suppressed_and_cannot_be_recovered(db, tmp_path):
    ws = db.ws("coord")
    import_police_uk(ws, POLICE)
    add_council_asb(db.ws("admin"), 60)
    quarterly.export_quarterly(ws, "2018Q2", tmp_path)
    real = real_asb_counts()
    # Every published number of every table is 0 or at least 5; every real 1-4 is hidden.
    tables = {}
    for name in quarterly.TABLE_NAMES:
        tables[name] = published(tmp_path / f"quarterly-2018Q2-{name}.csv")
        for row in tables[name][2]:
            assert all(v is None or v == 0 or v >= 5 for v in row)
    cols, labels, cells = tables["asb_by_lsoa"]
    by_label = dict(zip(labels, cells, strict=True))
    small = [code for code, n in real.items() if 1 <= n <= 4]
    assert len(small) >= 40
    for code in small:
        assert by_label[code][1] is None
    for code, n in real.items():
        if by_label[code][1] is not None:
            assert by_label[code][1] == n

    # The attacker uses every published number and every equation between them.
    attack = Attack()
    msoa = msoa_of()
    types = tables["cases_by_msoa_and_type"][0][:-1]
    a_cols, a_rows, a_cells = tables["cases_by_msoa_and_type"]
    a_names = [[("council", g) if t == "asb" else ("case", g, t) for t in types]
               + [("cases", g)] for g in a_rows[:-1]]
    a_names.append([("council", "all") if t == "asb" else ("case", "all", t) for t in types]
                   + [("cases", "all")])
    attack.add_grid("A", a_cells, a_names)
    d_cols, d_rows, d_cells = tables["cases_by_type_and_quarter"]
    d_names = [[(a_names[-1][types.index(t)] if q == "2018Q2" else ("q", q, t))
                for q in d_cols[:-1]] + [("q4", t)] for t in d_rows[:-1]]
    d_names.append([("cases", "all") if q == "2018Q2" else ("q", q, "all")
                    for q in d_cols[:-1]] + [("q4", "all")])
    attack.add_grid("D", d_cells, d_names)
    for name, level in (("asb_by_lsoa", "lsoa"), ("asb_by_msoa", "msoa")):
        _cols, rows, cells = tables[name]
        names = [[("council", r), ("police", r), ("both", r)] for r in rows[:-1]]
        names.append([("council", "all"), ("police", "all"), ("both", "all")])
        attack.add_grid(name, cells, names)
    lsoa_rows = tables["asb_by_lsoa"][1][:-1]
    for g in tables["asb_by_msoa"][1][:-1]:
        members = [r for r in lsoa_rows if msoa.get(r, "unknown") == g]
        for measure in ("council", "police", "both"):
            attack.equation([((measure, r), 1) for r in members] + [((measure, g), -1)])
    bounds = attack.bounds()
    assert len(bounds) >= 40
    assert attack.recovered() == []
