"""Search as you type on a team server: the server's search function (index first, then
the login's visibility) gives exactly what the row-level policies give, for each role; a
login cannot widen it with crafted input, and a role without search cannot call it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import psycopg
import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from casework.cases import search
from casework.core.errors import PermissionDenied
from casework.server import session, setup
from tests.server.conftest import PASSWORD, PgDatabase, _drop, new_database

USERS = {
    # name suffix: (role, team, panels)
    "cm": ("case_manager", "ASB Find North", ()),
    "cm2": ("case_manager", "ASB Find South", ()),
    "swip": ("panel_member", None, ("SWIP Find East",)),
    "coord": ("coordinator", None, ()),
    "admin": ("administrator", None, ()),
    "ig": ("information_governance", None, ()),
}
SEARCHERS = ("cm", "cm2", "swip")
TERMS = ("Findable", "find", "fi", "Given", "givennorth", "Givensouth Findable", "jay",
         "Jaynorth", "ZZ8", "zz8 8", "Lookup", "8 Look", "Row", "per%", "F-", "F-NO", "xq",
         "Unlinked", "Merged", "Anon")


@dataclass
class Server:
    db: PgDatabase
    url: str
    prefix: str
    ids: dict[str, int]

    def login(self, short: str) -> str:
        return f"{self.prefix}_{short}"

    def raw(self, short: str) -> psycopg.Connection:
        return psycopg.connect(**self.db.libpq(self.login(short), PASSWORD), autocommit=True)


def _seed(url: str) -> dict[str, int]:
    from db.models import (
        Address,
        Case,
        CaseParty,
        Panel,
        Person,
        PersonAddress,
        PersonAlias,
        Team,
    )
    from db.server.connect import server_engine

    engine = server_engine(url)
    ids: dict[str, int] = {}
    try:
        with Session(engine) as s, s.begin():
            north = s.scalar(select(Team.id).where(Team.name == "ASB Find North"))
            south = s.scalar(select(Team.id).where(Team.name == "ASB Find South"))
            east = s.scalar(select(Panel.id).where(Panel.name == "SWIP Find East"))
            west = Panel(name="SWIP Find West", kind="swip")
            s.add(west)
            s.flush()
            for key, ctype, team, panel in (("north", "asb", north, None),
                                            ("south", "asb", south, None),
                                            ("east", "swip", None, east),
                                            ("west", "swip", None, west.id)):
                home = Address(line1=f"{key} 8 Lookup Row", postcode="ZZ8 8ZZ")
                lives = Address(line1=f"{key} 3 Lookup Lane", postcode="ZZ8 3ZZ")
                s.add_all([home, lives])
                s.flush()
                case = Case(reference=f"F-{key.upper()}", case_type=ctype, status="open",
                            opened_on=date(2026, 11, 2), team_id=team, panel_id=panel,
                            risk_level="standard", summary=f"synthetic {key}",
                            address_id=home.id)
                s.add(case)
                s.flush()
                person = Person(given_name=f"Given{key}", family_name="Findable")
                odd = Person(given_name=f"Per%{key}", family_name="Find_able")
                s.add_all([person, odd])
                s.flush()
                s.add_all([CaseParty(case_id=case.id, person_id=person.id, role="victim"),
                           CaseParty(case_id=case.id, person_id=odd.id, role="witness"),
                           PersonAddress(person_id=person.id, address_id=lives.id),
                           PersonAlias(person_id=person.id, alias=f"Jay{key}")])
                ids.update({f"case_{key}": case.id, f"person_{key}": person.id,
                            f"odd_{key}": odd.id, f"home_{key}": home.id,
                            f"lives_{key}": lives.id})
            # On no case at all (visible to the roles that see people), merged into
            # another, and anonymised.
            loose = Person(given_name="Unlinked", family_name="Findable")
            loose_address = Address(line1="1 Lookup Unlinked Row", postcode="ZZ8 1ZZ")
            s.add_all([loose, loose_address])
            s.flush()
            merged = Person(given_name="Merged", family_name="Findable",
                            merged_into_id=ids["person_north"])
            anon = Person(given_name="Anon", family_name="Findable", anonymised=True)
            # The address of an anonymised person only: the policies let a login read it,
            # a search does not show it (as in file mode).
            anon_address = Address(line1="2 Lookup Anon Row", postcode="ZZ8 2ZZ")
            s.add_all([merged, anon, anon_address])
            s.flush()
            s.add_all([PersonAddress(person_id=anon.id, address_id=anon_address.id),
                       PersonAlias(person_id=merged.id, alias="Jaymerged"),
                       PersonAlias(person_id=anon.id, alias="Jayanon")])
            s.flush()
            ids.update({"loose": loose.id, "loose_address": loose_address.id,
                        "merged": merged.id, "anon": anon.id})
    finally:
        engine.dispose()
    return ids


@pytest.fixture(scope="module")
def server(pg_admin_url: str, pg_prefix: str) -> Iterator[Server]:
    prefix = f"{pg_prefix}f"
    db = new_database(pg_admin_url, f"{pg_prefix}_find")
    db.roles = [f"{prefix}_{u}" for u in USERS]
    db.roles += [f"{prefix}_r_{r}" for r in setup.SERVER_ROLES]
    db.roles += [f"{prefix}_user", f"{prefix}_owner"]
    try:
        setup.init(db.url, prefix=prefix)
        for short, (role, team, panels) in USERS.items():
            setup.add_user(db.url, f"{prefix}_{short}", PASSWORD, role, team=team,
                           panels=panels, prefix=prefix)
        ids = _seed(db.url)
        with psycopg.connect(db.url, autocommit=True) as c:
            c.execute("ANALYZE")
        u = make_url(db.admin_url)
        url = f"postgresql://{u.host}:{u.port or 5432}/{db.name}?sslmode=disable"
        yield Server(db, url, prefix, ids)
    finally:
        _drop(pg_admin_url, db.name, db.roles)


@pytest.fixture(scope="module")
def spaces(server: Server) -> Iterator[dict[str, object]]:
    opened = {short: session.open_url(server.url, server.login(short), PASSWORD)
              for short in (*SEARCHERS, "coord", "admin")}
    try:
        yield opened
    finally:
        for ws in opened.values():
            ws.lock()  # type: ignore[attr-defined]


def _policy_path(monkeypatch: pytest.MonkeyPatch, ws: object, term: str) -> list[object]:
    """The same search with the server function out of the way: the policies alone."""
    with monkeypatch.context() as m:
        m.setattr(search, "_server_ids", lambda *_a, **_k: None)
        return list(search.search(ws, term))  # type: ignore[arg-type]


def _key(hits: list[search.SearchHit]) -> list[tuple[str, int, str, str]]:
    """The hits, whatever the order within a kind (the order of addresses is whichever
    index served them)."""
    return sorted((h.kind, h.id, h.label, h.detail) for h in hits)


@pytest.mark.parametrize("short", SEARCHERS)
def test_the_server_function_finds_what_the_policies_show(server, spaces, monkeypatch, short):
    ws = spaces[short]
    calls: list[str] = []
    real = search._server_ids

    def counted(session_, kind, texts, limit):  # type: ignore[no-untyped-def]
        got = real(session_, kind, texts, limit)
        if got is not None:
            calls.append(kind)
        return got

    monkeypatch.setattr(search, "_server_ids", counted)
    for term in TERMS:
        fast = search.search(ws, term)
        assert _key(fast) == _key(_policy_path(monkeypatch, ws, term)), term
    # The function served people, aliases and every address kind.
    assert {"person", "alias", "postcode", "line_start", "line_contains"} <= set(calls)


def test_a_case_manager_finds_only_their_teams_people_and_addresses(server, spaces):
    ids = server.ids
    ws = spaces["cm"]
    people = {h.id for h in search.search(ws, "Findable", limit=100) if h.kind == "person"}
    assert people == {ids["person_north"], ids["loose"]}
    odd = {h.id for h in search.search(ws, "Per%", limit=100) if h.kind == "person"}
    assert odd == {ids["odd_north"]}
    addresses = {h.id for h in search.search(ws, "Lookup", limit=100) if h.kind == "address"}
    # (An address on no case and no one's is not shown by search at all.)
    assert addresses == {ids["home_north"], ids["lives_north"]}
    other = {h.id for h in search.search(ws, "Givensouth", limit=100)}
    assert other == set()
    panel = {h.id for h in search.search(spaces["swip"], "Jay", limit=100)}
    assert panel == {ids["person_east"]}


@pytest.mark.parametrize("short", ("coord", "admin"))
def test_roles_without_case_work_cannot_search(spaces, short):
    with pytest.raises(PermissionDenied):
        search.search(spaces[short], "Findable")


# What a search shows of the rows the policies let a login read: people neither merged
# nor anonymised (and their aliases); addresses of a case or of such a person (not one
# on no case and no one's).
SHOWN_ADDRESS = ("(EXISTS (SELECT 1 FROM casework.cases c WHERE c.address_id = ad.id) OR "
                 "EXISTS (SELECT 1 FROM casework.person_addresses pa JOIN casework.people pp "
                 "ON pp.id = pa.person_id WHERE pa.address_id = ad.id AND NOT pp.anonymised))")
MATCH = {
    # kind: the same match as the login's own query, read under the policies
    "person": "SELECT id FROM casework.people WHERE (family_name ILIKE %(p)s OR given_name "
              "ILIKE %(p)s) AND merged_into_id IS NULL AND NOT anonymised",
    "alias": "SELECT a.id FROM casework.person_aliases a JOIN casework.people p ON p.id = "
             "a.person_id WHERE a.alias ILIKE %(p)s AND p.merged_into_id IS NULL AND NOT "
             "p.anonymised",
    "postcode": "SELECT id FROM casework.addresses ad WHERE postcode ILIKE %(p)s AND "
                + SHOWN_ADDRESS,
    "line_start": "SELECT id FROM casework.addresses ad WHERE line1 ILIKE %(p)s AND "
                  + SHOWN_ADDRESS,
    "line_contains": "SELECT id FROM casework.addresses ad WHERE line1 ILIKE '%%' || %(p)s "
                     "AND " + SHOWN_ADDRESS,
}


def _function(conn: psycopg.Connection, kind: str, texts: list[str] | None,
              limit: int = 100) -> set[int]:
    return {r[0] for r in conn.execute("SELECT * FROM casework_acl.search_ids(%s, %s::text[], %s)",
                                       (kind, texts, limit))}


@pytest.mark.parametrize("short", SEARCHERS)
def test_the_function_applies_the_policies_rules_exactly(server, short):
    """Over a raw connection with the role's own credentials: for every kind and text,
    the ids the function returns are the ids the policies let the login read, of those a
    search shows (the caller reads them back under the policies alone)."""
    with server.raw(short) as conn:
        for kind, sql in MATCH.items():
            for text in ("f", "Given", "Jay", "ZZ8", "north", "Lookup", "8 Look", "Row", ""):
                pattern = text.replace("%", "\\%").replace("_", "\\_") + "%"
                shown = {r[0] for r in conn.execute(sql, {"p": pattern})}
                assert _function(conn, kind, [text]) == shown, (kind, text)


def test_crafted_input_finds_nothing_more(server):
    ids = server.ids
    with server.raw("cm") as conn:
        visible = {r[0] for r in conn.execute("SELECT id FROM casework.people")}
        # Wildcards are matched as typed: "%" and "_" find only names that have them.
        assert _function(conn, "person", ["%"]) == set()
        assert _function(conn, "person", ["Per%"]) == {ids["odd_north"]}
        assert _function(conn, "person", ["Find_"]) == {ids["odd_north"]}
        assert _function(conn, "person", ["_"]) == set()
        assert _function(conn, "line_contains", ["%"]) == set()
        # Empty text, odd arrays and limits: never anything the policies hide.
        assert _function(conn, "person", [""]) <= visible
        assert _function(conn, "person", [""], 10_000) <= visible
        assert _function(conn, "person", None) == set()
        assert _function(conn, "person", []) == set()
        assert _function(conn, "person", [None]) == set()  # type: ignore[list-item]
        assert _function(conn, "person", ["Givensouth"]) == set()
        assert _function(conn, "person", [""], -5) == set()
        assert len(_function(conn, "postcode", [""], 10_000)) <= 100
        with pytest.raises(psycopg.errors.InvalidParameterValue):
            _function(conn, "people; DROP TABLE casework.people", ["x"])
        # Taking the group role changes nothing: the function asks who logged in.
        conn.execute(f'SET ROLE "{server.prefix}_r_case_manager"')
        assert _function(conn, "person", ["Findable"]) == {ids["person_north"], ids["loose"]}
        conn.execute("RESET ROLE")
        # Another login's name cannot be taken, and no setting changes who one is.
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(f'SET ROLE "{server.prefix}_cm2"')
        conn.execute("SET application_name = 'x'")
        conn.execute(f"SET casework.login = '{server.prefix}_cm2'")
        assert _function(conn, "person", ["Givensouth"]) == set()


@pytest.mark.parametrize("short", ("coord", "admin", "ig"))
def test_a_role_without_search_cannot_execute_the_function(server, short):
    with server.raw(short) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        _function(conn, "person", ["Findable"])


def test_the_function_is_pinned_and_not_public(server):
    with psycopg.connect(server.db.url, autocommit=True) as dba:
        row = dba.execute(
            "SELECT p.prosecdef, p.proconfig, has_function_privilege('public', p.oid, "
            "'EXECUTE'), has_function_privilege(%s, p.oid, 'EXECUTE'), "
            "has_function_privilege(%s, p.oid, 'EXECUTE') FROM pg_proc p JOIN pg_namespace n "
            "ON n.oid = p.pronamespace WHERE n.nspname = 'casework_acl' "
            "AND p.proname = 'search_ids'",
            (f"{server.prefix}_user", f"{server.prefix}_r_case_manager")).fetchone()
    definer, config, public, every_login, case_managers = row
    assert definer
    assert "search_path=pg_catalog, pg_temp" in config
    assert (public, every_login, case_managers) == (False, False, True)


def test_init_again_keeps_the_function_and_its_grants(server, spaces):
    setup.init(server.db.url, prefix=server.prefix)
    with server.raw("cm") as conn:
        assert _function(conn, "person", ["Findable"]) == {server.ids["person_north"],
                                                           server.ids["loose"]}
    with server.raw("coord") as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        _function(conn, "person", ["Findable"])
    assert {h.id for h in search.search(spaces["cm"], "Givennorth")} == {
        server.ids["person_north"]}


def test_init_again_drops_the_retired_address_definers(server):
    """A server initialised by an older release had two address definers no policy uses
    any more: initialising it again leaves neither behind."""
    owner = f"{server.prefix}_owner"
    retired = ("address_on_visible_case", "address_unlinked")
    with psycopg.connect(server.db.url, autocommit=True) as dba:
        for name in retired:
            dba.execute(f"CREATE FUNCTION casework_acl.{name}(aid integer) RETURNS boolean "
                        f"LANGUAGE sql AS $$ SELECT true $$")
            dba.execute(f'ALTER FUNCTION casework_acl.{name}(integer) OWNER TO "{owner}"')
    setup.init(server.db.url, prefix=server.prefix)
    with psycopg.connect(server.db.url, autocommit=True) as dba:
        left = dba.execute(
            "SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
            "WHERE n.nspname = 'casework_acl' AND p.proname = ANY(%s)", (list(retired),)
        ).fetchall()
    assert left == []


def test_the_function_leaves_the_callers_planner_settings_as_they_were(server):
    """The function plans its prefixes without bitmap scans and keeps generic plans: within
    the caller's own transaction, the caller's settings are as before (a search must not
    change how the desktop's next statements are planned)."""
    names = ("enable_bitmapscan", "enable_seqscan", "plan_cache_mode", "jit")

    def settings(conn: psycopg.Connection) -> list[str]:
        return [conn.execute(f"SHOW {n}").fetchone()[0] for n in names]

    with server.raw("cm") as conn, conn.transaction():
        before = settings(conn)
        for kind, texts in (("postcode", ["ZZ8", "ZZ 8"]), ("person", ["Find"]),
                            ("line_start", ["north"]), ("line_contains", ["Look"])):
            _function(conn, kind, texts)
        assert settings(conn) == before
