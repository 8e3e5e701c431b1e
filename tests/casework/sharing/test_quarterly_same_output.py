"""The quick paths of the quarterly dataset write exactly what the plain ones wrote.

The field rules are applied a column at a time, the stage or decision is worked out once
per distinct combination, rows that need no neutralising are passed through and XLSX text
cells are looked up by value. Here the same fixed demo is exported twice, once through
the plain row-by-row code kept below as the reference, and every file (every part of the
workbook) must be the same byte for byte.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from casework.core import aggregates
from casework.sharing import quarterly, render_tabular, xlsx
from casework.sharing.rules import RecordRules
from casework.sharing.safety import FORMULA_STARTS
from tests.casework.sharing import demo_load


def _rows_one_by_one(self: RecordRules, rows: Iterable[Sequence[Any]]) -> list[list[Any]]:
    return [list(self(row)) for row in rows]


def _select_one_by_one(session, start: date, end: date) -> Iterator[tuple[Any, ...]]:
    last = end.isoformat()
    # The rows come from where select_cases takes them (on a team server the
    # coordinator's come from the server's definer function); each is worked out alone.
    source = quarterly._age_rows(session, start, end) \
        if aggregates.via_definer(session, quarterly._q_records) \
        else quarterly.driver_rows(session, quarterly.case_select(start, end))
    for ctype, opened, closed, outcome, lsoa, stage, met, nrm, dob, gender in source:
        if closed is not None and str(closed) > last:
            closed = outcome = None
        yield (ctype, quarterly.stage_or_decision(ctype, closed is not None, stage, met, nrm),
               opened, closed, lsoa, dob, gender, outcome)


def _clean_every_cell(rows: Iterable[Sequence[Any]]) -> Iterator[list[Any]]:
    for row in rows:
        yield [("'" + c) if isinstance(c, str) and c.startswith(FORMULA_STARTS) else c
               for c in row]


class _NoPlain(dict):  # the XLSX writer's by-value lookup always misses
    def __setitem__(self, key: str, value: str) -> None:
        pass


def _contents(folder: Path) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    for path in sorted(folder.iterdir()):
        if path.suffix == ".xlsx":  # zip entry dates are the time of writing
            with zipfile.ZipFile(path) as z:
                out |= {f"{path.name}/{n}": z.read(n) for n in z.namelist()}
        else:
            out[path.name] = path.read_bytes()
    return out


def test_quick_paths_write_the_same_files_as_the_plain_ones(db, tmp_path, monkeypatch):
    demo_load.generate(db, 900, 7, today=date(2026, 10, 20))
    quarterly.export_quarterly(db.ws("coord"), "2026Q3", tmp_path / "quick")
    quick = _contents(tmp_path / "quick")
    with monkeypatch.context() as m:
        m.setattr(RecordRules, "rows", _rows_one_by_one)
        m.setattr(quarterly, "select_cases", _select_one_by_one)
        m.setattr(render_tabular, "_clean_rows", _clean_every_cell)
        original = xlsx._Strings.__init__

        def init(self: xlsx._Strings) -> None:
            original(self)
            self.plain = _NoPlain()
        m.setattr(xlsx._Strings, "__init__", init)
        quarterly.export_quarterly(db.ws("coord"), "2026Q3", tmp_path / "plain")
    plain = _contents(tmp_path / "plain")
    # The demo is big enough to mean something: records at many levels, tables, workbook.
    records = quick["quarterly-2026Q3-records.csv"].decode("utf-8").splitlines()
    assert len(records) > 300
    assert sorted(quick) == sorted(plain)
    assert [n for n in quick if quick[n] != plain[n]] == []


def test_a_value_a_spreadsheet_would_run_is_still_neutralised():
    rows = [["asb", "=HYPERLINK(1)"], ["asb", "stage 2"]]
    assert list(render_tabular._clean_rows(rows)) == [["asb", "'=HYPERLINK(1)"],
                                                      ["asb", "stage 2"]]
    plain = [["asb", "stage 2"]]
    assert list(render_tabular._clean_rows(plain)) == plain


def test_column_rules_give_what_the_row_rules_give(db):
    from casework.sharing.protocol import default_definition, parse
    from casework.sharing.rules import RuleContext

    spec = parse(default_definition(), 1).outputs[quarterly.OUTPUT]
    ctx = RuleContext({"E01000001": "E02000001"}, "Oxford")
    rules = RecordRules(spec.rules_for("case"), quarterly.COLUMNS, ctx)
    rows = [("asb", "stage 2", "2026-07-03", None, "E01000001", "1990-07-04", "female", None),
            ("mart", "NRM referral", "2025-12-31", "2026-08-01", "X", None, "robot",
             "housed"),
            ("swip", "open", "2026-07-03", "", None, "2020-02-29", None, "made up")]
    assert rules.rows(rows) == [list(rules(r)) for r in rows]
