"""The retention schedule on a team server: the information-governance officer anonymises
and deletes cases past their period through the server's own check (a definer function
that records the run), every case audited; outside a run, or for a case still in its
period, the database changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import psycopg
import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from casework.core import audit
from casework.core.errors import CaseworkError
from casework.safeguards import retention
from casework.server import session, setup
from tests.server.conftest import PASSWORD, PgDatabase, _drop, new_database

TODAY = date(2026, 12, 1)


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

    def dba(self) -> psycopg.Connection:
        return psycopg.connect(self.db.url, autocommit=True)


def _seed(url: str) -> dict[str, int]:
    from db.models import Address, Case, CaseParty, Note, Person, PersonAddress, Team
    from db.server.connect import server_engine

    engine = server_engine(url)
    ids: dict[str, int] = {}
    try:
        with Session(engine) as s, s.begin():
            team = s.scalar(select(Team.id).where(Team.name == "ASB Retain"))
            shared = Person(given_name="Shared", family_name="Synthetic-Kept",
                            date_of_birth=date(1980, 5, 5))
            s.add(shared)
            s.flush()
            ids["shared"] = shared.id
            for key, closed in (("old_a", date(2015, 3, 1)), ("old_b", date(2016, 1, 4)),
                                ("recent", date(2025, 6, 1))):
                address = Address(line1=f"{key} 9 Synthetic Close", postcode="ZZ9 9ZZ")
                s.add(address)
                s.flush()
                case = Case(reference=f"R-{key}", case_type="asb", status="closed",
                            opened_on=date(closed.year - 1, 1, 10), closed_on=closed,
                            outcome="resolved", team_id=team, risk_level="standard",
                            summary=f"synthetic {key}", address_id=address.id)
                s.add(case)
                s.flush()
                person = Person(given_name=f"Only{key}", family_name="Synthetic-Gone",
                                date_of_birth=date(1990, 1, 2))
                s.add(person)
                s.flush()
                s.add(PersonAddress(person_id=person.id, address_id=address.id))
                s.add(CaseParty(case_id=case.id, person_id=person.id, role="victim"))
                s.add(CaseParty(case_id=case.id, person_id=shared.id, role="witness"))
                s.add(Note(case_id=case.id, body=f"note {key}"))
                ids[key] = case.id
                ids[f"person_{key}"] = person.id
                ids[f"address_{key}"] = address.id
    finally:
        engine.dispose()
    return ids


@pytest.fixture(scope="module")
def server(pg_admin_url: str, pg_prefix: str) -> Iterator[Server]:
    prefix = f"{pg_prefix}k"
    db = new_database(pg_admin_url, f"{pg_prefix}_retain")
    users = {"ig": "information_governance", "cm": "case_manager", "coord": "coordinator",
             "admin": "administrator"}
    db.roles = [f"{prefix}_{u}" for u in users]
    db.roles += [f"{prefix}_r_{r}" for r in setup.SERVER_ROLES]
    db.roles += [f"{prefix}_user", f"{prefix}_owner"]
    try:
        setup.init(db.url, prefix=prefix)
        for short, role in users.items():
            setup.add_user(db.url, f"{prefix}_{short}", PASSWORD, role,
                           team="ASB Retain" if role == "case_manager" else None,
                           prefix=prefix)
        ids = _seed(db.url)
        u = make_url(db.admin_url)
        url = f"postgresql://{u.host}:{u.port or 5432}/{db.name}?sslmode=disable"
        yield Server(db, url, prefix, ids)
    finally:
        _drop(pg_admin_url, db.name, db.roles)


def _count(conn: psycopg.Connection, sql: str, *args: object) -> int:
    return int(conn.execute(sql, args).fetchone()[0])


def test_ig_applies_the_schedule_on_the_server_audited(server: Server) -> None:
    ids = server.ids
    ig = session.open_url(server.url, server.login("ig"), PASSWORD)
    try:
        due = {i.case_id for i in retention.review_list(ig, today=TODAY)}
        assert due == {ids["old_a"], ids["old_b"]}
        # A case still in its period is refused by the server itself, nothing changed.
        with pytest.raises(CaseworkError):
            retention.delete_cases(ig, [ids["recent"]], confirmed=True, today=TODAY)
        gone = retention.delete_cases(ig, [ids["old_a"]], confirmed=True,
                                      reason="schedule", today=TODAY)
        assert gone.people_removed == (ids["person_old_a"],)
        anon = retention.anonymise_cases(ig, [ids["old_b"]], confirmed=True,
                                         reason="schedule", today=TODAY)
        assert anon.people_anonymised == (ids["person_old_b"],)
    finally:
        ig.lock()
    admin = session.open_url(server.url, server.login("admin"), PASSWORD)
    try:
        verified = audit.verify(admin)
    finally:
        admin.lock()
    assert verified.ok, verified  # the chain, with the runs' entries, still verifies
    with server.dba() as conn:
        assert _count(conn, "SELECT count(*) FROM casework.cases WHERE id = %s",
                      ids["old_a"]) == 0
        assert _count(conn, "SELECT count(*) FROM casework.people WHERE id = %s",
                      ids["person_old_a"]) == 0
        assert _count(conn, "SELECT count(*) FROM casework.addresses WHERE id = %s",
                      ids["address_old_a"]) == 0
        assert _count(conn, "SELECT count(*) FROM casework.notes WHERE case_id = %s",
                      ids["old_b"]) == 0
        assert conn.execute("SELECT summary, address_id, anonymised_at IS NOT NULL FROM "
                            "casework.cases WHERE id = %s", (ids["old_b"],)).fetchone() \
            == ("", None, True)
        assert conn.execute("SELECT given_name, family_name, date_of_birth FROM "
                            "casework.people WHERE id = %s", (ids["person_old_b"],)
                            ).fetchone() == ("", "", None)
        # The person still in another case keeps their record; the recent case is intact.
        assert conn.execute("SELECT family_name FROM casework.people WHERE id = %s",
                            (ids["shared"],)).fetchone() == ("Synthetic-Kept",)
        assert _count(conn, "SELECT count(*) FROM casework.notes WHERE case_id = %s",
                      ids["recent"]) == 1
        # ... and the anonymised case's link to them names an anonymous stand-in.
        assert conn.execute(
            "SELECT p.anonymised, p.given_name, p.family_name, p.id <> %s FROM "
            "casework.case_parties cp JOIN casework.people p ON p.id = cp.person_id "
            "WHERE cp.case_id = %s AND cp.role = 'witness'",
            (ids["shared"], ids["old_b"])).fetchall() == [(True, "", "", True)]
        # Audited: one entry per case and per person in the chain, and the runs on record.
        entries = conn.execute(
            "SELECT action, record_type, record_id FROM casework.audit_entries WHERE "
            "action LIKE 'retention.%%' AND username = %s", (server.login("ig"),)).fetchall()
        assert ("retention.delete", "case", str(ids["old_a"])) in entries
        assert ("retention.anonymise", "case", str(ids["old_b"])) in entries
        assert ("retention.delete", "person", str(ids["person_old_a"])) in entries
        runs = conn.execute("SELECT action, case_ids, reason, username FROM "
                            "casework_acl.retention_runs ORDER BY id").fetchall()
        assert runs == [("delete", [ids["old_a"]], "schedule", server.login("ig")),
                        ("anonymise", [ids["old_b"]], "schedule", server.login("ig"))]


def test_outside_a_run_the_ig_changes_nothing(server: Server) -> None:
    ids = server.ids
    recent = ids["recent"]
    with server.raw("ig") as conn:
        for sql in (f"UPDATE casework.cases SET summary = 'x' WHERE id = {recent}",
                    f"DELETE FROM casework.notes WHERE case_id = {recent}",
                    f"DELETE FROM casework.case_parties WHERE case_id = {recent}",
                    f"UPDATE casework.people SET family_name = 'x' WHERE id = {ids['shared']}"):
            assert conn.execute(sql).rowcount == 0, sql
        assert conn.execute("SELECT count(*) FROM casework.notes WHERE case_id = %s",
                            (recent,)).fetchone() == (1,)  # (the officer reads it)
        # A run cannot name a case still in its period, nor claim a later date.
        for args in (("delete", [recent], "", "2026-12-01"),
                     ("delete", [ids["old_b"]], "", "2099-01-01"),
                     ("purge", [ids["old_b"]], "", "2026-12-01")):
            with pytest.raises(psycopg.Error):
                conn.execute("SELECT casework_acl.retention_open(%s, %s, %s, %s)", args)
        # A run whose changes are not audited is refused when it commits.
        with pytest.raises(psycopg.Error), conn.transaction():
            conn.execute("SELECT casework_acl.retention_open('delete', %s, '', "
                         "'2026-12-01')", ([ids["old_b"]],))
            conn.execute(f"DELETE FROM casework.notes WHERE case_id = {ids['old_b']}")
    with server.dba() as conn:
        assert _count(conn, "SELECT count(*) FROM casework_acl.retention_runs "
                            "WHERE %s = ANY(case_ids) AND action = 'delete'",
                      ids["old_b"]) == 0


def test_only_the_ig_role_may_open_a_run(server: Server) -> None:
    for short in ("cm", "coord"):
        with server.raw(short) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT casework_acl.retention_open('delete', %s, '', "
                         "'2026-12-01')", ([server.ids["old_b"]],))
