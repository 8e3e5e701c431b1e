"""The quarter KPIs read index ranges, not history; they must equal a straightforward
recomputation over every row, on the demo at two sizes and for several periods."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from casework import demo
from casework.core.context import Workspace, open_workspace
from casework.reporting import kpis

pytestmark = pytest.mark.dates
PASSWORD = "kpi-scale-synthetic"
PERIODS = ("2025Q4", "2026Q2", "2026Q3", "2026", "2026-11")


@pytest.fixture(scope="module", params=[150, 450], ids=lambda n: f"{n}-cases")
def coordinator(request: pytest.FixtureRequest,
                tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    path = tmp_path_factory.mktemp("kpis") / "demo.db"
    demo.create_demo_database(Path(path), cases=request.param, seed=5, password=PASSWORD,
                              today=date(2026, 12, 1))
    ws = open_workspace(path, "coord", PASSWORD)
    yield ws
    ws.lock()


def rows(ws: Workspace, sql: str) -> list[tuple]:
    conn = ws.store.raw_connection()
    try:
        return [tuple(r) for r in conn.execute(sql)]
    finally:
        conn.close()


def day(text: str | None) -> date | None:
    return date.fromisoformat(text[:10]) if text else None


@pytest.mark.parametrize("period", PERIODS)
def test_panel_figures_equal_a_full_recomputation(coordinator: Workspace, period: str) -> None:
    p = kpis.parse_period(period)
    got = kpis.compute_kpis(coordinator, period, today=date(2026, 12, 1)).panels
    cases = [(t, day(o), day(c)) for t, o, c in rows(
        coordinator, "SELECT case_type, opened_on, closed_on FROM cases")]
    for t in ("swip", "mart"):
        expected = sum(1 for ct, o, c in cases
                       if ct == t and o <= p.end and (c is None or c > p.end))
        assert got.open_at_end[t] == expected, (t, period)
        assert got.referrals[t] == sum(1 for ct, o, _c in cases
                                       if ct == t and p.start <= o <= p.end)
    mart = [(e, bool(child)) for e, child, o in rows(
        coordinator, "SELECT m.exploitation_type, m.is_child, c.opened_on FROM mart_details m "
                     "JOIN cases c ON c.id = m.case_id")
            if p.start <= day(o) <= p.end]
    assert got.mart_exploitation_types == dict(Counter(e for e, _c in mart))
    assert got.mart_children == sum(1 for _e, c in mart if c)
    assert got.mart_adults == sum(1 for _e, c in mart if not c)
    assert sum(got.open_at_end.values()) > 0


@pytest.mark.parametrize("period", PERIODS)
def test_asb_figures_equal_a_full_recomputation(coordinator: Workspace, period: str) -> None:
    p = kpis.parse_period(period)
    got = kpis.compute_kpis(coordinator, period, today=date(2026, 12, 1)).asb
    opened = [r for r in rows(coordinator,
                              "SELECT c.opened_on, a.first_contact_on, a.first_contact_due "
                              "FROM cases c JOIN asb_details a ON a.case_id = c.id "
                              "WHERE c.case_type = 'asb'")
              if p.start <= day(r[0]) <= p.end]
    assert got.cases_opened == len(opened)
    assert got.first_contact_outstanding == sum(1 for r in opened if r[1] is None)
    steps = Counter(a for a, t in rows(coordinator,
                                       "SELECT action, taken_on FROM escalation_steps")
                    if p.start <= day(t) <= p.end)
    assert got.steps_by_action == dict(steps)
    # Subjects whose first intervention fell in the period, and of those how many had no
    # incident after it (in any case where they are the subject).
    subject_of = dict(rows(coordinator, "SELECT case_id, subject_person_id FROM asb_details "
                                        "WHERE subject_person_id IS NOT NULL"))
    first: dict[int, date] = {}
    for case_id, action, taken in rows(coordinator,
                                       "SELECT case_id, action, taken_on FROM escalation_steps"):
        who = subject_of.get(case_id)
        if who is None or action in kpis.NOT_INTERVENTIONS:
            continue
        first[who] = min(first.get(who, day(taken)), day(taken))
    chosen = {who: d for who, d in first.items() if p.start <= d <= p.end}
    later = {(subject_of[c], day(o)) for c, o in rows(
        coordinator, "SELECT case_id, occurred_on FROM incidents") if c in subject_of}
    again = {who for who, d in chosen.items() if any(w == who and o > d for w, o in later)}
    assert got.subjects_first_intervention == len(chosen)
    assert got.subjects_no_further_asb == len(chosen) - len(again)


def plans(ws: Workspace, p: kpis.Period) -> dict[str, list[str]]:
    """EXPLAIN QUERY PLAN of every KPI query for ``p``, by aggregate name."""
    from sqlalchemy import text
    from sqlalchemy.dialects import sqlite

    from casework.core import aggregates

    out = {}
    with ws.uow() as session:
        for name, agg in sorted(aggregates.REGISTRY.items()):
            if not name.startswith("kpi_"):
                continue
            stmt = agg.build(aggregates.Params(p.start, p.end, date(2026, 12, 1)))
            sql = str(stmt.compile(dialect=sqlite.dialect(),
                                   compile_kwargs={"literal_binds": True}))
            out[name] = [str(r[-1]) for r in session.execute(text(f"EXPLAIN QUERY PLAN {sql}"))]
    return out


def test_no_kpi_query_scans_a_table(coordinator: Workspace) -> None:
    tables = {t for (t,) in rows(coordinator,
                                 "SELECT name FROM sqlite_master WHERE type = 'table'")}
    found = plans(coordinator, kpis.parse_period("2026Q3"))
    assert "kpi_asb_no_further" in found and "kpi_asb_closed" in found
    for name, plan in found.items():
        for line in plan:
            words = line.split()
            if words[:1] == ["SCAN"]:
                assert words[1] not in tables, (name, plan)


def test_the_no_further_asb_seeks_read_only_indexes(coordinator: Workspace) -> None:
    plan = plans(coordinator, kpis.parse_period("2026Q3"))["kpi_asb_no_further"]
    seeks = [line for line in plan if line.startswith("SEARCH")]
    assert len(seeks) >= 5, plan
    for line in seeks:
        # the one table read is the step's case detail, by its primary key
        assert "COVERING INDEX" in line or "INTEGER PRIMARY KEY" in line, plan
    for table in ("escalation_steps_1", "incidents"):
        assert any(line.startswith(f"SEARCH {table} USING COVERING INDEX") for line in seeks), plan
