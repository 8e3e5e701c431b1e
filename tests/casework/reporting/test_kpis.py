"""KPIs for a quarter and the Community Trigger annual return, built through the services."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date

import pytest

from casework.asb import cases as asb
from casework.asb import ladder
from casework.cases.lifecycle import close_case
from casework.core.errors import PermissionDenied, ValidationError
from casework.panels import mart
from casework.panels import swip as panels
from casework.reporting import kpis
from casework.sanctuary import jobs as sanctuary
from casework.trigger import applications as trigger
from casework.trigger import figures, review
from db.models import TriggerReview
from tests.casework.wf_helpers import make_person, panel_id

# Depends on what day it is: CI runs it on several (tests/conftest.py).
pytestmark = pytest.mark.dates

Q3 = "2026Q3"


def test_parse_period():
    assert kpis.parse_period("2026Q3") == kpis.Period("2026Q3", date(2026, 7, 1),
                                                      date(2026, 9, 30))
    assert kpis.parse_period("2026").end == date(2026, 12, 31)
    assert kpis.parse_period("2026-02").end == date(2026, 2, 28)
    with pytest.raises(ValidationError):
        kpis.parse_period("Q3 2026")


def _asb_cases(db) -> None:
    ws = db.ws("cm")
    s1 = make_person(ws, "Sid", "One", date(1990, 1, 1))
    s2 = make_person(ws, "Sue", "Two", date(1985, 1, 1))
    c1, c2 = make_person(ws, "Cat", "Three"), make_person(ws, "Cal", "Four")
    a = asb.open_asb_case(ws, "personal", "harassment", date(2026, 7, 1), "E01028522", c1, s1,
                          [asb.IncidentInput(date(2026, 6, 30))])
    b = asb.open_asb_case(ws, "nuisance", "noise", date(2026, 7, 10), "E01028522", c2, s2)
    asb.record_contact(ws, a.header.id, date(2026, 7, 2))  # on time
    asb.record_contact(ws, b.header.id, date(2026, 7, 24))  # first contact due 17 July: late
    ladder.escalate(ws, a.header.id, "first_warning_letter", date(2026, 7, 6))
    ladder.escalate(ws, a.header.id, "cpw", date(2026, 7, 20), reason="Persistent conduct.")
    cpn = ladder.escalate(ws, a.header.id, "cpn", date(2026, 8, 3),
                          extra={"requirements": "Stop the noise.", "comply_by": "7 days"})
    ladder.record_breach(ws, cpn.id, date(2026, 8, 10), "fixed_penalty_notice")
    asb.add_incident(ws, a.header.id, asb.IncidentInput(date(2026, 8, 20)))  # further ASB
    ladder.escalate(ws, b.header.id, "first_warning_letter", date(2026, 7, 15))
    asb.record_guardcam(ws, a.header.id)
    close_case(ws, a.header.id, "resolved", date(2026, 9, 15))
    close_case(ws, b.header.id, "no_further_action", date(2026, 9, 20))


def _sanctuary_jobs(db) -> None:
    ws = db.ws("sanct")
    checks = dict.fromkeys(("victim_chose", "perpetrator_not_resident", "right_to_occupy",
                            "landlord_consent", "risk_assessment_done"), True)
    job = sanctuary.refer_sanctuary(ws, make_person(ws), date(2026, 7, 1), "police", **checks)
    sanctuary.refer_sanctuary(ws, make_person(ws, "B", "C"), date(2026, 8, 1), "idva")
    sanctuary.record_survey(ws, job.header.id, date(2026, 7, 3))
    sanctuary.add_work_line(ws, job.header.id, "door_lock", "", 6_000)
    sanctuary.add_work_line(ws, job.header.id, "guardcam", "", 4_000)
    firm = sanctuary.add_contractor(ws, "LockCo")
    sanctuary.order_work(ws, job.header.id, firm.id, date(2026, 7, 6))
    sanctuary.complete_job(ws, job.header.id, date(2026, 7, 21))


def _panel_referrals(db) -> None:
    swip = db.ws("swip")
    ref = panels.refer(swip, panel_id(swip, "SWIP Panel"), "swip", make_person(swip),
                       date(2026, 7, 2), "R", "police", "given", ["health"], "high", [])
    close_case(swip, ref.header.id, "exited", date(2026, 9, 1))
    m = db.ws("mart")
    view = mart.refer_mart(m, panel_id(m, "MART Panel"), make_person(m, dob=date(2010, 4, 1)),
                           date(2026, 7, 3),
                           "R", "police", "not_sought", "county_lines", True)
    mart.refer_nrm(m, view.referral.header.id, date(2026, 7, 6), "Police")
    mart.record_nrm_decision(m, view.referral.header.id, "reasonable_grounds",
                             date(2026, 7, 9), True)


def _triggers(db) -> tuple[int, int]:
    ws = db.ws("cm")
    met = trigger.open_trigger(ws, make_person(ws), date(2026, 8, 3)).id
    for i in range(3):
        trigger.add_complaint(ws, met, date(2026, 7, 1 + i), date(2026, 7, 2 + i), "council",
                              f"K{i}")
    trigger.decide_threshold(ws, met, True, "Three complaints.", date(2026, 8, 10))
    review.record_review(ws, met, date(2026, 8, 25), ["council", "police"], "Findings.")
    review.add_recommendation(ws, met, "council", "Do better.", date(2026, 10, 1))
    not_met = trigger.open_trigger(ws, make_person(ws), date(2026, 9, 1)).id
    trigger.decide_threshold(ws, not_met, False, "No complaints.", date(2026, 9, 3))
    return met, not_met


def test_quarter_kpis(db):
    _asb_cases(db)
    _sanctuary_jobs(db)
    _panel_referrals(db)
    _triggers(db)
    result = kpis.compute_kpis(db.ws("coord"), Q3, today=date(2026, 11, 1))
    a = result.asb
    assert a.cases_opened == 2
    assert (a.first_contact_on_time, a.first_contact_late, a.first_contact_outstanding) == \
        (1, 1, 0)
    assert a.cases_closed == 2 and a.closed_resolved == 1
    assert (a.resolved_within_3_months, a.resolved_within_6_months) == (1, 1)
    assert (a.subjects_first_intervention, a.subjects_no_further_asb) == (2, 1)
    assert a.no_further_asb_share == 0.5 and a.no_further_asb_target == 0.65
    assert (a.cpw_issued, a.cpn_issued, a.cpn_breached) == (1, 1, 1)
    assert a.cpn_breach_actions == {"fixed_penalty_notice": 1}
    assert a.guardcams_installed == 1 and a.updates_due >= 2
    s = result.sanctuary
    assert (s.jobs_referred, s.jobs_completed, s.total_cost_pence) == (2, 1, 10_000)
    assert s.average_cost_pence == 10_000 and s.average_days_to_completion == 20.0
    assert s.jobs_by_contractor == {"LockCo": 1, "not_yet_assigned": 1}
    assert s.guardcams_fitted == 1
    p = result.panels
    assert p.referrals == {"swip": 1, "mart": 1}
    assert p.outcomes["swip"] == {"exited": 1}
    assert p.open_at_end == {"swip": 0, "mart": 1}
    assert p.mart_exploitation_types == {"county_lines": 1} and p.mart_children == 1
    assert p.nrm_referrals == 1
    assert p.nrm_decisions == {"reasonable_grounds": {"positive": 1}}
    t = result.trigger
    assert (t.applications, t.threshold_not_met, t.reviews, t.reviews_with_recommendations) \
        == (2, 1, 1, 1)
    text = json.dumps(asdict(result), default=str)
    for name in ("Sid", "Sue", "Cat", "Alex", "Example"):
        assert name not in text


def test_trigger_return_reconciles_and_flags_a_stray_review(db):
    _met, not_met = _triggers(db)
    ret = figures.trigger_return(db.ws("coord"), 2026)
    assert ret.reconciles and ret.problems == ()
    assert (ret.applications, ret.threshold_not_met, ret.reviews) == (2, 1, 1)
    assert figures.trigger_return(db.ws("coord"), 2025).applications == 0
    with db.ws("cm").uow() as session:  # a review recorded against a not-met application
        session.add(TriggerReview(case_id=not_met, meeting_on=date(2026, 9, 10)))
    ret = figures.trigger_return(db.ws("coord"), 2026)
    assert not ret.reconciles
    assert any("More reviews" in p for p in ret.problems)


def test_report_permissions(db):
    with pytest.raises(PermissionDenied):
        figures.trigger_return(db.ws("cm"), 2026)
    for who in ("swip", "admin"):
        with pytest.raises(PermissionDenied):
            kpis.compute_kpis(db.ws(who), Q3)


def test_cli_reports(db, monkeypatch, capsys):
    from casework.cli.main import main

    _triggers(db)
    base = [*db.cli("coord").use(monkeypatch), "report"]
    assert main([*base, "kpis", "--period", Q3, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["dates"]["start"] == "2026-07-01"
    assert data["figures"]["trigger.applications"] == "[c]"  # 2: suppressed, as in the PDF
    assert main([*base, "kpis", "--period", Q3]) == 0
    assert "no further ASB" in capsys.readouterr().out
    assert main([*base, "trigger-return", "--year", "2026", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["applications"], data["threshold_not_met"], data["reconciles"]) == (2, 1, True)
    assert main([*base, "trigger-return", "--year", "2026"]) == 0
    assert "reviews carried out" in capsys.readouterr().out
    assert main([*db.cli("cm").use(monkeypatch), "report", "trigger-return",
                 "--year", "2026"]) == 3


def test_this_quarter_counts_a_case_opened_today(db, fixed_today):
    """"This quarter" follows the clock: on any day (a quarter's last day, a bank holiday)
    a case opened today is counted in the current quarter and not in the one before."""
    from casework.core import clock
    from tests.casework.factories import asb_case

    today = clock.today()
    assert today == fixed_today
    this = f"{today.year}Q{(today.month - 1) // 3 + 1}"
    start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    before_start = date.fromordinal(start.toordinal() - 1)
    previous = f"{before_start.year}Q{(before_start.month - 1) // 3 + 1}"
    coord = db.ws("coord")
    counted = kpis.compute_kpis(coord, this).asb.cases_opened
    earlier = kpis.compute_kpis(coord, previous).asb.cases_opened
    asb_case(db.ws("cm"), opened_on=today)
    assert kpis.compute_kpis(coord, this).asb.cases_opened == counted + 1
    assert kpis.compute_kpis(coord, previous).asb.cases_opened == earlier
