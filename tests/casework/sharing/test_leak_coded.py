"""Coded fields leak nothing: the leaks named in the issue, each through the output that
printed it, seeded as old free text (a database from before the vocabularies) and through
the services, CSV import and every anonymised output; plus the migration of old text."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text

from casework.asb import importer, ladder
from casework.cli.reports import _json
from casework.core import vocabulary
from casework.core.errors import ValidationError
from casework.panels import pack
from casework.panels import swip as panels
from casework.reporting import kpi_report, kpis
from casework.sharing import quarterly
from casework.trigger import applications as trigger
from casework.trigger import review_pack
from db import migrate
from db.models import (
    AsbDetail,
    Breach,
    EscalationStep,
    MartDetail,
    MeetingItem,
    PanelAction,
    Referral,
    Team,
    TriggerComplaint,
)
from tests.casework.sharing.builders import PEOPLE, build_all, case, person
from tests.casework.sharing.test_leak import assert_clean, text_of

NAME = PEOPLE[0]["given"]
FAMILY = PEOPLE[0]["family"]
# Free text as workers typed it into fields that are now coded (the examples).
OLD_TEXT = {
    "referrer_agency": f"Self-referral via {NAME}'s sister",
    "agencies_engaged": f"{FAMILY} family support",
    "action_agency": f"{FAMILY} outreach",
    "mart_need": f"contact with {NAME}'s brother",
    "complaint_to": f"Councillor for {NAME} {FAMILY}",  # within the column's 40
    "breach": f"FPN issued to {NAME} {FAMILY}",
}


def _seed_old_free_text(ws, world) -> int:
    """Rows as a database from before the vocabularies held them (written directly)."""
    with ws.uow() as s:
        for ref in s.query(Referral).all():
            ref.referrer_agency = OLD_TEXT["referrer_agency"]
            ref.agencies_engaged = json.dumps(["police", OLD_TEXT["agencies_engaged"]])
            if s.get(MartDetail, ref.case_id) is not None:
                ref.needs = json.dumps(["housing", OLD_TEXT["mart_need"]])
        for action in s.query(PanelAction).all():
            action.agency = OLD_TEXT["action_agency"]
        for c in s.query(TriggerComplaint).all():
            c.agency = OLD_TEXT["complaint_to"]
        p = person(s, 0)
        asb = case(s, "ASB-BREACH", "asb", date(2026, 7, 1), person_obj=p)
        cpn = EscalationStep(case_id=asb.id, stage=3, action="cpn", taken_on=date(2026, 7, 2))
        s.add(cpn)
        s.flush()
        for day in range(3, 12):
            s.add(Breach(step_id=cpn.id, occurred_on=date(2026, 7, day),
                         action_taken=OLD_TEXT["breach"]))
        s.add(Breach(step_id=cpn.id, occurred_on=date(2026, 7, 20),
                     action_taken="prosecution"))
        for day in (21, 22):
            s.add(Breach(step_id=cpn.id, occurred_on=date(2026, 7, day),
                         action_taken="no_action"))
        return asb.id


@pytest.fixture
def old_world(db):
    world = build_all(db.system(), n_referrals=3)
    _seed_old_free_text(db.system(), world)
    return world


def _secrets() -> list[str]:
    return [NAME, FAMILY, *OLD_TEXT.values(), "sister", "brother", "councillor"]


def _assert_none(paths: list[Path]) -> None:
    assert_clean(paths)
    for path in paths:
        body = " ".join(text_of(path).casefold().split())
        found = [s for s in _secrets() if s.casefold() in body]
        assert not found, f"{path.name} leaks {found}"


def test_meeting_packs_print_coded_agencies_and_needs(db, old_world, tmp_path):
    swip = pack.export_pack(db.ws("swipchair"), old_world.meeting_id, "Alex Officer",
                            tmp_path / "swip.pdf")
    mart = pack.export_pack(db.ws("martchair"), old_world.mart_meeting_id, "Jo Inspector",
                            tmp_path / "mart.pdf")
    _assert_none([*swip.files, *mart.files])
    body = " ".join(text_of(tmp_path / "swip.pdf").split())
    assert "Referred by (agency) Other" in body
    assert "Agencies engaged Police, Other" in body
    assert "Other (recorded; not marked shareable)" in body  # the action's agency, coded
    assert "Housing, Other" in " ".join(text_of(tmp_path / "mart.pdf").split())


def test_review_pack_complaint_to_is_coded(db, old_world, tmp_path):
    r = review_pack.export_review_pack(db.ws("cm"), old_world.trigger_case_id, "Pat Sergeant",
                                       "police", tmp_path / "review.pdf")
    _assert_none(list(r.files))
    assert "Other" in text_of(tmp_path / "review.pdf")


def test_kpi_report_and_json_code_breach_actions_and_hide_suppressed_labels(db, old_world,
                                                                             tmp_path):
    r = kpi_report.export_kpi_report(db.ws("coord"), "2026Q3", tmp_path / "kpi.pdf")
    as_json = tmp_path / "kpis.json"
    as_json.write_text(_json(kpis.compute_kpis(db.ws("coord"), "2026Q3")), encoding="utf-8")
    _assert_none([*r.files, as_json])
    assert json.loads(as_json.read_text())["asb"]["cpn_breach_actions"] == {
        "other": 9, "prosecution": 1, "no_action": 2}
    report = " ".join(text_of(tmp_path / "kpi.pdf").split())
    # nine breaches dealt with otherwise are shown; the prosecution (1) and no action (2)
    # are suppressed, and so are their labels
    assert "other 9" in report.casefold()
    assert "Other categories (suppressed) [c]" in report
    section = report[report.index("Action taken on CPN breaches"):]
    section = section.casefold().split("sanctuary")[0]
    assert "prosecution" not in section and "no action" not in section


def test_every_anonymised_output_with_old_free_text_leaks_nothing(db, old_world, tmp_path):
    from tests.casework.sharing.test_quarterly import fill

    fill(db.system(), 60)
    files = [*pack.export_pack(db.ws("swipchair"), old_world.meeting_id, "Sam Nurse",
                               tmp_path / "swip.pdf").files,
             *quarterly.export_quarterly(db.ws("coord"), "2026Q3", tmp_path / "q").files]
    _assert_none(files)
    assert not [f for f in files if any(s.casefold() in f.name.casefold()
                                        for s in _secrets())]


def test_services_refuse_free_text_in_coded_fields(db):
    from tests.casework.wf_helpers import make_person, panel_id

    ws = db.ws("swip")
    pid = panel_id(ws, "SWIP Panel")
    who = make_person(ws, NAME, FAMILY)
    with pytest.raises(ValidationError) as err:
        panels.refer(ws, pid, "swip", who, date(2026, 7, 1), "A. Worker",
                     OLD_TEXT["referrer_agency"], "given", ["housing"], "high", [])
    assert err.value.field == "referrer_agency"
    with pytest.raises(ValidationError):
        panels.refer(ws, pid, "swip", who, date(2026, 7, 1), "A. Worker", "police", "given",
                     ["housing"], "high", [OLD_TEXT["agencies_engaged"]])
    with pytest.raises(ValidationError):
        panels.refer(ws, pid, "swip", who, date(2026, 7, 1), "A. Worker", "police", "given",
                     [OLD_TEXT["mart_need"]], "high", [])
    view = panels.refer(ws, pid, "swip", who, date(2026, 7, 1), "A. Worker", "self_referral",
                        "given", ["housing", "other"], "high", ["police", "other"])
    assert view.referrer_agency == "self_referral" and view.needs == ("housing", "other")
    with pytest.raises(ValidationError):
        panels.add_action(db.ws("swipchair"), view.header.id, OLD_TEXT["action_agency"],
                          "Owner", "Visit.", date(2026, 12, 20))


def test_complaints_and_breaches_refuse_free_text(db):
    from tests.casework.wf_helpers import make_person

    ws = db.ws("cm")
    app = trigger.open_trigger(ws, make_person(ws, NAME, FAMILY), date(2026, 9, 1))
    with pytest.raises(ValidationError) as err:
        trigger.add_complaint(ws, app.id, date(2026, 8, 1), date(2026, 8, 2),
                              OLD_TEXT["complaint_to"])
    assert err.value.field == "agency"
    assert trigger.add_complaint(ws, app.id, date(2026, 8, 1), date(2026, 8, 2),
                                 "other").agency == "other"
    with db.system().uow() as s:
        team = s.scalar(select(Team.id).where(Team.name == "ASB Team"))
        asb = case(s, "ASB-B", "asb", date(2026, 7, 1), team_id=team)
        s.add(AsbDetail(case_id=asb.id, category="personal", stage=2))
        cpw = EscalationStep(case_id=asb.id, stage=2, action="cpw", taken_on=date(2026, 7, 2))
        s.add(cpw)
        s.flush()
        step_id = cpw.id
    with pytest.raises(ValidationError) as err2:
        ladder.record_breach(ws, step_id, date(2026, 8, 1), OLD_TEXT["breach"])
    assert err2.value.field == "action_taken"
    assert ladder.record_breach(ws, step_id, date(2026, 8, 1),
                                "fixed_penalty_notice").action_taken == "fixed_penalty_notice"


def test_csv_import_people_never_reach_the_quarterly_or_kpi_outputs(db, tmp_path):
    csv_path = tmp_path / "cases.csv"
    header = ("reference_external,opened_on,category,lsoa_code,complainant_given_name,"
              "complainant_family_name,complainant_dob,complainant_phone,complainant_email,"
              "summary")
    rows = [f"OLD-{i},2026-07-0{i + 1},personal,E01028521,Xanthippe,Quorbleton-{i},"
            f"1961-02-0{i + 1},+44 7700 90011{i},xq{i}@example.org,"
            f"Xanthippe Quorbleton-{i} of 5 Fizzwick Road" for i in range(6)]
    csv_path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    result = importer.import_cases(db.ws("cm"), csv_path.read_bytes())
    assert result.cases == 6
    files = [*quarterly.export_quarterly(db.ws("coord"), "2026Q3", tmp_path / "q").files,
             *kpi_report.export_kpi_report(db.ws("coord"), "2026Q3",
                                           tmp_path / "kpi.pdf").files]
    for path in files:
        body = text_of(path).casefold()
        for secret in ("xanthippe", "quorbleton", "fizzwick", "7700 90011", "1961-02"):
            assert secret not in body, f"{path.name} leaks {secret}"


def test_migration_turns_old_free_text_into_codes_and_keeps_the_words(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    migrate.upgrade(engine, "0001")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO panels (id, name, kind, meeting_interval_days) "
                          "VALUES (1, 'SWIP', 'swip', 42)"))
        conn.execute(text(
            "INSERT INTO cases (id, reference, case_type, status, opened_on, risk_level, "
            "summary, created_at, updated_at) VALUES (1, 'SWIP-1', 'swip', 'open', "
            "'2026-01-01', 'high', '', '2026-01-01', '2026-01-01')"))
        conn.execute(text(
            "INSERT INTO referrals (case_id, referrer_name, referrer_agency, referred_on, "
            "consent, needs, agencies_engaged, location_concern) VALUES (1, '', :r, "
            "'2026-01-01', 'given', :n, :a, 0)"),
            {"r": OLD_TEXT["referrer_agency"], "n": json.dumps(["Housing", "debt"]),
             "a": json.dumps(["Sexual Health Service", "DWP", OLD_TEXT["agencies_engaged"]])})
        conn.execute(text(
            "INSERT INTO panel_actions (id, case_id, agency, owner, description, shareable, "
            "due_on) VALUES (1, 1, 'police', '', 'x', 0, '2026-02-01')"))
    migrate.upgrade(engine)
    with engine.connect() as conn:
        ref = conn.execute(text("SELECT referrer_agency, needs, agencies_engaged "
                                "FROM referrals")).one()
        note = conn.execute(text("SELECT body, shareable FROM notes")).one()
        terms = conn.execute(text("SELECT count(*) FROM vocabulary_terms")).scalar()
        action = conn.execute(text("SELECT agency FROM panel_actions")).scalar()
    assert ref[0] == "other"
    assert json.loads(ref[1]) == ["debt", "housing"]
    assert json.loads(ref[2]) == ["dwp", "other", "sexual_health"]
    assert action == "police"
    assert OLD_TEXT["referrer_agency"] in note[0] and OLD_TEXT["agencies_engaged"] in note[0]
    assert not note[1]
    defaults = sum(len(vocabulary.default_labels(v.name)) for v in vocabulary.vocabularies())
    assert terms == defaults


def test_an_administrator_edits_a_vocabulary_and_packs_print_the_new_label(db, old_world,
                                                                           tmp_path):
    admin = db.ws("admin")
    with pytest.raises(ValidationError):
        vocabulary.add_term(admin, "agency", "Call 07700 900123")
    with pytest.raises(ValidationError):
        vocabulary.add_term(admin, "exploitation_type", "Begging")
    with pytest.raises(ValidationError):
        vocabulary.set_active(admin, "agency", "other", False)
    added = vocabulary.add_term(admin, "agency", "Street pastors")
    assert added.code == "street_pastors"
    assert vocabulary.list_terms(admin, "agency")[-1].code == "other"
    vocabulary.relabel(admin, "agency", "police", "Thames Valley Police")
    with db.system().uow() as s:
        for ref in s.query(Referral).all():
            ref.agencies_engaged = json.dumps(["police", "street_pastors"])
        for item in s.query(MeetingItem).all():
            item.progress_shareable = True
    r = pack.export_pack(db.ws("swipchair"), old_world.meeting_id, "Alex Officer",
                         tmp_path / "swip.pdf")
    body = " ".join(text_of(r.files[0]).split())
    assert "Thames Valley Police, Street pastors" in body
    _assert_none(list(r.files))
