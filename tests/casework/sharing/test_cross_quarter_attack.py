"""The attacker who keeps every quarterly dataset: several quarters' exports solved together
with the public police.uk counts.

Each quarter's record-level file holds every case open in that quarter, including cases
opened in earlier quarters, so a later file tells the attacker about an earlier file's
suppressed counts (and its four-quarter table repeats the earlier quarters' totals). The
attacker names every number by what it counts and in which quarter the cases were opened,
so the same quantity in two exports is one unknown; writes every equation (table totals,
MSOAs as sums of their LSOAs, case types summing to all cases); takes police.uk as known;
shares each group of alike records among the cells it could belong to (a case opened in the
file's own quarter is in the file unless withheld; an earlier one may since have closed);
then minimises and maximises every hidden council count. None may be narrowed below the
suppression range, and no export may hide a number another export publishes.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable
from datetime import date
from pathlib import Path

import pytest

from casework import demo
from casework.sharing import quarterly
from casework.sharing.police import import_police_uk
from tests.casework.sharing.attacker import Attack
from tests.casework.sharing.test_police import MARK, POLICE, msoa_of, real_asb_counts

EXPORTS = ("2018Q1", "2018Q2", "2018Q3")
POLICE_QUARTER = "2018Q2"  # the real file is June 2018
MAX_SMALL = 4
UNKNOWN_MSOA = "unknown MSOA"
CASE_TYPES = ("asb", "trigger", "swip", "mart", "sanctuary")


def read_csv(path: Path) -> list[list[str]]:
    import csv

    with open(path, newline="", encoding="utf-8") as fh:
        return [r for r in csv.reader(fh) if r and not r[0].startswith("#")]


def cases(area: str, ctype: str, quarter: str) -> tuple[str, ...]:
    """Cases of a type ('*': all types) opened in a quarter in an area (LSOA, MSOA, 'all')."""
    return ("cases", area, ctype, quarter)


class CrossQuarter:
    def __init__(self) -> None:
        self.attack = Attack()
        self.hidden: set[Hashable] = set()
        self.published: dict[Hashable, int] = {}
        self.msoa = msoa_of()
        self.lsoas = sorted(self.msoa) + ["unknown"]
        self.quarters: set[str] = set()
        self.n_group = 0

    def see(self, name: Hashable, value: int | None) -> None:
        if value is None:
            self.hidden.add(name)
            self.attack.publish(name, None)
        else:
            self.published[name] = value
            if name in self.attack.unknown:
                self.attack.learn(name, value)
            else:
                self.attack.publish(name, value)

    def table(self, folder: Path, label: str, table: str) -> None:
        rows = read_csv(folder / f"quarterly-{label}-{table}.csv")
        header, body = rows[0], rows[1:]
        cols = header[1:]
        for r in body:
            area = "all" if r[0] == "Total" else r[0]
            names = []
            for col, text in zip(cols, r[1:], strict=True):
                value = None if text == MARK else int(text)
                if table == "cases_by_msoa_and_type":
                    a = UNKNOWN_MSOA if area == "unknown" else area
                    name = cases(a, "*" if col == "Total" else col, label)
                elif table == "cases_by_type_and_quarter":
                    ctype = "*" if area == "all" else area
                    name = (("q4", ctype, label) if col == "Total"
                            else cases("all", ctype, col))
                    if col != "Total":
                        self.quarters.add(col)
                elif table == "asb_by_lsoa":
                    name = cases(area, "asb", label)
                else:
                    name = ("police", area, label)
                names.append(name)
                self.see(name, value)
            if table == "cases_by_type_and_quarter":
                self.attack.equation([(n, 1) for n in names[:-1]] + [(names[-1], -1)])
        self.quarters.add(label)

    def hierarchy(self) -> None:
        """LSOAs add up to MSOAs, MSOAs to all; types add up to '*'; for every quarter."""
        groups: dict[str, list[str]] = {}
        for c in self.lsoas:
            groups.setdefault(self.msoa.get(c, UNKNOWN_MSOA), []).append(c)
        for q in sorted(self.quarters):
            for t in (*CASE_TYPES, "*"):
                for g, members in groups.items():
                    self.attack.equation([(cases(c, t, q), 1) for c in members]
                                         + [(cases(g, t, q), -1)])
                self.attack.equation([(cases(g, t, q), 1) for g in groups]
                                     + [(cases("all", t, q), -1)])
            for area in [*self.lsoas, *groups, "all"]:
                self.attack.equation([(cases(area, t, q), 1) for t in CASE_TYPES]
                                     + [(cases(area, "*", q), -1)])
            # Nothing is ever recorded in the 'unknown' MSOA of the demo.
        for label in EXPORTS:
            for g, members in groups.items():
                self.attack.equation([(("police", c, label), 1) for c in members]
                                     + [(("police", g, label), -1)])

    def police(self) -> None:
        real = real_asb_counts()
        for code in set(self.msoa) | set(real):
            self.attack.learn(("police", code, POLICE_QUARTER), real.get(code, 0))
        self.attack.learn(("police", "unknown", POLICE_QUARTER), 0)
        self.attack.learn(("police", "all", POLICE_QUARTER), sum(real.values()))

    def records(self, folder: Path, label: str) -> int:
        rows = read_csv(folder / f"quarterly-{label}-records.csv")
        about = {r[0]: r[1] for r in read_csv(folder / f"quarterly-{label}-about.csv")
                 if len(r) == 2}
        withheld = next(int(v) for k, v in about.items() if k.startswith("Rows withheld"))
        columns, body = rows[0], rows[1:]
        i_type, i_q, i_area = (columns.index(c) for c in ("case_type", "quarter_opened", "area"))
        la = {r[i_area] for r in body} - set(self.msoa) - set(self.msoa.values()) - {"unknown"}
        assert len(la) <= 1, la
        known_q = sorted(q for q in self.quarters if q <= label)

        def areas(area: str) -> list[str]:
            if area in self.msoa or area == "unknown":
                return [area]
            if area in la:
                return self.lsoas
            return [c for c in self.lsoas if self.msoa.get(c) == area]

        def periods(opened: str) -> list[str]:
            if opened == "any":
                return [*known_q, "earlier"]
            if len(opened) == 4:
                got = [q for q in known_q if q.startswith(opened)]
                return got + (["earlier"] if len(got) < 4 else [])
            return [opened] if opened in known_q else ["earlier"]

        into: dict[Hashable, list[Hashable]] = {}
        for (ctype, opened, area), n in sorted(
                Counter((r[i_type], r[i_q], r[i_area]) for r in body).items()):
            self.n_group += 1
            shares = []
            for period in periods(opened):
                cells = ([cases(c, ctype, period) for c in areas(area)] if period != "earlier"
                         else [("earlier", label)])
                for cell in cells:
                    share = ("share", self.n_group, cell)
                    shares.append((share, 1))
                    into.setdefault(cell, []).append(share)
            self.attack.publish(("group", self.n_group), n)
            self.attack.equation([*shares, (("group", self.n_group), -1)])
        # Every case opened in the file's quarter is in the file unless withheld; an
        # earlier one is there unless it closed before the quarter (or was withheld).
        withheld_terms = []
        for c in self.lsoas:
            for t in CASE_TYPES:
                cell = cases(c, t, label)
                into.setdefault(cell, [])
        for cell, shares in into.items():
            if cell == ("earlier", label):
                continue
            slack = ("not in file", label, cell)
            if cell[3] == label:
                withheld_terms.append((slack, 1))
            self.attack.equation([*((s, 1) for s in shares), (slack, 1), (cell, -1)])
        self.attack.publish(("withheld", label), withheld)
        self.attack.equation([*withheld_terms, (("withheld elsewhere", label), 1),
                              (("withheld", label), -1)])
        return len(body)


@pytest.fixture
def three_quarters(db, tmp_path):
    """A demo database whose cases run to the end of September 2018, the real June 2018
    police.uk file, and the quarterly datasets of 2018Q1 to 2018Q3."""
    demo.generate(db.ws("admin"), 1500, 11, today=date(2018, 9, 30))
    assert import_police_uk(db.ws("coord"), POLICE).rows_kept == 251
    for label in EXPORTS:
        quarterly.export_quarterly(db.ws("coord"), label, tmp_path)
    return tmp_path


def test_several_quarters_with_police_uk_recover_no_council_count(three_quarters):
    folder = three_quarters
    x = CrossQuarter()
    for label in EXPORTS:
        for table in quarterly.TABLE_NAMES:
            x.table(folder, label, table)
    x.police()
    x.hierarchy()
    published_records = sum(x.records(folder, label) for label in EXPORTS)
    council = sorted((h for h in x.hidden if h[0] != "police"), key=repr)
    # The test means something: many small council counts are hidden, in every quarter...
    assert {h[3] if h[0] == "cases" else h[2] for h in council} >= set(EXPORTS[1:])
    assert len(council) >= 40
    # ...and the record files (most of their rows at LSOA level) are part of the attack.
    assert published_records >= 900
    # No export hides what another publishes.
    assert {h: x.published[h] for h in council if h in x.published} == {}
    # Early exit for numbers already seen moving by more than the range: exact otherwise.
    bounds = x.attack.bounds(council, width=MAX_SMALL + 1)
    narrowed = {h: (lo, hi) for h, (lo, hi) in bounds.items()
                if math.floor(hi + 1e-6) - math.ceil(lo - 1e-6) < MAX_SMALL}
    assert narrowed == {}
