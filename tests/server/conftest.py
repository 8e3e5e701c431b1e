"""A PostgreSQL team server for the tests: a database and roles of their own (role names
carry a per-run prefix, as roles are shared by the whole cluster), dropped at the end.
Tests connect as casework login roles with SCRAM passwords, never as a superuser.

``CASEWORK_TEST_PG`` names the set-up connection (default: the local server over TCP).
When no server answers, one start is tried (``pg_ctlcluster``); only then do the tests
skip, saying why."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

import pytest

psycopg = pytest.importorskip("psycopg", reason="psycopg is a dependency: pip install -e .")

from tests.pg_backend import ADMIN_URL, reachable  # noqa: E402
from tests.pg_backend import with_db as _with_db  # noqa: E402

PASSWORD = "correct horse battery staple 7"


@pytest.fixture(scope="session")
def pg_admin_url() -> str:
    problem = reachable()
    if problem is not None:
        pytest.skip(f"no PostgreSQL server could be reached or started at {ADMIN_URL} "
                    f"({problem}); set CASEWORK_TEST_PG")
    return ADMIN_URL


@dataclass
class PgDatabase:
    """A scratch database: its set-up URL (superuser) and a tidy-up list."""

    admin_url: str
    name: str
    roles: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return _with_db(self.admin_url, self.name)

    def libpq(self, user: str, password: str) -> dict[str, object]:
        from sqlalchemy.engine import make_url
        u = make_url(self.admin_url)
        return {"host": u.host, "port": u.port or 5432, "dbname": self.name, "user": user,
                "password": password, "sslmode": "disable", "connect_timeout": 5}


def _drop(admin_url: str, database: str, roles: list[str]) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        for role in roles:
            conn.execute(f'DROP ROLE IF EXISTS "{role}"')


@pytest.fixture(scope="session")
def pg_prefix() -> str:
    return f"cwt{os.getpid()}"


def new_database(admin_url: str, name: str) -> PgDatabase:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return PgDatabase(admin_url, name)


@pytest.fixture
def pg_empty(pg_admin_url: str, pg_prefix: str) -> Iterator[PgDatabase]:
    db = new_database(pg_admin_url, f"{pg_prefix}_empty")
    try:
        yield db
    finally:
        _drop(pg_admin_url, db.name, db.roles)


TS = "2026-12-01T09:00:00.000000Z"


def entry_hash(prev: str, seq: int, username: str, action: str = "login") -> str:
    """The chain hash of a bare entry written by a test (as casework.core.audit would)."""
    from casework.core.audit_chain import canonical, chain_hash
    return chain_hash(prev, seq, canonical(seq, TS, None, username, action, "", "", "", ""))


USERS = {
    # name suffix: (role, team, team kind, panels)
    "cm": ("case_manager", "ASB North", "asb", ()),
    "cm2": ("case_manager", "ASB South", "asb", ()),
    "swip": ("panel_member", None, "asb", ("SWIP East",)),
    "swipchair": ("panel_chair", None, "asb", ("SWIP East",)),
    "swip2": ("panel_member", None, "asb", ("SWIP West",)),
    "coord": ("coordinator", None, "asb", ()),
    "admin": ("administrator", None, "asb", ()),
    "ig": ("information_governance", None, "asb", ()),
    "stranger": ("case_manager", "ASB North", "asb", ()),  # its role is renamed below
}


@dataclass
class TeamServer:
    db: PgDatabase
    prefix: str
    ids: dict[str, int]

    def login(self, short: str) -> str:
        return f"{self.prefix}_{short}"

    def connect(self, short: str, password: str = PASSWORD) -> psycopg.Connection:
        return psycopg.connect(**self.db.libpq(self.login(short), password), autocommit=True)


def _seed(url: str, prefix: str) -> dict[str, int]:
    """Synthetic cases, people and audit entries, written by the set-up role."""
    from sqlalchemy import select, text
    from sqlalchemy.orm import Session

    from casework.core.audit_chain import GENESIS, canonical, chain_hash
    from db.models import (
        Address,
        AuditEntry,
        Case,
        CaseParty,
        Note,
        Panel,
        Person,
        Referral,
        Team,
    )
    from db.server.connect import server_engine

    engine = server_engine(url)
    ids: dict[str, int] = {}
    try:
        with Session(engine) as s, s.begin():
            north = s.scalar(select(Team.id).where(Team.name == "ASB North"))
            south = s.scalar(select(Team.id).where(Team.name == "ASB South"))
            east = s.scalar(select(Panel.id).where(Panel.name == "SWIP East"))
            west = s.scalar(select(Panel.id).where(Panel.name == "SWIP West"))
            made = {}
            for key, ctype, team, panel in (("north", "asb", north, None),
                                            ("south", "asb", south, None),
                                            ("east", "swip", None, east),
                                            ("west", "swip", None, west)):
                address = Address(line1=f"{key} 1 Synthetic Row", postcode="ZZ1 1ZZ")
                s.add(address)
                s.flush()
                case = Case(reference=f"T-{key}", case_type=ctype, status="open",
                            opened_on=date(2026, 11, 2), team_id=team, panel_id=panel,
                            risk_level="standard", summary=f"synthetic {key}",
                            address_id=address.id)
                s.add(case)
                s.flush()
                person = Person(given_name=f"Given{key}", family_name="Synthetic")
                s.add(person)
                s.flush()
                s.add(CaseParty(case_id=case.id, person_id=person.id, role="victim"))
                s.add(Note(case_id=case.id, body=f"note {key}"))
                if ctype == "swip":
                    s.add(Referral(case_id=case.id, referrer_name="Synthetic Referrer",
                                   referrer_agency="Police", referred_on=date(2026, 11, 2)))
                made[f"case_{key}"] = case.id
                made[f"person_{key}"] = person.id
                made[f"address_{key}"] = address.id
            s.add(AuditEntry(seq=1, ts=TS, user_id=None, username="system", action="login",
                             record_type="", record_id="", reason="", detail="",
                             hash=entry_hash(GENESIS, 1, "system")))
            prev = entry_hash(GENESIS, 1, "system")
            for seq, key in enumerate(("north", "south", "east", "west"), start=2):
                rid = str(made[f"case_{key}"])
                body = canonical(seq, TS, None, "system", "view", "case", rid, "", "")
                prev = chain_hash(prev, seq, body)
                s.add(AuditEntry(seq=seq, ts=TS, user_id=None, username="system",
                                 action="view", record_type="case", record_id=rid, reason="",
                                 detail="", hash=prev))
            # A user whose casework role the server does not know.
            s.execute(text("UPDATE users SET role = 'unheard_of' WHERE username = :n"),
                      {"n": f"{prefix}_stranger"})
            ids.update(made)
    finally:
        engine.dispose()
    return ids


@pytest.fixture(scope="session")
def team_server(pg_admin_url: str, pg_prefix: str) -> Iterator[TeamServer]:
    from casework.server import setup

    db = new_database(pg_admin_url, f"{pg_prefix}_team")
    names = [f"{pg_prefix}_{short}" for short in USERS]
    groups = [f"{pg_prefix}_r_{r}" for r in setup.SERVER_ROLES]
    db.roles = [*names, *groups, f"{pg_prefix}_user", f"{pg_prefix}_owner"]
    try:
        setup.init(db.url, prefix=pg_prefix)
        for short, (role, team, kind, panels) in USERS.items():
            setup.add_user(db.url, f"{pg_prefix}_{short}", PASSWORD, role, team=team,
                           team_kind=kind, panels=panels, prefix=pg_prefix)
        ids = _seed(db.url, pg_prefix)
        yield TeamServer(db, pg_prefix, ids)
    finally:
        _drop(pg_admin_url, db.name, db.roles)
