"""The case list: visibility, stage labels, sorting, paging, filters, options."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from casework.cases import caselist
from casework.cases.caselist import CaseFilter, CaseRow
from casework.core import audit
from casework.core.context import SYSTEM, Workspace
from casework.core.errors import PermissionDenied, ValidationError
from db.models import (
    AsbDetail,
    Case,
    MartDetail,
    NrmDecision,
    Panel,
    Team,
    TriggerApplication,
    User,
)
from tests.pg_backend import roster_name

PREFIX = {"asb": "ASB", "trigger": "CT", "swip": "SWIP", "mart": "MART", "sanctuary": "SAN"}
LSOA_A, LSOA_B = "E01028513", "E01028514"


def ids_of(session) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
    teams = {t.name: t.id for t in session.scalars(select(Team))}
    panels = {p.name: p.id for p in session.scalars(select(Panel))}
    users = {roster_name(u.username): u.id for u in session.scalars(select(User))}
    return teams, panels, users


def add_case(session, n: int, case_type: str, *, team: int | None = None,
             panel: int | None = None, owner: int | None = None, risk: str = "standard",
             status: str = "open", opened: date = date(2025, 1, 1),
             review: date | None = None, lsoa: str | None = LSOA_A) -> Case:
    case = Case(reference=f"{PREFIX[case_type]}-2025-{n:06d}", case_type=case_type,
                status=status, opened_on=opened, team_id=team, panel_id=panel,
                owner_id=owner, risk_level=risk, next_review_on=review, lsoa_code=lsoa)
    session.add(case)
    session.flush()
    return case


@pytest.fixture
def world(db):
    """A spread of cases over every type, two ASB teams and both panels."""
    ws = db.ws("admin").as_actor(SYSTEM)
    with ws.uow() as s:
        teams, panels, users = ids_of(s)
        asb_team, north, sanct = teams["ASB Team"], teams["North ASB Team"], \
            teams["Sanctuary Team"]
        n = 0
        risks = ("standard", "medium", "high")
        for i in range(12):
            n += 1
            c = add_case(s, n, "asb", team=asb_team, owner=users["cm"] if i % 3 else None,
                         risk=risks[i % 3], status="closed" if i % 4 == 0 else "open",
                         opened=date(2025, 1, 1) + timedelta(days=i * 7 % 40),
                         review=None if i % 2 else date(2025, 6, 1) + timedelta(days=i),
                         lsoa=LSOA_A if i % 2 else LSOA_B)
            s.add(AsbDetail(case_id=c.id, category="nuisance", stage=i % 5))
        for i, met in enumerate((True, False, None)):
            n += 1
            c = add_case(s, n, "trigger", team=asb_team, owner=users["cm"],
                         opened=date(2025, 2, 1 + i))
            s.add(TriggerApplication(case_id=c.id, received_on=c.opened_on, threshold_met=met))
        n += 1
        add_case(s, n, "asb", team=north, owner=users["cm2"])  # another team's case
        n += 1
        add_case(s, n, "sanctuary", team=sanct, owner=users["sanct"])
        n += 1
        add_case(s, n, "trigger", team=None)  # no team: every ASB team may see it
        for i in range(3):
            n += 1
            add_case(s, n, "swip", panel=panels["SWIP Panel"], owner=users["swip"])
        for i, decisions in enumerate(([], [("reasonable_grounds", True)],
                                       [("reasonable_grounds", True),
                                        ("conclusive_grounds", False)])):
            n += 1
            c = add_case(s, n, "mart", panel=panels["MART Panel"], owner=users["mart"])
            s.add(MartDetail(case_id=c.id, nrm_referred=i > 0))
            for k, (kind, positive) in enumerate(decisions):
                s.add(NrmDecision(case_id=c.id, kind=kind, positive=positive,
                                  decided_on=date(2025, 3, 1) + timedelta(days=k * 30)))
    return db


def all_rows(ws: Workspace, flt: CaseFilter = CaseFilter(), **kw) -> list[CaseRow]:
    return caselist.fetch_cases(ws, flt, 0, 1000, **kw)


def test_case_manager_sees_their_team_and_unassigned_cases_only(world):
    cm = world.ws("cm")
    rows = all_rows(cm)
    assert {r.case_type for r in rows} == {"asb", "trigger"}
    assert len(rows) == 12 + 3 + 1
    assert all(r.team in ("ASB Team", "") for r in rows)
    assert caselist.count_cases(cm, CaseFilter()) == len(rows)
    sanct = all_rows(world.ws("sanct"))
    assert [r.case_type for r in sanct] == ["sanctuary"]


def test_panel_members_see_their_panel_only(world):
    assert {r.case_type for r in all_rows(world.ws("swip"))} == {"swip"}
    # A panel referral has no team: the list names its panel instead of a blank.
    assert {r.team for r in all_rows(world.ws("swip"))} == {"SWIP Panel"}
    assert caselist.count_cases(world.ws("martchair"), CaseFilter()) == 3


@pytest.mark.parametrize("user", ["coord", "admin"])
def test_roles_without_case_read_are_refused(world, user):
    ws = world.ws(user)
    for call in (lambda: caselist.count_cases(ws, CaseFilter()),
                 lambda: caselist.fetch_cases(ws, CaseFilter(), 0, 10),
                 lambda: list(caselist.iter_case_rows(ws)),
                 lambda: caselist.filter_options(ws)):
        with pytest.raises(PermissionDenied):
            call()


def test_stage_labels(world):
    cm = world.ws("cm")
    asb = all_rows(cm, CaseFilter(case_type="asb"), sort="reference", descending=False)
    assert [r.stage for r in asb[:6]] == ["Not escalated", "Stage 1", "Stage 2", "Stage 3",
                                         "Stage 4", "Not escalated"]
    ct = all_rows(cm, CaseFilter(case_type="trigger"), sort="reference", descending=False)
    assert [r.stage for r in ct] == ["Threshold met", "Not met", "Awaiting decision",
                                     "Awaiting decision"]
    mart = all_rows(world.ws("mart"), sort="reference", descending=False)
    assert [r.stage for r in mart] == ["", "RG positive", "CG negative"]
    assert {r.stage for r in all_rows(world.ws("swip"))} == {""}


def test_rows_carry_owner_team_area_and_dates(world):
    rows = {r.reference: r for r in all_rows(world.ws("cm"))}
    first = rows["ASB-2025-000001"]
    assert first.owner == "" and first.team == "ASB Team"
    assert first.lsoa_code == LSOA_B and first.opened_on == date(2025, 1, 1)
    assert first.next_review_on == date(2025, 6, 1)
    assert roster_name(rows["ASB-2025-000002"].owner) == "cm"
    assert rows["CT-2025-000018"].team == ""
    assert isinstance(first, CaseRow)


RISK = {"standard": 0, "medium": 1, "high": 2}


def expected_order(rows: list[CaseRow], sort: str, descending: bool) -> list[int]:
    def value(r: CaseRow):
        if sort == "risk_level":
            return RISK[r.risk_level]
        if sort == "owner":
            return r.owner
        if sort == "next_review_on":
            return r.next_review_on
        return getattr(r, sort)

    present = [r for r in rows if value(r) not in (None, "")]
    missing = [r for r in rows if value(r) in (None, "")] if sort in (
        "owner", "next_review_on") else []
    if sort not in ("owner", "next_review_on"):
        present = rows
    ordered = sorted(present, key=lambda r: (value(r), r.id), reverse=descending)
    ordered += sorted(missing, key=lambda r: r.id, reverse=descending)
    return [r.id for r in ordered]


@pytest.mark.parametrize("sort", caselist.SORT_KEYS)
@pytest.mark.parametrize("descending", [False, True])
def test_every_sort_key_orders_and_pages_without_gaps(world, sort, descending):
    cm = world.ws("cm")
    rows = all_rows(cm, sort=sort, descending=descending)
    assert [r.id for r in rows] == expected_order(rows, sort, descending)
    paged: list[int] = []
    for offset in range(0, len(rows) + 5, 5):
        paged += [r.id for r in caselist.fetch_cases(cm, CaseFilter(), offset, 5, sort,
                                                     descending)]
    assert paged == [r.id for r in rows]


def test_filters(world):
    cm = world.ws("cm")
    with cm.uow() as s:
        teams, _panels, users = ids_of(s)
    checks = {
        CaseFilter(case_type="trigger"): lambda r: r.case_type == "trigger",
        CaseFilter(status="closed"): lambda r: r.status == "closed",
        CaseFilter(risk_level="high"): lambda r: r.risk_level == "high",
        CaseFilter(owner_id=users["cm"]): lambda r: roster_name(r.owner) == "cm",
        CaseFilter(team_id=teams["ASB Team"]): lambda r: r.team == "ASB Team",
        CaseFilter(lsoa_code=LSOA_B): lambda r: r.lsoa_code == LSOA_B,
        CaseFilter(stage=2): lambda r: r.stage == "Stage 2",
        CaseFilter(reference_prefix="ct-"): lambda r: r.reference.startswith("CT-"),
        CaseFilter(case_type="asb", status="open", risk_level="medium"):
            lambda r: (r.case_type, r.status, r.risk_level) == ("asb", "open", "medium"),
    }
    everything = all_rows(cm)
    for flt, wanted in checks.items():
        got = all_rows(cm, flt)
        assert [r.id for r in got] == [r.id for r in everything if wanted(r)], flt
        assert got, flt
        assert caselist.count_cases(cm, flt) == len(got)
    # A filter cannot widen what the actor may see.
    assert all_rows(cm, CaseFilter(case_type="swip")) == []
    assert all_rows(cm, CaseFilter(team_id=teams["North ASB Team"])) == []


def test_bad_arguments(world):
    cm = world.ws("cm")
    with pytest.raises(ValidationError):
        caselist.fetch_cases(cm, CaseFilter(), 0, 10, sort="summary")
    with pytest.raises(ValidationError):
        caselist.fetch_cases(cm, CaseFilter(), -1, 10)
    assert caselist.fetch_cases(cm, CaseFilter(), 10_000, 10) == []
    assert caselist.fetch_cases(cm, CaseFilter(), 0, 0) == []


def test_iter_case_rows_streams_everything_in_id_order(world):
    cm = world.ws("cm")
    streamed = list(caselist.iter_case_rows(cm, batch=4))
    assert [r.id for r in streamed] == sorted(r.id for r in all_rows(cm))
    assert streamed == sorted(all_rows(cm), key=lambda r: r.id)
    asb_only = list(caselist.iter_case_rows(cm, CaseFilter(case_type="asb"), batch=5))
    assert len(asb_only) == 12 and {r.case_type for r in asb_only} == {"asb"}


def test_filter_options_come_from_visible_cases(world):
    opts = caselist.filter_options(world.ws("cm"))
    assert [roster_name(o.label.split(" ")[0]) for o in opts.owners] == ["cm"]
    assert [o.label for o in opts.teams] == ["ASB Team"]
    assert {o.value for o in opts.lsoas} == {LSOA_A, LSOA_B}
    assert opts.types == ("asb", "trigger")
    swip = caselist.filter_options(world.ws("swip"))
    assert swip.types == ("swip",) and swip.teams == ()


def test_paging_is_not_audited_row_by_row(world):
    cm = world.ws("cm")
    with cm.uow() as s:
        before = audit.count(s)
    all_rows(cm)
    caselist.count_cases(cm, CaseFilter())
    list(caselist.iter_case_rows(cm))
    with cm.uow() as s:
        assert audit.count(s) == before


def test_rows_hold_no_personal_data_fields():
    fields = set(CaseRow.__dataclass_fields__)
    assert not fields & {"summary", "given_name", "family_name", "address", "date_of_birth"}


def test_stage_label_function():
    assert caselist.stage_label("asb", 3, None, None, None, None) == "Stage 3"
    assert caselist.stage_label("mart", None, None, None, None, False) == ""
    assert caselist.stage_label("sanctuary", None, None, None, None, None) == ""


def test_next_page_stays_exact_when_cases_are_added_between_pages(world):
    cm = world.ws("cm")
    first = caselist.fetch_cases(cm, CaseFilter(), 0, 5, "reference", False)
    ws = world.ws("admin").as_actor(SYSTEM)
    with ws.uow() as s:
        team = s.scalar(select(Team.id).where(Team.name == "ASB Team"))
        add_case(s, 0, "asb", team=team)  # ASB-2025-000000 sorts before every page
    second = caselist.fetch_cases(cm, CaseFilter(), 5, 5, "reference", False)
    everything = all_rows(cm, sort="reference", descending=False)
    assert [r.id for r in second] == [r.id for r in everything[5:10]]
    assert second[0].id == first[-1].id  # shifted by the new row, as OFFSET means


def test_one_wording_of_the_asb_stage():
    assert [caselist.asb_stage_label(n) for n in (None, 0, 1, 2, 4)] == [
        "Not escalated", "Not escalated", "Stage 1", "Stage 2", "Stage 4"]
    for n in range(5):
        assert caselist.stage_label("asb", n, None, None, None, None) == \
            caselist.asb_stage_label(n)
