"""The coordinator's figures on a team server: the coordinator's login sees no
identifiable table, yet the KPIs, the KPI report and the quarterly dataset equal, exactly,
what the same demo data gives in a file database: they come from definer functions that
return counts, codes and dates of events only. A case manager cannot call them."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from casework import demo
from casework.core import aggregates, clock
from casework.core.context import Workspace, open_workspace
from casework.reporting import kpi_report, kpis
from casework.server import importer, session, setup
from casework.sharing import quarterly
from tests.server.conftest import PASSWORD, PgDatabase, _drop, new_database

TODAY = date(2026, 12, 1)
DEMO_PASSWORD = "aggregates-synthetic-only"
PERIODS = ("2026Q3", "2026Q2", "2025", "2026-11")
LOGINS = ("coord", "asb1", "ig", "admin")


@dataclasses.dataclass
class Pair:
    file: Path
    server: PgDatabase
    url: str
    login_prefix: str

    def file_ws(self, who: str) -> Workspace:
        return open_workspace(self.file, who, DEMO_PASSWORD)

    def server_ws(self, who: str) -> Workspace:
        return session.open_url(self.url, self.login_prefix + who, PASSWORD)

    def raw(self, who: str) -> psycopg.Connection:
        return psycopg.connect(**self.server.libpq(self.login_prefix + who, PASSWORD),
                               autocommit=True)


@pytest.fixture(scope="module")
def pair(pg_admin_url: str, pg_prefix: str,
         tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    """The same synthetic demo in a file database and, moved in, on a team server."""
    prefix, logins = f"{pg_prefix}g", f"{pg_prefix}g_"
    path = tmp_path_factory.mktemp("agg") / "demo.db"
    db = new_database(pg_admin_url, f"{pg_prefix}_agg")
    db.roles += [logins + u.username for u in demo.DEMO_USERS]
    db.roles += [f"{prefix}_r_{r}" for r in setup.SERVER_ROLES]
    db.roles += [f"{prefix}_user", f"{prefix}_owner"]
    try:
        with clock.frozen(TODAY):
            demo.create_demo_database(path, cases=150, seed=5, password=DEMO_PASSWORD,
                                      today=TODAY)
            setup.init(db.url, prefix=prefix)
            importer.import_file(db.url, path, "admin", DEMO_PASSWORD, prefix=prefix,
                                 login_prefix=logins)
            for who in LOGINS:
                setup.set_password(db.url, logins + who, PASSWORD, prefix=prefix)
        u = make_url(db.admin_url)
        url = f"postgresql://{u.host}:{u.port or 5432}/{db.name}?sslmode=disable"
        yield Pair(path, db, url, logins)
    finally:
        _drop(pg_admin_url, db.name, db.roles)


def both(pair: Pair, who: str) -> Iterator[tuple[Workspace, Workspace]]:
    f, s = pair.file_ws(who), pair.server_ws(who)
    try:
        yield f, s
    finally:
        f.lock()
        s.lock()


@pytest.fixture
def coordinators(pair: Pair) -> Iterator[tuple[Workspace, Workspace]]:
    yield from both(pair, "coord")


def test_the_coordinator_sees_no_identifiable_table(pair: Pair) -> None:
    """Why the definer functions are needed: the coordinator's own reads find nothing."""
    with pair.raw("coord") as conn:
        for table in ("cases", "people", "asb_details", "tasks", "sanctuary_jobs"):
            try:
                got = conn.execute(f"SELECT count(*) FROM casework.{table}").fetchone()
            except psycopg.errors.InsufficientPrivilege:
                continue
            assert got == (0,), table
    with pair.raw("admin") as conn:  # but there is data to count
        assert conn.execute("SELECT count(*) FROM casework.users").fetchone()[0] > 5


@pytest.mark.parametrize("period", PERIODS)
def test_kpis_on_the_server_equal_the_file(coordinators, period: str) -> None:
    f, s = coordinators
    on_file = kpis.compute_kpis(f, period, today=TODAY)
    on_server = kpis.compute_kpis(s, period, today=TODAY)
    assert on_file.asb.cases_opened > 0 or period == "2026-11"
    assert on_server == on_file


def test_the_kpi_report_on_the_server_equals_the_file(coordinators) -> None:
    f, s = coordinators
    with f.uow() as a, s.uow() as b:
        fc, fq = kpi_report.gather(a, "2026Q3")
        sc, sq = kpi_report.gather(b, "2026Q3")
    assert sum(c.asb.cases_opened for c in fc) > 0
    assert (sc, sq) == (fc, fq)


def _body(path: Path) -> list[str]:
    """A CSV without its stamp line (which names who produced it)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [ln for ln in lines if not ln.startswith("# ")] + \
        [ln for ln in lines[1:] if ln.startswith("# ")]


def test_the_quarterly_dataset_on_the_server_equals_the_file(coordinators,
                                                             tmp_path: Path) -> None:
    f, s = coordinators
    on_file = quarterly.export_quarterly(f, "2026Q3", tmp_path / "file")
    on_server = quarterly.export_quarterly(s, "2026Q3", tmp_path / "server")
    assert on_file and on_server
    names = quarterly.file_names("2026Q3", quarterly.TABLE_NAMES)[1:-1]
    records = _body(tmp_path / "file" / names[0])
    assert len(records) > 10  # header and rows: the quarter has cases
    for name in names:
        assert _body(tmp_path / "server" / name) == _body(tmp_path / "file" / name), name


def test_a_case_manager_cannot_call_the_coordinator_functions(pair: Pair) -> None:
    with pair.raw("asb1") as conn:
        for agg in aggregates.REGISTRY.values():
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(f"SELECT * FROM {agg.function}('2026-07-01', '2026-09-30', "
                             f"'2026-12-01')")
    # Nor can anyone else who is not a coordinator (the functions are not PUBLIC).
    with pair.raw("ig") as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("SELECT * FROM casework_acl.agg_quarterly_records('2026-07-01', "
                     "'2026-09-30', '2026-12-01')")


def test_a_case_manager_on_the_server_gets_figures_under_their_own_policies(pair) -> None:
    ws = pair.server_ws("asb1")
    try:
        got = kpis.compute_kpis(ws, "2026Q3", today=TODAY)
    finally:
        ws.lock()
    assert got.panels.referrals == {"swip": 0, "mart": 0}  # no panel referral is theirs


def _identifiable(pair: Pair) -> tuple[set[str], set[str]]:
    """Every name, date of birth, address line, postcode and free text of the demo."""
    texts: set[str] = set()
    births: set[str] = set()
    with psycopg.connect(pair.server.url) as conn:
        for sql in ("SELECT given_name, family_name FROM casework.people",
                    "SELECT line1, postcode FROM casework.addresses",
                    "SELECT summary, '' FROM casework.cases",
                    "SELECT body, '' FROM casework.notes",
                    "SELECT description, '' FROM casework.incidents"):
            for a, b in conn.execute(sql):
                texts.update(v for v in (a, b) if v and len(v) > 3)
        births = {str(d) for (d,) in conn.execute(
            "SELECT date_of_birth FROM casework.people WHERE date_of_birth IS NOT NULL")}
    return texts, births


def test_the_functions_expose_no_name_birth_date_address_or_free_text(pair: Pair) -> None:
    texts, births = _identifiable(pair)
    assert texts and births
    values: list[object] = []
    with pair.raw("coord") as conn:
        for agg in aggregates.REGISTRY.values():
            for start, end in (("2000-01-01", "2026-12-31"), ("2026-07-01", "2026-09-30")):
                for (row,) in conn.execute(f"SELECT r FROM {agg.function}(%s, %s, %s) r",
                                           (start, end, "2026-12-01")):
                    values.extend(row)
    assert len(values) > 100
    strings = {v for v in values if isinstance(v, str)}
    assert not strings & texts
    # The record rows carry the age at opening; no date of birth reaches the coordinator
    # (dates that are also someone's birthday may occur as opening or closing dates, but
    # then only as such: the record function's dates are its cases' own).
    with pair.raw("coord") as conn:
        rows = [r for (r,) in conn.execute(
            "SELECT r FROM casework_acl.agg_quarterly_records('2000-01-01', '2026-12-31', "
            "'2026-12-01') r")]
    with psycopg.connect(pair.server.url) as conn:
        cases = {(str(o), str(c) if c else None) for o, c in conn.execute(
            "SELECT opened_on, closed_on FROM casework.cases")}
    assert rows and all((r[1], r[2]) in cases for r in rows)
    assert all(r[8] is None or isinstance(r[8], int) for r in rows)
    assert any(isinstance(r[8], int) for r in rows)
