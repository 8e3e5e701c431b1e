"""Retention: a run on dated fixtures removes exactly what is overdue, audited by counts."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from casework.core import audit, settings
from casework.core.context import SYSTEM
from casework.core.errors import PermissionDenied, ValidationError
from casework.safeguards import retention
from db.models import AuditEntry, Case, CaseParty, Incident, Note, Person, PersonAlias
from tests.casework.conftest import NOTE_TEXT, SUBJECT, add_case, add_person

# Depends on what day it is: CI runs it on several (tests/conftest.py).
pytestmark = pytest.mark.dates

TODAY = date(2026, 6, 15)


@pytest.fixture
def dated(db):
    """Cases closed either side of the 6-year line (and one type kept 10 years)."""
    ws = db.ws("admin")
    only_old = add_person(ws, given_name="Olwen", family_name="Oldcase", alias="Ol",
                          address={"line1": "1 Old Row", "postcode": "OX1 1AA"})
    shared = add_person(ws, **SUBJECT)
    later = add_person(ws, given_name="Lara", family_name="Laterly")
    ids = {
        "overdue_by_a_day": add_case(ws, "ASB-2020-000001", opened=date(2019, 1, 1),
                                     closed=date(2020, 6, 14), note=NOTE_TEXT,
                                     parties={only_old: "victim", shared: "perpetrator"},
                                     incident_reporter=only_old, summary="Olwen's neighbour"),
        "exactly_six_years": add_case(ws, "ASB-2020-000002", opened=date(2019, 1, 1),
                                      closed=date(2020, 6, 15), parties={later: "victim"}),
        "leap_day": add_case(ws, "ASB-2020-000003", opened=date(2019, 1, 1),
                             closed=date(2020, 2, 29), parties={shared: "witness"}),
        "recent": add_case(ws, "ASB-2024-000004", opened=date(2023, 1, 1),
                           closed=date(2024, 1, 1), parties={shared: "victim"}),
        "open_and_old": add_case(ws, "ASB-2010-000005", opened=date(2010, 1, 1),
                                 parties={later: "witness"}),
        "sanctuary_kept_10y": add_case(ws, "SAN-2015-000006", opened=date(2015, 1, 1),
                                       closed=date(2017, 1, 1), case_type="sanctuary",
                                       team="Sanctuary Team", parties={later: "victim"}),
    }
    with ws.as_actor(SYSTEM).uow() as session:
        settings.set_value(session, settings.RETENTION_YEARS,
                           {"asb": 6, "trigger": 6, "swip": 6, "mart": 6, "sanctuary": 10},
                           None)
    return ids, {"only_old": only_old, "shared": shared, "later": later}


def test_review_lists_exactly_the_overdue_cases(db, dated):
    ids, _ = dated
    items = retention.review_list(db.ws("ig"), today=TODAY)
    assert [i.case_id for i in items] == [ids["leap_day"], ids["overdue_by_a_day"]]
    leap = items[0]
    assert leap.retain_until == date(2026, 2, 28) and leap.days_overdue == 107
    assert retention.retain_until(date(2020, 2, 29), 4) == date(2024, 2, 29)


def test_delete_run_removes_exactly_what_is_overdue(db, dated):
    ids, people = dated
    ws = db.ws("ig")
    keep = [ids[k] for k in ("exactly_six_years", "recent", "open_and_old",
                             "sanctuary_kept_10y")]
    with ws.uow() as session:
        before = retention.count_rows(session)
        kept_before = {cid: _case_rows(session, cid) for cid in keep}
    due = [i.case_id for i in retention.review_list(ws, today=TODAY)]
    result = retention.delete_cases(ws, due, confirmed=True, reason="annual review",
                                    today=TODAY)
    with ws.uow() as session:
        after = retention.count_rows(session)
        assert sorted(session.scalars(select(Case.id))) == sorted(keep)
        assert {cid: _case_rows(session, cid) for cid in keep} == kept_before
        # the person only in the deleted case went (with alias and address); others stay
        assert session.get(Person, people["only_old"]) is None
        assert session.get(Person, people["shared"]) is not None
        assert session.scalar(select(PersonAlias.id)) is None
        entries = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "retention.delete")).all()
    assert result.people_removed == (people["only_old"],)
    removed = {k: before[k] - after[k] for k in before if before[k] != after[k]}
    assert removed.pop("audit_entries") < 0  # the chain only grows
    assert removed.pop("audit_heads") < 0  # and so do its signed heads
    assert removed.pop("change_log") < 0  # each deletion is logged for a later sync
    assert removed == {"cases": 2, "case_parties": 3, "asb_details": 2, "incidents": 1,
                       "notes": 1, "people": 1, "person_aliases": 1, "person_addresses": 1,
                       "addresses": 1}
    assert removed == result.rows
    # the audit says what kind and how many, never the removed values
    case_entries = [e for e in entries if e.record_type == "case"]
    assert sorted(int(e.record_id) for e in case_entries) == sorted(due)
    text = json.dumps([(e.reason, e.detail) for e in entries])
    for secret in ("Olwen", "Oldcase", "Old Row", "Quillfeather", "fence"):
        assert secret not in text
    assert json.loads(case_entries[0].detail)["rows"]
    assert audit.verify(ws).ok


def test_anonymise_keeps_statistics_and_removes_identity(db, dated):
    ids, people = dated
    ws = db.ws("ig")
    cid = ids["overdue_by_a_day"]
    retention.anonymise_cases(ws, [cid], confirmed=True, today=TODAY)
    with ws.uow() as session:
        case = session.get(Case, cid)
        assert (case.case_type, case.status, case.outcome, case.closed_on) == \
            ("asb", "closed", "resolved", date(2020, 6, 14))
        assert case.summary == "" and case.anonymised_at is not None
        assert session.scalars(select(Note).where(Note.case_id == cid)).all() == []
        incident = session.scalar(select(Incident).where(Incident.case_id == cid))
        assert incident.description == "" and incident.location == ""
        assert incident.occurred_on == date(2019, 1, 1)
        old = session.get(Person, people["only_old"])
        assert (old.given_name, old.family_name, old.anonymised) == ("", "", True)
        shared = session.get(Person, people["shared"])
        assert shared.family_name == SUBJECT["family_name"] and not shared.anonymised
        roles = session.execute(select(CaseParty.role, CaseParty.person_id)
                                .where(CaseParty.case_id == cid)).all()
        assert sorted(r for r, _ in roles) == ["perpetrator", "victim"]
        assert people["shared"] not in {p for _, p in roles}
    # still listed as overdue (for a later delete) but cannot be anonymised twice
    assert [i.anonymised for i in retention.review_list(ws, today=TODAY)] == [False, True]
    with pytest.raises(ValidationError):
        retention.anonymise_cases(ws, [cid], confirmed=True, today=TODAY)
    retention.delete_cases(ws, [cid], confirmed=True, today=TODAY)
    assert audit.verify(ws).ok


def test_refuses_without_confirmation_capability_or_when_not_overdue(db, dated):
    ids, _ = dated
    with pytest.raises(ValidationError):
        retention.delete_cases(db.ws("ig"), [ids["overdue_by_a_day"]], confirmed=False,
                               today=TODAY)
    with pytest.raises(PermissionDenied):
        retention.delete_cases(db.ws("cm"), [ids["overdue_by_a_day"]], confirmed=True,
                               today=TODAY)
    with pytest.raises(ValidationError):
        retention.delete_cases(db.ws("ig"), [ids["overdue_by_a_day"],
                                                ids["exactly_six_years"]],
                               confirmed=True, today=TODAY)
    with db.ws("admin").uow() as session:  # the refused batch changed nothing
        assert session.get(Case, ids["overdue_by_a_day"]) is not None


def _case_rows(session, cid):
    return (session.scalars(select(CaseParty.person_id).where(CaseParty.case_id == cid)).all(),
            session.scalars(select(Note.body).where(Note.case_id == cid)).all())


def test_cli_retention_refuses_without_confirm_and_deletes_with_it(db, dated, monkeypatch,
                                                                   capsys):
    from casework.cli.main import main

    base = [*db.cli("ig").use(monkeypatch), "retention"]
    assert main([*base, "list"]) == 0
    assert "ASB-2020-000001" in capsys.readouterr().out
    assert main([*base, "delete", "ASB-2010-000005"]) == 2  # no --confirm
    assert main([*base, "delete", "ASB-2010-000005", "--confirm"]) == 2  # open: not due
    assert main([*base, "delete", "ASB-2020-000001", "--confirm", "--reason", "review"]) == 0
    assert "Deleted 1 case(s)" in capsys.readouterr().out
