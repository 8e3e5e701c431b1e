"""The case list at scale: every page query is served by an index in list order, the
group counters agree with a plain COUNT after every kind of change, and a page found
by seeking (any offset, no remembered boundary) is the same as the straightforward
ordering's slice."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import delete, func, select, update

from casework.cases import caselist
from casework.cases.caselist import CaseFilter
from casework.core.context import SYSTEM
from db.models import Case
from tests.casework.cases import test_caselist as base
from tests.casework.cases.test_caselist import (
    LSOA_A,
    LSOA_B,
    add_case,
    all_rows,
    expected_order,
    ids_of,
)

world = base.world  # the same spread of cases over every type, team and panel


def plain_count(ws, flt: CaseFilter) -> int:
    """The straightforward count: every row the actor may see that matches."""
    with caselist.read_session(ws) as s:
        return int(s.scalar(select(func.count()).select_from(Case)
                            .where(*caselist._where(ws, flt))) or 0)


def filters(users: dict[str, int], teams: dict[str, int]) -> list[CaseFilter]:
    """The filters users pick most, alone and together."""
    asb_team = teams["ASB Team"]
    return [CaseFilter(), CaseFilter(case_type="asb"), CaseFilter(status="open"),
            CaseFilter(status="closed"), CaseFilter(team_id=asb_team),
            CaseFilter(owner_id=users["cm"]), CaseFilter(risk_level="high"),
            CaseFilter(lsoa_code=LSOA_A), CaseFilter(case_type="asb", status="open"),
            CaseFilter(case_type="asb", status="open", owner_id=users["cm"]),
            CaseFilter(status="open", risk_level="medium", team_id=asb_team),
            CaseFilter(case_type="asb", lsoa_code=LSOA_B, status="open"),
            CaseFilter(owner_id=users["cm"], lsoa_code=LSOA_A, risk_level="standard"),
            CaseFilter(reference_prefix="ASB-2025"), CaseFilter(stage=2)]


@pytest.mark.file_only(reason="SQLite's query plans (EXPLAIN QUERY PLAN, the file's indexes)")
def test_every_sort_with_the_common_filters_is_served_by_an_index(world):
    cm = world.ws("cm")
    with world.ws("admin").as_actor(SYSTEM).uow() as s:
        teams, _panels, users = ids_of(s)
    checked = 0
    for flt in filters(users, teams):
        if flt.reference_prefix or flt.stage is not None:
            continue  # checked row by row on top of an index walk: not a guarantee here
        for sort in caselist.SORT_KEYS:
            for descending in (True, False):
                plans = caselist.explain_page(cm, flt, sort, descending)
                assert plans, (flt, sort)
                for plan in plans:
                    text = " / ".join(plan)
                    assert "TEMP B-TREE" not in text, (flt, sort, descending, text)
                    for line in plan:
                        if " cases" in f" {line}":
                            assert line.startswith("SEARCH cases USING"), (flt, sort, text)
                            assert "INDEX ix_cases_" in line, (flt, sort, text)
                    if flt.lsoa_code:
                        assert "ix_cases_area" in text, (flt, sort, text)
                checked += len(plans)
    assert checked > 100


def test_counts_agree_with_a_plain_count_after_every_kind_of_change(world, db):
    admin = world.ws("admin").as_actor(SYSTEM)
    with admin.uow() as s:
        teams, panels, users = ids_of(s)
    people = [world.ws(u) for u in ("cm", "cm2", "sanct", "swip", "mart")]

    def agree() -> None:
        if db.backend == "file":  # (a server's administrator reads no cases to recount)
            assert caselist.check_case_counts(world.ws("admin")) == []
        for ws in people:
            for flt in filters(users, teams):
                assert caselist.count_cases(ws, flt) == plain_count(ws, flt), flt
                quick = caselist.quick_count(ws, flt)
                assert quick in (None, plain_count(ws, flt)), flt
                assert (quick is None) == bool(flt.lsoa_code or flt.reference_prefix
                                               or flt.stage is not None)
    agree()
    before = caselist.list_version(world.ws("cm"))
    with admin.uow() as s:  # inserts
        for i in range(6):
            add_case(s, 900 + i, "asb", team=teams["ASB Team"], owner=users["cm"],
                     risk=("standard", "medium", "high")[i % 3], lsoa=LSOA_A)
        add_case(s, 990, "trigger", team=None, owner=None)
    agree()
    assert caselist.list_version(world.ws("cm")) > before
    with admin.uow() as s:  # closures
        s.execute(update(Case).where(Case.reference.like("ASB-2025-00090%"))
                  .values(status="closed", closed_on=date(2026, 11, 30), outcome="resolved"))
    agree()
    with admin.uow() as s:  # transfers: team, owner, panel; a risk review
        s.execute(update(Case).where(Case.reference == "ASB-2025-000901")
                  .values(team_id=teams["North ASB Team"], owner_id=users["cm2"]))
        s.execute(update(Case).where(Case.reference == "ASB-2025-000902")
                  .values(owner_id=None, risk_level="high"))
        s.execute(update(Case).where(Case.reference == "CT-2025-000990")
                  .values(team_id=teams["ASB Team"], panel_id=panels["SWIP Panel"]))
        case = s.scalars(select(Case).where(Case.reference == "ASB-2025-000903")).one()
        case.status = "open"  # reopened through the ORM
        case.owner_id = users["cm"]
    agree()
    with admin.uow() as s:  # deletions
        s.execute(delete(Case).where(Case.reference.in_(["ASB-2025-000904",
                                                         "CT-2025-000990"])))
    agree()


@pytest.mark.parametrize("sort", caselist.SORT_KEYS)
def test_a_page_at_any_offset_is_the_slice_of_the_full_order(world, sort):
    cm = world.ws("cm")
    with world.ws("admin").as_actor(SYSTEM).uow() as s:
        teams, _panels, users = ids_of(s)
        for i in range(40):  # enough rows that pages fall inside groups
            add_case(s, 500 + i, "asb", team=teams["ASB Team"],
                     owner=users["cm"] if i % 4 else None, risk=("high", "standard")[i % 2],
                     status="closed" if i % 5 == 0 else "open",
                     opened=date(2024, 1, 1) + timedelta(days=i * 11 % 60),
                     review=None if i % 3 else date(2026, 1, 1) + timedelta(days=i % 7),
                     lsoa=(LSOA_A, LSOA_B)[i % 2])
    for flt in (CaseFilter(), CaseFilter(status="open"), CaseFilter(lsoa_code=LSOA_A)):
        for descending in (True, False):
            rows = all_rows(cm, flt, sort=sort, descending=descending)
            assert [r.id for r in rows] == expected_order(rows, sort, descending)
            assert len(rows) == plain_count(cm, flt)
            want = [r.id for r in rows]
            for offset in (0, 1, 7, 13, 20, len(want) - 3, len(want), len(want) + 4):
                caselist._BOUNDARIES.clear()  # a jump, not a continuation
                got = caselist.fetch_cases(cm, flt, max(0, offset), 6, sort, descending)
                assert [r.id for r in got] == want[max(0, offset):max(0, offset) + 6], \
                    (flt, descending, offset)


def test_a_change_between_pages_is_not_paged_past(world):
    cm = world.ws("cm")
    first = caselist.fetch_cases(cm, CaseFilter(), 0, 5, "opened_on", True)
    with world.ws("admin").as_actor(SYSTEM).uow() as s:
        teams, _panels, users = ids_of(s)
        add_case(s, 777, "asb", team=teams["ASB Team"], opened=date(2027, 1, 1))
    second = caselist.fetch_cases(cm, CaseFilter(), 5, 5, "opened_on", True)
    rows = all_rows(cm, sort="opened_on", descending=True)
    assert rows[0].reference == "ASB-2025-000777" and first[0].id != rows[0].id
    # The new case is first now: the second page starts one row later than before.
    assert [r.id for r in second] == [r.id for r in rows[5:10]]


@pytest.mark.file_only(reason=(
    "the administrator recounts the file's group counters from its cases; on a team server "
    "the administrator reads no case, and the counters are kept by the server's triggers"))
def test_drifted_counters_are_reported_and_rebuilt(world):
    admin = world.ws("admin")
    with admin.as_actor(SYSTEM).uow() as s:  # as if a bulk change had bypassed the triggers
        s.connection().exec_driver_sql("UPDATE case_counts SET n = n + 2 WHERE id = "
                                       "(SELECT min(id) FROM case_counts WHERE n > 0)")
    problems = caselist.check_case_counts(admin)
    assert len(problems) == 1 and "kept" in problems[0] and "counted" in problems[0]
    assert world.ws("admin").store.check() != []
    caselist.rebuild_case_counts(admin)
    assert caselist.check_case_counts(admin) == []
    assert world.ws("admin").store.check() == []
