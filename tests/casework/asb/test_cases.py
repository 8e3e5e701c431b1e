"""ASB cases: intake, deadlines in working days, risk assessment, the ladder's rules,
breaches, de-escalation, closure, letters and the audit trail."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from casework.asb import cases as asb
from casework.asb import ladder, risk
from casework.cases import caseview
from casework.cases import lifecycle as cases
from casework.core import settings
from casework.core.errors import PermissionDenied, ValidationError
from db.models import AuditEntry, Task
from tests.casework import factories as f

# Depends on what day it is: CI runs it on several (tests/conftest.py).
pytestmark = pytest.mark.dates

HIGH = dict.fromkeys(risk.QUESTION_KEYS, 3)  # 45
MEDIUM = {"mental_health": 4, "frequency": 4, "duration": 4, "violence": 4, "unsafe": 4}  # 20


EXTRA = {"requirements": "Stop the noise.", "comply_by": "7 days", "hearing_date": "1 May",
         "hearing_time": "10am", "contract_terms": "No music after 11pm."}

def open_tasks(ws, case_id: int) -> dict[str, date]:
    with ws.uow() as s:
        return {t.kind: t.due_on for t in s.scalars(select(Task).where(
            Task.case_id == case_id, Task.completed_on.is_(None)))}


def actions(ws, case_id: int) -> list[str]:
    with ws.uow() as s:
        return [a.action for a in s.scalars(select(AuditEntry).where(
            AuditEntry.record_type == "case", AuditEntry.record_id == str(case_id))
            .order_by(AuditEntry.seq))]


@pytest.mark.parametrize("opened, risk_answers, first_contact, update", [
    # Christmas 2025: 25 and 26 December are bank holidays, then a weekend; 1 January too.
    (date(2025, 12, 24), HIGH, date(2025, 12, 29), date(2026, 1, 12)),
    (date(2025, 12, 24), None, date(2026, 1, 5), date(2026, 1, 12)),
    # Easter 2025: Good Friday 18 April and Easter Monday 21 April (and the early May
    # bank holiday on 5 May for the update).
    (date(2025, 4, 17), HIGH, date(2025, 4, 22), date(2025, 5, 6)),
    (date(2025, 4, 17), MEDIUM, date(2025, 4, 28), date(2025, 5, 6)),
])
def test_first_contact_and_update_deadlines_skip_holidays(db, opened, risk_answers,
                                                          first_contact, update):
    ws = db.ws("cm")
    case = f.asb_case(ws, opened, risk=risk_answers)
    assert case.first_contact_due == first_contact
    assert open_tasks(ws, case.header.id)["first_contact"] == first_contact
    assert open_tasks(ws, case.header.id)["complainant_update"] == update


def test_intake_records_parties_incidents_and_intake_assessment(db):
    ws = db.ws("cm")
    case = f.asb_case(ws, risk=HIGH)
    assert case.header.reference.startswith("ASB-2025-")
    assert case.header.risk_level == "high"
    assert case.header.next_review_on == date(2025, 3, 3) + timedelta(days=14)
    assert len(case.incidents) == 1 and case.incidents[0].source == "council"
    assert case.assessments[0].is_intake and case.assessments[0].total_score == 45
    assert case.complainant_person_ids and case.subject_person_id
    assert open_tasks(ws, case.header.id)["risk_review"] == date(2025, 3, 17)
    assert "asb.risk_assess" in actions(ws, case.header.id)


@pytest.mark.parametrize("kwargs, field", [
    ({"category": "loud"}, "category"),
    ({"lsoa_code": "E0XXXXXXX"}, "lsoa_code"),
    ({"opened_on": date(2999, 1, 1)}, "opened_on"),
])
def test_intake_validation(db, kwargs, field):
    ws = db.ws("cm")
    args = {"category": "nuisance", "subcategory": "noise", "opened_on": date(2025, 1, 6),
            "lsoa_code": f.LSOA, "complainant_person_id": None, "subject_person_id": None}
    args.update(kwargs)
    with pytest.raises(ValidationError) as err:
        asb.open_asb_case(ws, **args)
    assert err.value.field == field


def test_other_team_and_panel_cannot_open_or_read(db):
    case = f.asb_case(db.ws("cm"))
    for user in ("cm2", "sanct", "swip", "mart"):
        with pytest.raises(db.refused):
            asb.get_asb_case(db.ws(user), case.header.id)
    with pytest.raises(PermissionDenied):
        asb.open_asb_case(db.ws("sanct"), "nuisance", "noise", date(2025, 1, 6), None, None,
                          None)


def test_review_assessment_changes_level_review_task_and_tightens_first_contact(db):
    ws = db.ws("cm")
    case = f.asb_case(ws)  # standard: first contact in 5 working days
    assert case.first_contact_due == date(2025, 3, 10)
    view = risk.assess_risk(ws, case.header.id, HIGH, date(2025, 3, 4))
    assert view.level == "high" and view.next_review_on == date(2025, 3, 18)
    tasks = open_tasks(ws, case.header.id)
    assert tasks["risk_review"] == date(2025, 3, 18)
    assert tasks["first_contact"] == date(2025, 3, 4)
    medium = risk.assess_risk(ws, case.header.id, MEDIUM, date(2025, 3, 18))
    assert medium.level == "medium" and medium.next_review_on == date(2025, 4, 15)
    with pytest.raises(ValidationError):
        risk.assess_risk(ws, case.header.id, {"mental_health": 9}, date(2025, 3, 18))
    with pytest.raises(ValidationError):
        risk.assess_risk(ws, case.header.id, {"not_a_question": 1}, date(2025, 3, 18))


def test_risk_thresholds_come_from_settings(db):
    ws = db.ws("cm")
    with ws.uow() as s:
        assert risk.level_for(s, 19) == "standard"
        assert risk.level_for(s, 20) == "medium"
        assert risk.level_for(s, 35) == "high"
    with db.ws("admin").uow() as s:  # (settings are the administrator's to change)
        settings.set_value(s, settings.RISK_HIGH_FROM, 10, None)
    with ws.uow() as s:
        assert risk.level_for(s, 10) == "high"


def test_record_contact_meets_first_contact_and_schedules_updates(db):
    ws = db.ws("cm")
    case = f.asb_case(ws)
    contact = asb.record_contact(ws, case.header.id, date(2025, 3, 12))
    assert contact.first_contact_on == date(2025, 3, 12) and contact.first_contact_late
    assert contact.next_update_due == date(2025, 3, 26)
    tasks = open_tasks(ws, case.header.id)
    assert "first_contact" not in tasks and tasks["complainant_update"] == date(2025, 3, 26)


def test_reading_a_case_is_audited(db):
    ws = db.ws("cm")
    case = f.asb_case(ws)
    asb.get_asb_case(ws, case.header.id)
    assert actions(ws, case.header.id)[-1] == "view"


def test_ladder_in_order_generates_letters(db):
    ws = db.ws("cm")
    cid = f.asb_case(ws).header.id
    for day, action in enumerate(["first_warning_letter", "second_warning_letter",
                                  "home_visit", "cpw", "cpn"], start=4):
        step = ladder.escalate(ws, cid, action, date(2025, 3, day), extra=EXTRA)
        assert step.document_id is not None and step.officer_id is not None
    view = asb.get_asb_case(ws, cid)
    assert view.stage == 4 and [s.stage for s in view.steps] == [1, 2, 2, 3, 4]
    docs = caseview.case_documents(ws, cid)
    assert len(docs) == 5 and {d.kind for d in docs} == {"letter"}
    assert actions(ws, cid).count("asb.escalate") == 5


def test_skipping_a_stage_needs_a_reason(db):
    ws = db.ws("cm")
    cid = f.asb_case(ws).header.id
    with pytest.raises(ValidationError) as err:
        ladder.escalate(ws, cid, "cpw", date(2025, 3, 4))
    assert err.value.field == "reason"
    step = ladder.escalate(ws, cid, "cpw", date(2025, 3, 4), reason="Threats to neighbours")
    assert step.stage == 3 and step.reason == "Threats to neighbours"
    with pytest.raises(ValidationError) as err:
        ladder.escalate(ws, cid, "first_warning_letter", date(2025, 3, 5))
    assert err.value.field == "action"


@pytest.mark.parametrize("born, ok", [(date(2009, 3, 6), True), (date(2009, 3, 7), False)])
def test_cpn_needs_subject_aged_16(db, born, ok):
    ws = db.ws("cm")
    cid = f.asb_case(ws, subject_born=born).header.id
    ladder.escalate(ws, cid, "cpw", date(2025, 3, 4), reason="Serious")
    if ok:
        assert ladder.escalate(ws, cid, "cpn", date(2025, 3, 6), extra=EXTRA).stage == 4
    else:
        with pytest.raises(ValidationError) as err:
            ladder.escalate(ws, cid, "cpn", date(2025, 3, 6))
        assert err.value.field == "subject"


def test_cpn_needs_a_prior_written_warning(db):
    ws = db.ws("cm")
    cid = f.asb_case(ws).header.id
    ladder.escalate(ws, cid, "verbal_warning", date(2025, 3, 4))
    with pytest.raises(ValidationError) as err:
        ladder.escalate(ws, cid, "cpn", date(2025, 3, 5), reason="Urgent")
    assert err.value.field == "action"
    ladder.escalate(ws, cid, "abc", date(2025, 3, 5), reason="Agreed", extra=EXTRA)
    with pytest.raises(ValidationError):  # an ABC is not a written warning
        ladder.escalate(ws, cid, "cpn", date(2025, 3, 6))


@pytest.mark.parametrize("born, ok", [(date(2009, 3, 6), True), (date(2009, 3, 7), False),
                                      (None, False)])
def test_cpw_needs_a_subject_aged_16_or_a_recorded_reason(db, born, ok):
    ws = db.ws("cm")
    cid = f.asb_case(ws, subject_born=born).header.id
    ladder.escalate(ws, cid, "first_warning_letter", date(2025, 3, 4))
    ladder.escalate(ws, cid, "second_warning_letter", date(2025, 3, 5))
    if ok:  # 16 on the day of the warning: no reason needed
        assert ladder.escalate(ws, cid, "cpw", date(2025, 3, 6)).stage == 3
        return
    with pytest.raises(ValidationError) as err:
        ladder.escalate(ws, cid, "cpw", date(2025, 3, 6))
    assert err.value.field == "reason" and "16 or over" in str(err.value)
    view = asb.get_asb_case(ws, cid)
    assert view.stage == 2 and [s.action for s in view.steps][-1] == "second_warning_letter"
    assert len(caseview.case_documents(ws, cid)) == 2  # no warning letter was issued
    step = ladder.escalate(ws, cid, "cpw", date(2025, 3, 6),
                           reason="Repeated threats to a neighbour's children")
    assert step.stage == 3 and step.reason == "Repeated threats to a neighbour's children"
    assert step.document_id is not None


def test_closure_order_needs_a_closure_notice(db):
    ws = db.ws("cm")
    cid = f.asb_case(ws).header.id
    ladder.escalate(ws, cid, "cpw", date(2025, 3, 4), reason="Drug dealing from the flat")
    with pytest.raises(ValidationError) as err:
        ladder.escalate(ws, cid, "closure_order", date(2025, 3, 5), "Drug dealing",
                        expires_on=date(2025, 6, 5))
    assert str(err.value) == "A closure order needs a closure notice first."
    assert err.value.field == "action"
    assert [s.action for s in asb.get_asb_case(ws, cid).steps] == ["cpw"]
    assert "closure_order_expiry" not in open_tasks(ws, cid)
    blocked = {o.action: o.blocked for o in ladder.ladder_options(ws, cid, date(2025, 3, 5))}
    assert blocked["closure_order"] == "A closure order needs a closure notice first."
    ladder.escalate(ws, cid, "closure_notice", date(2025, 3, 5), "Drug dealing",
                    duration_hours=24, extra=EXTRA)
    order = ladder.escalate(ws, cid, "closure_order", date(2025, 3, 6),
                            expires_on=date(2025, 6, 5))
    assert order.stage == 4 and order.document_id is not None
    assert open_tasks(ws, cid)["closure_order_expiry"] == date(2025, 6, 5)


@pytest.mark.parametrize("born, ok", [(date(2015, 3, 4), True), (date(2015, 3, 5), False),
                                      (None, False)])
def test_injunction_needs_subject_aged_10(db, born, ok):
    ws = db.ws("cm")
    cid = f.asb_case(ws, subject_born=born).header.id
    if ok:
        ladder.escalate(ws, cid, "injunction", date(2025, 3, 4), reason="Gang activity")
    else:
        with pytest.raises(ValidationError) as err:
            ladder.escalate(ws, cid, "injunction", date(2025, 3, 4), reason="Gang activity")
        assert err.value.field == "subject"


def test_closure_notice_and_order_limits(db):
    ws = db.ws("cm")
    cid = f.asb_case(ws).header.id
    why = "Drug dealing from the premises"
    with pytest.raises(ValidationError) as err:
        ladder.escalate(ws, cid, "closure_notice", date(2025, 3, 4), why, duration_hours=49)
    assert err.value.field == "duration_hours"
    with pytest.raises(ValidationError):
        ladder.escalate(ws, cid, "closure_notice", date(2025, 3, 4), why)
    with pytest.raises(ValidationError) as err:
        ladder.escalate(ws, cid, "closure_order", date(2025, 3, 4), why,
                        expires_on=date(2025, 6, 3))
    assert str(err.value) == "A closure order needs a closure notice first."
    notice = ladder.escalate(ws, cid, "closure_notice", date(2025, 3, 4), why, duration_hours=48,
                             extra=EXTRA)
    assert notice.expires_on == date(2025, 3, 6) and notice.document_id is not None
    with pytest.raises(ValidationError):
        ladder.escalate(ws, cid, "closure_order_extension", date(2025, 3, 5),
                        expires_on=date(2025, 7, 1))
    with pytest.raises(ValidationError) as err:
        ladder.escalate(ws, cid, "closure_order", date(2025, 3, 5), expires_on=date(2025, 6, 6))
    assert err.value.field == "expires_on"
    ladder.escalate(ws, cid, "closure_order", date(2025, 3, 5), expires_on=date(2025, 6, 5))
    with pytest.raises(ValidationError):
        ladder.escalate(ws, cid, "closure_order_extension", date(2025, 6, 1),
                        expires_on=date(2025, 9, 6))
    ext = ladder.escalate(ws, cid, "closure_order_extension", date(2025, 6, 1),
                          expires_on=date(2025, 9, 5))
    assert ext.stage == 4
    assert open_tasks(ws, cid)["closure_order_extension_expiry"] == date(2025, 9, 5)


def test_breaches_recorded_against_enforcement_steps(db):
    ws = db.ws("cm")
    cid = f.asb_case(ws).header.id
    letter = ladder.escalate(ws, cid, "first_warning_letter", date(2025, 3, 4))
    with pytest.raises(ValidationError) as err:
        ladder.record_breach(ws, letter.id, date(2025, 3, 5), "no_action")
    assert err.value.field == "step_id"
    cpw = ladder.escalate(ws, cid, "cpw", date(2025, 3, 5), reason="Escalating quickly")
    with pytest.raises(ValidationError):
        ladder.record_breach(ws, cpw.id, date(2025, 3, 4), "")
    breach = ladder.record_breach(ws, cpw.id, date(2025, 3, 10), "", "Music again at 2am")
    assert breach.step_id == cpw.id
    assert "breach_decision" in open_tasks(ws, cid)
    view = asb.get_asb_case(ws, cid)
    assert [b.id for b in view.breaches] == [breach.id]
    assert "asb.breach" in actions(ws, cid)


def test_de_escalate_and_close_at_any_stage(db):
    ws = db.ws("cm")
    cid = f.asb_case(ws).header.id
    ladder.escalate(ws, cid, "cpw", date(2025, 3, 4), reason="Serious")
    with pytest.raises(ValidationError) as err:
        ladder.de_escalate(ws, cid, 1, "", date(2025, 3, 5))
    assert err.value.field == "reason"
    with pytest.raises(ValidationError) as err:
        ladder.de_escalate(ws, cid, 3, "Behaviour improved", date(2025, 3, 5))
    assert err.value.field == "to_stage"
    step = ladder.de_escalate(ws, cid, 1, "Behaviour improved", date(2025, 3, 5))
    assert step.action == "de_escalation" and asb.get_asb_case(ws, cid).stage == 1
    ladder.escalate(ws, cid, "second_warning_letter", date(2025, 3, 6))
    cases.close_case(ws, cid, "resolved", date(2025, 3, 7))
    for call in (lambda: ladder.escalate(ws, cid, "home_visit", date(2025, 3, 8)),
                 lambda: ladder.de_escalate(ws, cid, 0, "x", date(2025, 3, 8)),
                 lambda: asb.add_incident(ws, cid, asb.IncidentInput(date(2025, 3, 8))),
                 lambda: risk.assess_risk(ws, cid, MEDIUM, date(2025, 3, 8))):
        with pytest.raises(ValidationError):
            call()
    assert open_tasks(ws, cid) == {}


def test_steps_are_recorded_in_date_order(db):
    ws = db.ws("cm")
    cid = f.asb_case(ws).header.id
    ladder.escalate(ws, cid, "first_warning_letter", date(2025, 3, 10))
    with pytest.raises(ValidationError) as err:
        ladder.escalate(ws, cid, "home_visit", date(2025, 3, 9))
    assert err.value.field == "taken_on"


def test_ladder_options_explain_what_is_blocked(db):
    ws = db.ws("cm")
    cid = f.asb_case(ws).header.id
    options = {o.action: o for o in ladder.ladder_options(ws, cid, date(2025, 3, 4))}
    assert options["first_warning_letter"].blocked is None
    assert options["cpw"].skips_stage
    assert options["cpn"].blocked is not None
    assert options["closure_order_extension"].blocked is not None


def _letter_text(ws, step) -> str:
    import io

    from pypdf import PdfReader

    content = caseview.document_content(ws, step.document_id).content
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    return " ".join(text.replace("\u00a0", " ").split())


def test_an_abc_letter_states_the_terms_agreed(db):
    ws = db.ws("cm")
    cid = f.asb_case(ws).header.id
    with pytest.raises(ValidationError) as err:
        ladder.escalate(ws, cid, "abc", date(2025, 3, 4), reason="Agreed with the family")
    assert err.value.field == "contract_terms"
    assert asb.get_asb_case(ws, cid).steps == ()
    step = ladder.escalate(ws, cid, "abc", date(2025, 3, 4), reason="Agreed with the family",
                           extra={"contract_terms": "Not to gather on the shared landing."})
    text = _letter_text(ws, step)
    assert "The terms you agreed: Not to gather on the shared landing." in text
    assert "kept with your case" not in text


def test_a_possession_notice_says_when_proceedings_may_begin(db):
    ws = db.ws("cm")
    cid = f.asb_case(ws).header.id
    condition = {"possession_condition": "Condition 1: a conviction for a serious offence."}
    with pytest.raises(ValidationError) as err:
        ladder.escalate(ws, cid, "possession", date(2025, 3, 4), reason="Conviction",
                        extra=condition)
    assert err.value.field == "proceedings_from"
    step = ladder.escalate(ws, cid, "possession", date(2025, 3, 4), reason="Conviction",
                           extra=condition | {"proceedings_from": "7 April 2025"})
    text = _letter_text(ws, step)
    assert "Court proceedings for possession will not begin before 7 April 2025." in text
    assert "Condition 1: a conviction for a serious offence." in text


@pytest.mark.parametrize("comply_by", ["within 7 days of this notice", "18 March 2025"])
def test_a_cpn_reads_well_with_a_date_or_a_period_to_comply(db, comply_by):
    ws = db.ws("cm")
    cid = f.asb_case(ws).header.id
    ladder.escalate(ws, cid, "cpw", date(2025, 3, 4), reason="Serious")
    step = ladder.escalate(ws, cid, "cpn", date(2025, 3, 5),
                           extra=EXTRA | {"comply_by": comply_by})
    text = _letter_text(ws, step)
    assert f"Time allowed to comply with these requirements: {comply_by}." in text
    assert "by within" not in text
