"""The quarterly dataset: k-anonymity, suppression across its linked tables, its files."""

from __future__ import annotations

import csv
import json
import random
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from casework.core.errors import PermissionDenied
from casework.sharing import quarterly
from casework.sharing.rules import age_band
from db.models import AuditEntry, Case, CaseParty, Lsoa, Person
from tests.casework.sharing.builders import build_all
from tests.pg_backend import roster_name

# Depends on what day it is: CI runs it on several (tests/conftest.py).
pytestmark = pytest.mark.dates


def fill(ws, n: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    with ws.uow() as s:
        lsoas = sorted(s.scalars(select(Lsoa.code)))[:12]
        for i in range(n):
            opened = date(2026, 7, 1) + timedelta(days=rng.randrange(90))
            closed = opened + timedelta(days=20) if rng.random() < 0.3 else None
            p = Person(given_name="Synth", family_name=f"Person{i}",
                       date_of_birth=date(1950 + rng.randrange(60), 1 + rng.randrange(12), 1),
                       gender=rng.choice(["female", "male"]))
            s.add(p)
            s.flush()
            c = Case(reference=f"Q-{i}", case_type=rng.choice(["asb", "asb", "sanctuary"]),
                     opened_on=opened, closed_on=closed, status="closed" if closed else "open",
                     outcome="resolved" if closed else None,
                     lsoa_code=rng.choice(lsoas + [None]))
            c.parties.append(CaseParty(person_id=p.id, role="victim"))
            s.add(c)


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.reader(fh) if not r or not r[0].startswith("#")]
    return rows[0], rows[1:]


def test_records_are_k_anonymous_and_files_are_written(db, tmp_path):
    build_all(db.system())
    fill(db.system(), 400)
    res = quarterly.export_quarterly(db.ws("coord"), "2026Q3", tmp_path / "out")
    assert res.protocol_version == 1
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == sorted(p.name for p in res.files)
    assert not [n for n in names if n.endswith(".part")]
    header, rows = read_csv(tmp_path / "out" / "quarterly-2026Q3-records.csv")
    assert header == ["case_type", "stage_or_decision", "quarter_opened", "quarter_closed",
                      "area", "age_band", "gender", "outcome"]
    qi = [header.index(c) for c in ("case_type", "area", "age_band", "gender",
                                    "quarter_opened", "quarter_closed")]
    counts = {}
    for r in rows:
        key = tuple(r[i] for i in qi)
        counts[key] = counts.get(key, 0) + 1
    assert rows and min(counts.values()) >= 5
    about = dict(read_csv(tmp_path / "out" / "quarterly-2026Q3-about.csv")[1])
    withheld = int(about["Rows withheld (still fewer than k=5 alike)"])
    assert len(rows) + withheld == int(about["Cases in the quarter"])
    with db.ws("admin").uow() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "export")).one()
        detail = json.loads(entry.detail)
    assert roster_name(entry.username) == "coord" and detail["protocol_version"] == 1
    assert detail["recipient"] == "Partnership liaison officers"
    assert set(detail["sha256"]) == set(names)


def test_only_the_coordinator_may_export(db, tmp_path):
    out = tmp_path / "out"
    for user in ("cm", "swipchair", "admin"):
        with pytest.raises(PermissionDenied):
            quarterly.export_quarterly(db.ws(user), "2026Q3", out)
    assert not out.exists()  # refused before anything was made, not even the folder


def test_select_reads_no_identifying_column():
    sql = str(quarterly.case_select(date(2026, 7, 1), date(2026, 9, 30)))
    for column in ("given_name", "family_name", "phone", "email", "notes", "summary",
                   "alias", "line1", "postcode", "reference", "description", "progress"):
        assert column not in sql
    assert "date_of_birth" in sql


def test_age_bands():
    at = date(2026, 7, 1)
    assert age_band(date(2016, 7, 2), at) == "0-9"
    assert age_band(date(2016, 7, 1), at) == "10-17"
    assert age_band(date(2008, 7, 1), at) == "18-24"
    assert age_band(date(1961, 7, 2), at) == "50-64"
    assert age_band(date(1961, 7, 1), at) == "65+"
    assert age_band(None, at) == "unknown"
