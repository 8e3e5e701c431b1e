"""The synthetic demo database: coverage of every workflow, determinism, the CLI."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from casework import demo
from casework.admin import newdb
from casework.cli.main import main
from casework.core import audit, users
from casework.core.context import open_workspace
from casework.core.errors import ValidationError
from casework.demo import names
from casework.demo.generator import LOADED
from db.store import Store

# Depends on what day it is: CI runs it on several (tests/conftest.py).
pytestmark = pytest.mark.dates

TODAY = date(2026, 11, 21)
PASSWORD = "demo test password"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[demo.DemoInfo, Engine]]:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    seen: list[float] = []
    info = demo.create_demo_database(path, cases=300, seed=11, password=PASSWORD,
                                     progress=seen.append, today=TODAY)
    assert seen[0] == 0.0 and seen[-1] == 1.0 and seen == sorted(seen)
    store = Store.open(path, "admin", PASSWORD)
    yield info, store.engine
    store.lock()


def q(engine: Engine, sql: str) -> list[Any]:
    with engine.connect() as conn:
        return list(conn.execute(text(sql)).all())


def one(engine: Engine, sql: str) -> Any:
    return q(engine, sql)[0][0]


def test_users_of_every_role_and_the_case_mix(built: tuple[demo.DemoInfo, Engine]) -> None:
    info, e = built
    assert info.stats.cases == 300
    assert {u.role for u in info.users} == {"administrator", "case_manager", "panel_member",
                                            "panel_chair", "coordinator",
                                            "information_governance"}
    roles = dict(q(e, "SELECT username, role FROM users"))
    assert all(roles[u.username] == u.role for u in info.users)
    counts = dict(q(e, "SELECT case_type, count(*) FROM cases GROUP BY case_type"))
    assert counts == {"asb": 165, "sanctuary": 45, "trigger": 24, "swip": 36, "mart": 30}
    for ref, kind in q(e, "SELECT reference, case_type FROM cases"):
        prefix = {"asb": "ASB", "trigger": "CT", "swip": "SWIP", "mart": "MART",
                  "sanctuary": "SAN"}[kind]
        assert re.fullmatch(rf"{prefix}-20(24|25|26)-\d{{6}}", ref)
    teams = dict(q(e, "SELECT name, id FROM teams"))
    panels = dict(q(e, "SELECT kind, id FROM panels"))
    for kind, team, panel in q(e, "SELECT case_type, team_id, panel_id FROM cases"):
        if kind in ("asb", "trigger"):
            assert (team, panel) == (teams["ASB Team"], None)
        elif kind == "sanctuary":
            assert (team, panel) == (teams["Sanctuary Team"], None)
        else:
            assert panel == panels[kind]
    assert one(e, "SELECT min(opened_on) FROM cases") >= str(TODAY - timedelta(days=731))
    assert {r[0] for r in q(e, "SELECT status FROM cases")} == {"open", "closed"}
    assert one(e, "SELECT count(*) FROM cases WHERE owner_id IS NULL") == 0


def test_places_are_oxford_lsoas_and_integrity_holds(built: tuple[demo.DemoInfo, Engine]) -> None:
    _info, e = built
    lsoas = {r[0] for r in q(e, "SELECT code FROM lsoas")}
    assert len(lsoas) == 83
    for table in ("cases", "addresses", "incidents"):
        used = {r[0] for r in q(e, f"SELECT lsoa_code FROM {table}")}
        assert used <= lsoas and None not in used
    for postcode, town in q(e, "SELECT postcode, town FROM addresses"):
        assert re.fullmatch(r"OX[1-4] \d[A-Z]{2}", postcode) and town == "Oxford"
    assert q(e, "PRAGMA foreign_key_check") == []
    assert one(e, "PRAGMA integrity_check") == "ok"


def test_people_are_synthetic_and_recur(built: tuple[demo.DemoInfo, Engine]) -> None:
    _info, e = built
    family = {s + x.lower() for s in names.FAMILY_STEMS for x in names.FAMILY_ENDINGS}
    rows = q(e, "SELECT family_name, date_of_birth, gender, phone FROM people")
    assert all(r[0] in family and r[1] for r in rows)
    assert len({r[2] for r in rows}) >= 3
    assert all(r[3] == "" or r[3].startswith(("07700 900", "01632 960")) for r in rows)
    assert one(e, "SELECT count(*) FROM person_aliases") > 0
    multi = one(e, "SELECT count(*) FROM (SELECT person_id FROM case_parties GROUP BY "
                   "person_id HAVING count(DISTINCT case_id) > 1)")
    assert multi >= 10
    # someone is a victim in one case and the alleged perpetrator in another
    assert one(e, "SELECT count(*) FROM case_parties a JOIN case_parties b ON "
                  "a.person_id = b.person_id AND a.case_id != b.case_id WHERE "
                  "a.role IN ('victim', 'complainant') AND b.role = 'perpetrator'") > 0


def test_asb_workflow_is_exercised(built: tuple[demo.DemoInfo, Engine]) -> None:
    _info, e = built
    assert {r[0] for r in q(e, "SELECT stage FROM asb_details")} == {0, 1, 2, 3, 4}
    actions = {r[0] for r in q(e, "SELECT action FROM escalation_steps")}
    assert {"first_warning_letter", "second_warning_letter", "cpw", "cpn",
            "closure"} <= actions
    assert actions & {"abc"} and actions & {"injunction", "closure_notice",
                                            "tenancy_enforcement", "cbo", "possession"}
    assert one(e, "SELECT count(*) FROM breaches") > 0
    assert {r[0] for r in q(e, "SELECT level FROM risk_assessments")} == {
        "standard", "medium", "high"}
    assert one(e, "SELECT count(*) FROM risk_assessments WHERE next_review_on IS NULL") == 0
    assert {r[0] for r in q(e, "SELECT source FROM incidents")} >= {"council", "police",
                                                                     "housing"}
    assert one(e, "SELECT count(*) FROM incidents WHERE hate_motivated") > 0
    met = one(e, "SELECT count(*) FROM asb_details WHERE first_contact_on <= first_contact_due")
    missed = one(e, "SELECT count(*) FROM asb_details WHERE first_contact_on > "
                    "first_contact_due")
    assert met > missed > 0
    outcomes = {r[0] for r in q(e, "SELECT outcome FROM cases WHERE case_type = 'asb' AND "
                                   "status = 'closed'")}
    assert outcomes == {"resolved", "no_further_action", "referred_elsewhere",
                        "enforcement_concluded"}
    years = {r[0] for r in q(e, "SELECT substr(opened_on, 1, 4) FROM cases")}
    assert {"2025", "2026"} <= years


def test_community_trigger_is_exercised(built: tuple[demo.DemoInfo, Engine]) -> None:
    _info, e = built
    proposed = {r[0] for r in q(e, "SELECT proposed_threshold_met FROM trigger_applications")}
    assert proposed == {0, 1}
    assert {r[0] for r in q(e, "SELECT threshold_met FROM trigger_applications "
                               "WHERE threshold_decided_on IS NOT NULL")} == {0, 1}
    assert one(e, "SELECT count(*) FROM trigger_complaints WHERE hate_related") > 0
    assert one(e, "SELECT count(*) FROM (SELECT incident_key FROM trigger_complaints GROUP BY "
                  "incident_key HAVING count(DISTINCT agency) > 1)") > 0
    assert one(e, "SELECT count(*) FROM trigger_reviews") > 0
    assert one(e, "SELECT count(*) FROM trigger_recommendations") > 0
    assert one(e, "SELECT count(*) FROM trigger_applications WHERE acknowledged_on IS NOT "
                  "NULL AND outcome_letter_on IS NOT NULL") > 0
    assert one(e, "SELECT count(*) FROM trigger_applications WHERE appeal_outcome IS NOT "
                  "NULL") > 0


def test_panels_mart_and_sanctuary_are_exercised(built: tuple[demo.DemoInfo, Engine]) -> None:
    _info, e = built
    for kind in ("swip", "mart"):
        held = q(e, "SELECT m.scheduled_on FROM meetings m JOIN panels p ON p.id = m.panel_id "
                    f"WHERE p.kind = '{kind}' ORDER BY m.scheduled_on")
        days = [date.fromisoformat(r[0]) for r in held]
        assert len(days) > 10 and {(b - a).days for a, b in zip(days, days[1:])} == {42}
    assert one(e, "SELECT count(*) FROM meeting_attendance WHERE user_id IS NULL") > 0
    assert one(e, "SELECT count(*) FROM meeting_items") > 0
    # each held meeting's agenda is numbered 1, 2, 3... as a chair's agenda would be
    agendas: dict[int, list[int]] = {}
    for mid, order in q(e, "SELECT meeting_id, \"order\" FROM meeting_items"):
        agendas.setdefault(mid, []).append(order)
    assert all(sorted(v) == list(range(1, len(v) + 1)) for v in agendas.values())
    assert max(len(v) for v in agendas.values()) > 1
    assert one(e, "SELECT count(*) FROM panel_actions WHERE completed_on IS NULL") > 0
    assert one(e, "SELECT count(*) FROM panel_actions WHERE completed_on IS NOT NULL") > 0
    # coded fields hold vocabulary codes only (resources/vocabularies.json)
    from casework.core.vocabulary import default_labels

    need_codes, agency_codes = set(default_labels("need")), set(default_labels("agency"))
    rows = q(e, "SELECT needs, agencies_engaged, referrer_agency FROM referrals")
    assert rows and all(json.loads(r[0]) for r in rows)
    assert all(set(json.loads(r[0])) <= need_codes for r in rows)
    assert all(set(json.loads(r[1])) <= agency_codes and r[2] in agency_codes for r in rows)
    assert {r[0] for r in q(e, "SELECT agency FROM panel_actions")} <= agency_codes
    assert {r[0] for r in q(e, "SELECT action_taken FROM breaches")} <= set(
        default_labels("breach_response"))
    assert {r[0] for r in q(e, "SELECT is_child FROM mart_details")} == {0, 1}
    assert one(e, "SELECT count(*) FROM mart_details WHERE duty_to_notify") > 0
    assert one(e, "SELECT count(*) FROM nrm_decisions WHERE kind = 'reasonable_grounds' "
                  "AND recovery_period_ends IS NOT NULL") > 0
    assert one(e, "SELECT count(*) FROM nrm_decisions WHERE kind = 'conclusive_grounds'") > 0
    assert one(e, "SELECT count(*) FROM sanctuary_jobs WHERE completed_on IS NOT NULL") > 0
    assert one(e, "SELECT count(*) FROM sanctuary_jobs WHERE completed_on IS NULL") > 0
    assert one(e, "SELECT count(*) FROM work_lines WHERE cost_pence > 0") > 0
    assert one(e, "SELECT count(DISTINCT contractor_id) FROM sanctuary_jobs") > 2


def test_tasks_notes_and_one_audit_entry(built: tuple[demo.DemoInfo, Engine],
                                         tmp_path: Path) -> None:
    info, e = built
    today = str(TODAY)
    week = str(TODAY + timedelta(days=6))
    open_tasks = "SELECT count(*) FROM tasks WHERE completed_on IS NULL AND "
    assert one(e, open_tasks + f"due_on < '{today}'") > 0
    assert one(e, open_tasks + f"due_on BETWEEN '{today}' AND '{week}'") > 0
    assert one(e, open_tasks + f"due_on > '{week}'") > 0
    assert one(e, "SELECT count(*) FROM tasks WHERE assigned_user_id IS NULL") == 0
    assert one(e, "SELECT count(*) FROM notes") >= 300
    entries = q(e, "SELECT detail FROM audit_entries WHERE action = 'demo.generate'")
    assert [json.loads(r[0]) for r in entries] == [{"cases": 300, "seed": 11}]
    ws = open_workspace(info.path, "asb1", PASSWORD)
    try:
        assert audit.verify(ws).ok
    finally:
        ws.lock()


def _digest(path: Path, password: str) -> str:
    store = Store.open(path, "admin", password)
    h = hashlib.sha256()
    try:
        with store.engine.connect() as conn:
            for table in sorted(LOADED | {"contractors"}):
                for row in conn.execute(text(f"SELECT * FROM {table} ORDER BY 1")):
                    h.update(repr(tuple(row)).encode())
    finally:
        store.lock()
    return h.hexdigest()


def _fresh(path: Path, cases: int, seed: int, parallel: bool | None = None) -> str:
    ws, _recovery = newdb.init_database(path, "admin", PASSWORD)
    users.ensure_team(ws, "ASB Team", "asb")
    users.ensure_team(ws, "Sanctuary Team", "sanctuary")
    users.ensure_panel(ws, "SWIP Panel", "swip")
    users.ensure_panel(ws, "MART Panel", "mart")
    demo.generate(ws, cases, seed, today=TODAY, parallel=parallel)
    ws.lock()
    return _digest(path, PASSWORD)


def test_same_seed_same_rows(tmp_path: Path) -> None:
    first = _fresh(tmp_path / "a.db", 150, 5)
    assert _fresh(tmp_path / "b.db", 150, 5) == first
    assert _fresh(tmp_path / "c.db", 150, 6) != first


def test_rows_made_in_a_second_process_are_the_same_rows(tmp_path: Path) -> None:
    # more than one batch, so the second process runs ahead of the writer
    here = _fresh(tmp_path / "here.db", 2500, 8, parallel=False)
    assert _fresh(tmp_path / "there.db", 2500, 8, parallel=True) == here


def test_generate_refuses_a_database_with_cases(built: tuple[demo.DemoInfo, Engine]) -> None:
    info, _e = built
    ws = open_workspace(info.path, "admin", PASSWORD)
    try:
        with pytest.raises(ValidationError):
            demo.generate(ws, 10, 1)
    finally:
        ws.lock()
    with pytest.raises(ValidationError):
        demo.create_demo_database(info.path, cases=10)


def test_cli_prints_users_and_refuses_an_existing_path(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CASEWORK_PASSWORD", raising=False)
    path = tmp_path / "cli.db"
    assert main(["--db", str(path), "demo", "--cases", "40", "--seed", "3"]) == 0
    printed = capsys.readouterr().out
    for u in demo.DEMO_USERS:
        assert u.username in printed
    assert demo.DEMO_PASSWORD in printed
    Store.open(path, "coord", demo.DEMO_PASSWORD).lock()

    assert main(["--db", str(path), "demo", "--cases", "40"]) != 0
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "already exists" in err


def test_duty_to_notify_is_dated_and_names_its_first_responder(
        built: tuple[demo.DemoInfo, Engine]) -> None:
    # Bug: the demo set Duty to Notify without its date, so the KPI always showed 0.
    _info, engine = built
    assert one(engine, "SELECT count(*) FROM mart_details WHERE duty_to_notify") > 0
    assert one(engine, "SELECT count(*) FROM mart_details WHERE duty_to_notify AND "
                       "(duty_to_notify_on IS NULL OR first_responder = '')") == 0
    assert one(engine, "SELECT count(*) FROM mart_details WHERE exploited_on IS NULL") == 0


def test_the_demo_has_an_information_governance_officer(
        built: tuple[demo.DemoInfo, Engine]) -> None:
    _info, engine = built
    assert q(engine, "SELECT role FROM users WHERE username = 'ig'") == [
        ("information_governance",)]
    assert q(engine, "SELECT count(*) FROM users WHERE role = 'administrator'") == [(1,)]


def test_values_are_stored_as_the_application_stores_them(
        built: tuple[demo.DemoInfo, Engine]) -> None:
    """The load binds values past SQLAlchemy: dates, timestamps and flags must still be
    the text and integers the application writes and compares against."""
    _info, e = built
    for table, column in (("cases", "opened_on"), ("people", "date_of_birth"),
                          ("tasks", "due_on"), ("risk_assessments", "assessed_on")):
        values = q(e, f"SELECT {column}, typeof({column}) FROM {table} "
                      f"WHERE {column} IS NOT NULL")
        assert values
        assert all(kind == "text" and re.fullmatch(r"\d{4}-\d\d-\d\d", v) for v, kind in values)
    for table in ("cases", "people", "notes", "tasks", "escalation_steps"):
        stamps = q(e, f"SELECT created_at, updated_at FROM {table}")
        assert stamps
        for stamp in (s for row in stamps for s in row):
            assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}", stamp), stamp
    flags = q(e, "SELECT flag_mental_health, typeof(flag_mental_health) FROM people")
    assert {v for v, _k in flags} == {0, 1} and {k for _v, k in flags} == {"integer"}
    uuids = [r[0] for r in q(e, "SELECT uuid FROM cases")]
    assert len(set(uuids)) == len(uuids)
    assert all(re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
                            r"[0-9a-f]{12}", u) for u in uuids)


def test_foreign_keys_are_enforced_again_after_the_load(tmp_path: Path) -> None:
    ws, _recovery = newdb.init_database(tmp_path / "fk.db", "admin", PASSWORD)
    users.ensure_team(ws, "ASB Team", "asb")
    demo.generate(ws, 20, 3, today=TODAY)
    engine = ws.store.engine
    try:
        # every pooled connection, the loader's among them, checks references again
        with engine.connect() as a, engine.connect() as b:
            for conn in (a.execution_options(sqlite_begin="DEFERRED"),
                         b.execution_options(sqlite_begin="DEFERRED")):
                assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        note = text("INSERT INTO notes (case_id, author_id, created_at, body, shareable, "
                    "uuid, version, updated_at) VALUES (:case, NULL, "
                    "'2026-01-01 00:00:00.000000', 'x', 0, :uuid, 1, "
                    "'2026-01-01 00:00:00.000000')")
        with pytest.raises(Exception, match="constraint was violated"), ws.uow() as session:
            session.execute(note, {"case": 999999, "uuid": "u1"})  # no such case
        with ws.uow() as session:  # the same row on a case that exists is fine
            session.execute(note, {"case": 1, "uuid": "u2"})
    finally:
        ws.lock()
