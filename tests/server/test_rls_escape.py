"""Each role, connected with ``psycopg`` and its own credentials (as with ``psql``), tries
to reach what the application would not show it. Every attempt is refused or empty."""

from __future__ import annotations

import psycopg
import pytest
from psycopg import errors

DENIED = (errors.InsufficientPrivilege,)
# The columns every synced row carries, for rows written here by hand.
SYNC, NEW = ", uuid, version, updated_at", ", gen_random_uuid()::text, 1, now()"


def _ids(conn: psycopg.Connection, sql: str) -> set[int]:
    return {int(r[0]) for r in conn.execute(sql)}


def _refused(conn: psycopg.Connection, sql: str) -> None:
    with pytest.raises(DENIED):
        conn.execute(sql)


def _refused_or_nothing(conn: psycopg.Connection, sql: str) -> None:
    """Refused, or (a role granted the write for some rows only) no row changed."""
    try:
        changed = conn.execute(sql).rowcount
    except DENIED:
        return
    assert changed == 0, sql


def _audit_shows_only_own_case_history(conn: psycopg.Connection, visible: set[int]) -> None:
    """A case manager or panel member reads only the entries about cases they see (the
    case view's history); never logins, people or other cases."""
    rows = conn.execute("SELECT record_type, record_id FROM casework.audit_entries").fetchall()
    assert all(t == "case" and int(i) in visible for t, i in rows), rows


def _audit_is_append_only(conn: psycopg.Connection) -> None:
    for sql in ("UPDATE casework.audit_entries SET action = 'x'",
                "DELETE FROM casework.audit_entries",
                "TRUNCATE casework.audit_entries"):
        _refused(conn, sql)


def _no_escape_by_settings(ts, short: str, probe: str) -> None:
    """Session settings and the login's group roles open nothing more."""
    with ts.connect(short) as conn:
        before = conn.execute(probe).fetchall()
        conn.execute("SET casework.username = 'admin'")
        conn.execute("SET application_name = 'casework-admin'")
        assert conn.execute(probe).fetchall() == before
        for group in (f"{ts.prefix}_user", f"{ts.prefix}_r_case_manager",
                      f"{ts.prefix}_r_panel_member", f"{ts.prefix}_r_administrator"):
            try:
                conn.execute(f'SET ROLE "{group}"')
            except DENIED:
                continue
            rows = conn.execute(probe).fetchall() if _can(conn, probe) else []
            assert rows == [] or rows == before, group
            conn.execute("RESET ROLE")
        for owner in (f"{ts.prefix}_owner", "postgres"):
            _refused(conn, f'SET ROLE "{owner}"')
            _refused(conn, f"SET SESSION AUTHORIZATION \"{owner}\"")
        conn.execute("SET row_security = off")
        with pytest.raises((errors.InsufficientPrivilege, errors.FeatureNotSupported)):
            conn.execute(probe)


def _can(conn: psycopg.Connection, sql: str) -> bool:
    try:
        conn.execute(sql)
        return True
    except DENIED:
        return False


def test_case_manager_sees_only_their_teams_cases(team_server):
    ts, ids = team_server, team_server.ids
    with ts.connect("cm") as conn:
        assert _ids(conn, "SELECT id FROM casework.cases") == {ids["case_north"]}
        assert _ids(conn, "SELECT case_id FROM casework.notes") == {ids["case_north"]}
        assert _ids(conn, "SELECT id FROM casework.people") == {ids["person_north"]}
        assert _ids(conn, "SELECT case_id FROM casework.referrals") == set()
        assert _ids(conn, "SELECT person_id FROM casework.case_parties") == {ids["person_north"]}
        # Other teams' rows cannot be changed, nor moved into, nor added to.
        south = ids["case_south"]
        assert conn.execute(f"UPDATE casework.cases SET summary = 'x' WHERE id = {south}"
                            ).rowcount == 0
        assert conn.execute(f"DELETE FROM casework.notes WHERE case_id = {south}").rowcount == 0
        with pytest.raises(DENIED):
            conn.execute("INSERT INTO casework.notes (case_id, created_at, body, shareable) "
                         f"VALUES ({south}, now(), 'x', false)")
        assert conn.execute(f"UPDATE casework.cases SET team_id = (SELECT team_id FROM "
                            f"casework.users WHERE username = current_user) WHERE id = {south}"
                            ).rowcount == 0
        with pytest.raises(DENIED):
            conn.execute(f"UPDATE casework.cases SET panel_id = 1, case_type = 'swip' "
                         f"WHERE id = {ids['case_north']}")
        # A hidden person cannot be pulled into view by linking them to a visible case.
        with pytest.raises(DENIED):
            conn.execute("INSERT INTO casework.case_parties (case_id, person_id, role, agency) "
                         f"VALUES ({ids['case_north']}, {ids['person_south']}, 'victim', '')")
        assert _ids(conn, "SELECT id FROM casework.people") == {ids["person_north"]}
        assert _ids(conn, "SELECT id FROM casework.addresses") == {ids["address_north"]}
        with pytest.raises(DENIED):
            conn.execute(f"UPDATE casework.cases SET address_id = {ids['address_south']} "
                         f"WHERE id = {ids['case_north']}")
        _audit_shows_only_own_case_history(conn, {ids["case_north"]})
        _audit_is_append_only(conn)
        # A contractor firm may be added for a job (the app's case.write), but reference
        # rows are never changed or removed by a case worker, nor other reference added.
        conn.execute("INSERT INTO casework.contractors (name, active) VALUES ('Locks Ltd', true)")
        _refused(conn, "UPDATE casework.contractors SET name = 'x'")
        _refused(conn, "DELETE FROM casework.contractors")
        _refused(conn, "INSERT INTO casework.vocabulary_terms (vocabulary, code, label) "
                       "VALUES ('agency', 'x', 'x')")
        # The transfer function moves only a case they see, to a team of its type, with
        # an owner of that team: another team's case, or their own to a team that does
        # not handle it, changes nothing.
        for cid, team in ((south, "(SELECT team_id FROM casework.users WHERE username = "
                                  "current_user)"),
                          (ids["case_north"], "(SELECT id FROM casework.teams WHERE kind <> "
                                              "'asb' LIMIT 1)")):
            assert conn.execute(f"SELECT casework_acl.transfer_case({cid}, {team}, "
                                "1, now()::timestamp)").fetchone()[0] == 0
        assert _ids(conn, "SELECT id FROM casework.cases") == {ids["case_north"]}
        # Their own job title (their letters' signature) through the server's function;
        # no other column, and no one else's row.
        assert conn.execute("SELECT casework_acl.set_own_job_title('Officer')"
                            ).fetchone()[0] == 1
        assert conn.execute("SELECT count(*) FROM casework.users WHERE job_title = 'Officer'"
                            ).fetchone()[0] == 1
        _refused(conn, "UPDATE casework.users SET job_title = 'x'")
        _refused(conn, "UPDATE casework.users SET role = 'administrator' "
                       "WHERE username = current_user")
        # The group counts show only their own groups.
        assert {r[0] for r in conn.execute("SELECT team_id FROM casework.case_counts "
                                           "WHERE n > 0")} == {
            conn.execute("SELECT team_id FROM casework.users WHERE username = current_user"
                         ).fetchone()[0]}
    _no_escape_by_settings(ts, "cm", "SELECT id FROM casework.cases ORDER BY id")


def test_panel_member_sees_only_their_panels_referrals(team_server):
    ts, ids = team_server, team_server.ids
    for short in ("swip", "swipchair"):
        with ts.connect(short) as conn:
            assert _ids(conn, "SELECT id FROM casework.cases") == {ids["case_east"]}
            assert _ids(conn, "SELECT case_id FROM casework.referrals") == {ids["case_east"]}
            assert _ids(conn, "SELECT id FROM casework.people") == {ids["person_east"]}
            assert conn.execute(f"UPDATE casework.referrals SET needs = '[]' WHERE case_id = "
                                f"{ids['case_west']}").rowcount == 0
            _audit_shows_only_own_case_history(conn, {ids["case_east"]})
            _audit_is_append_only(conn)
    with ts.connect("swip2") as conn:
        assert _ids(conn, "SELECT id FROM casework.cases") == {ids["case_west"]}
    _no_escape_by_settings(ts, "swip", "SELECT case_id FROM casework.referrals ORDER BY 1")
    # Meetings are the chair's to write: the chair schedules one of their panel; a member
    # of the same panel reads it and can neither add, change nor remove one, nor its
    # attendance.
    panel = "(SELECT id FROM casework.panels WHERE name = 'SWIP East')"
    with ts.connect("swipchair") as conn:
        meeting = conn.execute(
            f"INSERT INTO casework.meetings (panel_id, scheduled_on, held, location, "
            f"starts_at{SYNC}) VALUES ({panel}, '2026-12-08', false, '', ''{NEW}) "
            f"RETURNING id").fetchone()[0]
    with ts.connect("swip") as conn:
        assert _ids(conn, "SELECT id FROM casework.meetings") == {meeting}
        _refused(conn, f"INSERT INTO casework.meetings (panel_id, scheduled_on, held, "
                       f"location, starts_at{SYNC}) VALUES ({panel}, '2026-12-09', false, "
                       f"'', ''{NEW})")
        _refused_or_nothing(conn, f"UPDATE casework.meetings SET location = 'x' "
                                  f"WHERE id = {meeting}")
        _refused_or_nothing(conn, f"DELETE FROM casework.meetings WHERE id = {meeting}")
        _refused(conn, f"INSERT INTO casework.meeting_attendance (meeting_id, attendee, "
                       f"agency, present, role{SYNC}) VALUES ({meeting}, 'x', 'police', true, "
                       f"'member'{NEW})")
        assert _ids(conn, "SELECT id FROM casework.meetings") == {meeting}
    with ts.connect("swipchair") as conn:
        assert conn.execute(f"UPDATE casework.meetings SET location = 'Hall' "
                            f"WHERE id = {meeting}").rowcount == 1


def test_coordinator_reaches_no_identifiable_table(team_server):
    ts = team_server
    with ts.connect("coord") as conn:
        for table in ("cases", "people", "notes", "referrals", "case_parties", "addresses",
                      "person_aliases", "incidents", "documents", "audit_entries"):
            _refused(conn, f"SELECT * FROM casework.{table}")
        assert conn.execute("SELECT count(*) FROM casework.case_counts WHERE n > 0"
                            ).fetchone() == (0,)
        _audit_is_append_only(conn)
    _no_escape_by_settings(ts, "coord", "SELECT id FROM casework.case_counts WHERE n > 0")


def test_administrator_sees_no_case_content_and_cannot_change_the_audit(team_server):
    ts = team_server
    with ts.connect("admin") as conn:
        for table in ("cases", "people", "notes", "referrals", "case_parties", "documents"):
            _refused(conn, f"SELECT * FROM casework.{table}")
        assert conn.execute("SELECT count(*) FROM casework.audit_entries").fetchone()[0] >= 1
        _audit_is_append_only(conn)
        # Nor around the guard: the owner role, triggers and policies are not theirs.
        _refused(conn, "ALTER TABLE casework.audit_entries DISABLE TRIGGER USER")
        _refused(conn, "DROP POLICY cw_access ON casework.cases")
        _refused(conn, f'SET ROLE "{ts.prefix}_owner"')


def test_a_role_the_server_does_not_know_sees_nothing(team_server):
    with team_server.connect("stranger") as conn:
        assert conn.execute("SELECT count(*) FROM casework.cases").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM casework.people").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM casework.notes").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM casework.audit_entries").fetchone() == (0,)


def test_login_verifiers_are_what_libpq_computes(team_server):
    """The verifier set for a login is PostgreSQL's own SCRAM-SHA-256 for that password
    (computed here, so the password never reaches the server or its logs)."""
    import base64

    from casework.server import scram
    from tests.server.conftest import PASSWORD

    with psycopg.connect(team_server.db.url) as conn:
        stored = conn.execute("SELECT rolpassword FROM pg_authid WHERE rolname = %s",
                              (team_server.login("cm"),)).fetchone()[0]
        libpq = conn.pgconn.encrypt_password(PASSWORD.encode(), b"x", b"scram-sha-256").decode()
    salt = base64.b64decode(stored.split("$")[1].split(":")[1])
    assert scram.verifier(PASSWORD, salt=salt) == stored
    libpq_salt = base64.b64decode(libpq.split("$")[1].split(":")[1])
    assert scram.verifier(PASSWORD, salt=libpq_salt) == libpq
    assert scram.verifier("another password", salt=salt) != stored


def test_audit_sequence_numbers_are_taken_under_a_lock(team_server):
    """A second writer waits for the first's transaction, then sees its entry: the chain
    cannot fork; an entry not after the end is refused."""
    import threading

    ts = team_server
    from tests.server.conftest import TS, entry_hash

    insert = ("INSERT INTO casework.audit_entries (seq, ts, user_id, username, action, "
              "record_type, record_id, reason, detail, hash) VALUES (%s, %s, NULL, "
              "current_user, 'login', '', '', '', '', %s)")
    first = ts.connect("cm")
    second = ts.connect("swip")
    seq_a, prev = -1, ""
    try:
        first.autocommit = second.autocommit = False
        seq_a, prev = first.execute("SELECT * FROM casework_acl.audit_tail()").fetchone()
        got: list[int] = []

        def later() -> None:
            got.append(second.execute("SELECT seq FROM casework_acl.audit_tail()"
                                      ).fetchone()[0])

        t = threading.Thread(target=later)
        t.start()
        t.join(0.5)
        assert t.is_alive()  # waiting for the first writer
        first.execute(insert, (seq_a + 1, TS, entry_hash(prev, seq_a + 1, ts.login("cm"))))
        first.commit()
        t.join(10)
        assert got == [seq_a + 1]
        with pytest.raises(errors.UniqueViolation):
            second.execute(insert, (seq_a + 1, TS, entry_hash(prev, seq_a + 1,
                                                              ts.login("swip"))))
        second.rollback()
        with pytest.raises(DENIED):  # nor in another user's name
            second.execute(insert.replace("current_user", "'system'"),
                           (seq_a + 2, TS, entry_hash(prev, seq_a + 2, "system")))
        second.rollback()
    finally:
        first.close()
        second.close()
        # The entry written here has no signed head: take it out again (as the database
        # administrator can, triggers off) so the chain the other tests verify is sound.
        with psycopg.connect(ts.db.url, autocommit=True) as dba:
            dba.execute("SET session_replication_role = replica")
            dba.execute("DELETE FROM casework.audit_entries WHERE seq = %s AND hash = %s",
                        (seq_a + 1, entry_hash(prev, seq_a + 1, ts.login("cm"))))


def test_information_governance_reads_for_subject_access_but_writes_no_case_data(team_server):
    """The IG officer reads every case type's records (a subject access export needs them),
    the whole audit trail and the disclosure log; they change no case data (outside a retention
    run), no audit entry, no one else's disclosure and no task on a case."""
    ts, ids = team_server, team_server.ids
    every = {ids[f"case_{k}"] for k in ("north", "south", "east", "west")}
    with ts.connect("ig") as conn:
        me = conn.execute("SELECT id FROM casework.users WHERE username = current_user"
                          ).fetchone()[0]
        assert _ids(conn, "SELECT id FROM casework.cases") == every
        assert _ids(conn, "SELECT case_id FROM casework.notes") == every
        assert _ids(conn, "SELECT person_id FROM casework.case_parties") == {
            ids[f"person_{k}"] for k in ("north", "south", "east", "west")}
        assert _ids(conn, "SELECT case_id FROM casework.referrals") == {
            ids["case_east"], ids["case_west"]}
        assert conn.execute("SELECT count(*) FROM casework.audit_entries").fetchone()[0] >= 5
        north = ids["case_north"]
        for sql in (f"UPDATE casework.cases SET summary = 'x' WHERE id = {north}",
                    f"DELETE FROM casework.notes WHERE case_id = {north}",
                    "INSERT INTO casework.notes (case_id, created_at, body, shareable) "
                    f"VALUES ({north}, now(), 'x', false)",
                    f"UPDATE casework.people SET family_name = 'x' WHERE id = "
                    f"{ids['person_north']}",
                    f"DELETE FROM casework.case_parties WHERE case_id = {north}",
                    "INSERT INTO casework.tasks (case_id, kind, title, due_on, closed_reason, "
                    f"created_at, assigned_user_id{SYNC}) VALUES ({north}, 'x', 'x', "
                    f"'2026-12-02', '', now(), {me}{NEW})",
                    "UPDATE casework.users SET role = 'administrator' WHERE id = " + str(me),
                    "DELETE FROM casework.disclosures"):
            # (Retention grants the officer changes to the rows of a checked run only.)
            (_refused_or_nothing if sql.startswith(("UPDATE", "DELETE")) else _refused)(
                conn, sql)
        _audit_is_append_only(conn)
        # Their own request task (no case) and disclosures in their own name only.
        conn.execute("INSERT INTO casework.tasks (case_id, kind, title, due_on, closed_reason, "
                     f"created_at, assigned_user_id{SYNC}) VALUES (NULL, 'sar', 'SAR', "
                     f"'2026-12-31', '', now(), {me}{NEW})")
        assert conn.execute("UPDATE casework.tasks SET completed_on = '2026-12-01' WHERE "
                            "kind = 'sar' AND assigned_user_id = %s", (me,)).rowcount == 1
        _refused(conn, "UPDATE casework.tasks SET case_id = "
                       f"{north} WHERE kind = 'sar'")
        disclose = ("INSERT INTO casework.disclosures (person_id, kind, disclosed_on, "
                    f"recipient, method, what, files, sha256, recorded_by, recorded_at{SYNC}) "
                    "VALUES (%s, 'subject_access', '2026-12-01', 'The subject', 'post', "
                    f"'records', '[]', '{{}}', %s, now(){NEW})")
        conn.execute(disclose, (ids["person_north"], me))
        assert conn.execute("SELECT count(*) FROM casework.disclosures").fetchone() == (1,)
        _refused(conn, disclose.replace("%s, now()", "NULL, now()") % (ids["person_north"],))
        _refused(conn, "ALTER TABLE casework.audit_entries DISABLE TRIGGER USER")
        _refused(conn, "DROP POLICY cw_sar_read ON casework.cases")
    _no_escape_by_settings(ts, "ig", "SELECT id FROM casework.cases ORDER BY id")
    # The disclosure log is theirs alone.
    for short in ("cm", "swip", "coord", "admin"):
        with ts.connect(short) as conn:
            _refused(conn, "SELECT * FROM casework.disclosures")


def test_panel_tables_of_later_revisions_follow_the_panel(team_server):
    """Ugly-mug reports are held by a panel (with or without a referral), their links and
    MART outcomes belong to a referral: each panel sees its own, a case manager none, and
    a hidden report cannot be linked to a visible referral."""
    ts, ids = team_server, team_server.ids
    east, west = ids["case_east"], ids["case_west"]
    with psycopg.connect(ts.db.url, autocommit=True) as dba:
        reports = {}
        for key, case in (("east", east), ("west", west)):
            reports[key] = dba.execute(
                "INSERT INTO casework.ugly_mug_reports (case_id, reported_on, description, "
                f"panel_id, code{SYNC}) SELECT NULL, '2026-11-20', 'synthetic', panel_id, "
                f"'other'{NEW} FROM casework.cases WHERE id = %s RETURNING id", (case,)
            ).fetchone()[0]
            dba.execute("INSERT INTO casework.mart_outcomes (case_id, outcome, recorded_on"
                        f"{SYNC}) VALUES (%s, 'safeguarded', '2026-11-21'{NEW})", (case,))
        dba.execute(f"INSERT INTO casework.ugly_mug_links (report_id, case_id{SYNC}) "
                    f"VALUES (%s, %s{NEW})", (reports["east"], east))
    try:
        with ts.connect("swip") as conn:
            assert _ids(conn, "SELECT id FROM casework.ugly_mug_reports") == {reports["east"]}
            assert _ids(conn, "SELECT case_id FROM casework.ugly_mug_links") == {east}
            assert _ids(conn, "SELECT case_id FROM casework.mart_outcomes") == {east}
            with pytest.raises(DENIED):
                conn.execute(f"INSERT INTO casework.ugly_mug_links (report_id, case_id{SYNC}) "
                             f"VALUES (%s, %s{NEW})", (reports["west"], east))
            assert conn.execute("UPDATE casework.ugly_mug_reports SET code = 'x' WHERE id = "
                                "%s", (reports["west"],)).rowcount == 0
        with ts.connect("swip2") as conn:
            assert _ids(conn, "SELECT id FROM casework.ugly_mug_reports") == {reports["west"]}
            assert _ids(conn, "SELECT case_id FROM casework.ugly_mug_links") == set()
        with ts.connect("cm") as conn:
            for table in ("ugly_mug_reports", "ugly_mug_links", "mart_outcomes"):
                assert conn.execute(f"SELECT count(*) FROM casework.{table}"
                                    ).fetchone() == (0,), table
        with ts.connect("ig") as conn:
            assert _ids(conn, "SELECT id FROM casework.ugly_mug_reports") == set(
                reports.values())
            assert _ids(conn, "SELECT case_id FROM casework.mart_outcomes") == {east, west}
        with ts.connect("coord") as conn:
            _refused(conn, "SELECT * FROM casework.ugly_mug_reports")
    finally:
        with psycopg.connect(ts.db.url, autocommit=True) as dba:
            dba.execute("DELETE FROM casework.ugly_mug_reports")
            dba.execute("DELETE FROM casework.mart_outcomes")


def test_change_log_shows_changes_of_visible_cases_and_is_appended_in_own_name(team_server):
    ts, ids = team_server, team_server.ids
    with psycopg.connect(ts.db.url, autocommit=True) as dba:
        for key in ("north", "south"):
            dba.execute("INSERT INTO casework.change_log (table_name, row_uuid, row_id, "
                        "case_id, version, op, columns, actor_id, actor, at) VALUES "
                        "('notes', gen_random_uuid()::text, '1', %s, 1, 'update', 'body', "
                        "NULL, 'system', now())", (ids[f"case_{key}"],))
    try:
        with ts.connect("cm") as conn:
            seen = _ids(conn, "SELECT case_id FROM casework.change_log WHERE case_id "
                              "IS NOT NULL")
            assert seen == {ids["case_north"]}
            me = conn.execute("SELECT id FROM casework.users WHERE username = current_user"
                              ).fetchone()[0]
            for sql in ("UPDATE casework.change_log SET columns = ''",
                        "DELETE FROM casework.change_log",
                        "INSERT INTO casework.change_log (table_name, row_uuid, row_id, "
                        "case_id, version, op, columns, actor_id, actor, at) VALUES ('notes', "
                        f"'x', '1', NULL, 1, 'update', '', {me + 1000}, 'someone', now())"):
                _refused(conn, sql)
        with ts.connect("coord") as conn:
            assert conn.execute("SELECT count(*) FROM casework.change_log").fetchone() == (0,)
    finally:
        with psycopg.connect(ts.db.url, autocommit=True) as dba:
            dba.execute("DELETE FROM casework.change_log WHERE actor = 'system' "
                        "AND columns = 'body'")


def test_a_chair_notes_agencies_on_their_own_panels_memberships_only(team_server):
    """Recording attendance remembers each member's coded agency on their membership: a
    chair may change that one column, of the memberships of the panels they chair."""
    ts = team_server
    own = ("SELECT pm.id FROM casework.panel_memberships pm JOIN casework.panels p "
           "ON p.id = pm.panel_id WHERE p.name = '{}'")
    with psycopg.connect(ts.db.url, autocommit=True) as dba:
        before = dba.execute("SELECT id, user_id, panel_id, is_chair, agency "
                             "FROM casework.panel_memberships ORDER BY id").fetchall()
    try:
        with ts.connect("swipchair") as conn:
            east = _ids(conn, own.format("SWIP East"))
            west = _ids(conn, own.format("SWIP West"))
            assert east and west  # every login reads the memberships
            assert conn.execute("UPDATE casework.panel_memberships SET agency = 'police' "
                                f"WHERE id IN ({own.format('SWIP East')})").rowcount == \
                len(east)
            _refused_or_nothing(conn, "UPDATE casework.panel_memberships SET agency = "
                                      f"'police' WHERE id IN ({own.format('SWIP West')})")
            for sql in ("UPDATE casework.panel_memberships SET is_chair = true",
                        "UPDATE casework.panel_memberships SET panel_id = panel_id",
                        "DELETE FROM casework.panel_memberships",
                        "INSERT INTO casework.panel_memberships (user_id, panel_id, is_chair, "
                        "agency) SELECT user_id, panel_id, true, '' FROM "
                        "casework.panel_memberships LIMIT 1"):
                _refused(conn, sql)
        for short in ("swip", "cm", "coord"):  # not a chair: no write at all
            with ts.connect(short) as conn:
                _refused(conn, "UPDATE casework.panel_memberships SET agency = 'police'")
        with ts.connect("admin") as conn:  # the administrator manages memberships
            assert conn.execute("UPDATE casework.panel_memberships SET agency = agency"
                                ).rowcount == len(before)
    finally:
        with psycopg.connect(ts.db.url, autocommit=True) as dba:
            for mid, _u, _p, _c, agency in before:
                dba.execute("UPDATE casework.panel_memberships SET agency = %s WHERE id = %s",
                            (agency, mid))
