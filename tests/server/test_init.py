"""``server init`` leaves a schema owned by a role no one logs in as, with row-level
security forced on every table holding case data."""

from __future__ import annotations

import psycopg

from db.server.policies import IDENTIFIABLE


def test_schema_is_owned_by_a_nologin_role_and_rls_is_forced(team_server):
    with psycopg.connect(team_server.db.url) as conn:
        owners = {r[0] for r in conn.execute(
            "SELECT tableowner FROM pg_tables WHERE schemaname = 'casework'")}
        assert owners == {f"{team_server.prefix}_owner"}
        can_login = conn.execute("SELECT rolcanlogin, rolbypassrls FROM pg_roles "
                                 "WHERE rolname = %s",
                                 (f"{team_server.prefix}_owner",)).fetchone()
        assert can_login == (False, False)
        rls = dict((r[0], (r[1], r[2])) for r in conn.execute(
            "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'casework' AND c.relkind = 'r'"))
        for table in (*IDENTIFIABLE, "audit_entries"):
            assert rls[table] == (True, True), table
        views = conn.execute(
            "SELECT count(*) FROM pg_views WHERE schemaname = 'casework'").fetchone()
        assert views == (0,)


def test_logins_use_scram(team_server):
    with psycopg.connect(team_server.db.url) as conn:
        secret = conn.execute("SELECT rolpassword FROM pg_authid WHERE rolname = %s",
                              (team_server.login("cm"),)).fetchone()[0]
    assert secret.startswith("SCRAM-SHA-256$4096:")
    with team_server.connect("cm") as conn:
        assert conn.execute("SELECT current_user").fetchone()[0] == team_server.login("cm")


def test_search_has_trigram_indexes(team_server):
    """Search as you type (ILIKE on PostgreSQL) is served by pg_trgm GIN indexes."""
    with psycopg.connect(team_server.db.url) as conn:
        found = {r[0]: r[1] for r in conn.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'casework' "
            "AND indexname LIKE 'ix_trgm_%'")}
    assert {"ix_trgm_people_family_name", "ix_trgm_addresses_postcode",
            "ix_trgm_cases_reference"} <= set(found)
    assert all("USING gin" in d and "gin_trgm_ops" in d for d in found.values())
