"""Two users edit the same record: the second save is refused, says who changed what (no
values), and the second user's edit goes through once they have reloaded."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from casework.asb import cases as asb
from casework.cases import caseview
from casework.cases.lifecycle import close_case
from casework.cases.transitions import reassign_owner
from casework.core import audit
from casework.core.errors import EditConflict
from casework.people import persons
from db.models import AsbDetail, Case, ChangeLog, Incident, Person
from tests.casework import factories
from tests.conftest import PASSWORD


@pytest.fixture
def team(db):
    """cm and a second officer of the same team, each with their own open database."""
    db.add_user("cm3", PASSWORD, "case_manager", display_name="Robin Second", team="ASB Team")
    return db.ws("cm"), db.ws("cm3")


def _case_version(ws, case_id: int) -> int:
    return caseview.case_header(ws, case_id).version


def test_second_save_is_refused_and_says_who_and_what(team):
    a, b = team
    case = factories.asb_case(a)
    seen_by_a = caseview.case_header(a, case.header.id)
    seen_by_b = caseview.case_header(b, case.header.id)
    assert seen_by_a.version == seen_by_b.version >= 1

    reassign_owner(b, case.header.id, b.actor.user_id, "Taking it on",
                   loaded_version=seen_by_b.version)
    with pytest.raises(EditConflict) as err:
        close_case(a, case.header.id, "resolved", date(2026, 11, 30), "Resolved at visit",
                   loaded_version=seen_by_a.version)
    message = str(err.value)
    assert f"Robin Second ({b.actor.username})" in message
    assert "officer" in message
    assert "not saved" in message and "reload" in message
    assert "Taking it on" not in message  # no values, not even the reason
    assert err.value.current_version == _case_version(a, case.header.id)
    # nothing of a's was written: still open, owned by b
    header = caseview.case_header(a, case.header.id)
    assert (header.status, header.owner_id) == ("open", b.actor.user_id)

    # a reloads and saves the same input again: it goes through, b's change is kept
    closed = close_case(a, case.header.id, "resolved", date(2026, 11, 30), "Resolved at visit",
                        loaded_version=header.version)
    assert (closed.status, closed.owner_id) == ("closed", b.actor.user_id)
    assert closed.version == header.version + 1


def test_a_change_of_the_type_detail_is_a_change_of_the_case(team):
    a, b = team
    case = factories.asb_case(a)
    seen = caseview.case_header(a, case.header.id).version
    asb.record_contact(b, case.header.id, date(2026, 11, 30))
    with pytest.raises(EditConflict) as err:
        close_case(a, case.header.id, "resolved", loaded_version=seen)
    assert "first contact on" in str(err.value)
    assert "cm3" in str(err.value)


def test_unversioned_callers_still_save(team):
    a, b = team
    case = factories.asb_case(a)
    reassign_owner(b, case.header.id, b.actor.user_id, "Taking it on")
    assert close_case(a, case.header.id, "resolved").status == "closed"


def test_a_person_edited_by_two_users(team):
    a, b = team
    pid = factories.person(a, "Alex", "Taylor")
    seen_a, seen_b = persons.get_person(a, pid), persons.get_person(b, pid)
    data_b = persons.PersonInput("Jordan", "Taylor", seen_b.date_of_birth,
                                 aliases=("JT",), phone="07700 900123")
    persons.edit_person(b, pid, data_b, loaded_version=seen_b.version)
    data_a = persons.PersonInput("Alex", "Taylor-Smith", seen_a.date_of_birth)
    with pytest.raises(EditConflict) as err:
        persons.edit_person(a, pid, data_a, loaded_version=seen_a.version)
    message = str(err.value)
    assert "cm3" in message and "given name" in message and "aliases" in message
    for value in ("Jordan", "JT", "07700", "Taylor-Smith"):
        assert value not in message
    now = persons.get_person(a, pid)
    assert (now.given_name, now.family_name) == ("Jordan", "Taylor")
    after = persons.edit_person(a, pid, data_a, loaded_version=now.version)
    assert after.family_name == "Taylor-Smith" and after.version == now.version + 1


def test_every_change_is_in_the_change_log_with_its_row(team, db):
    a, b = team
    case = factories.asb_case(a)
    asb.record_contact(b, case.header.id, date(2026, 11, 30))
    with a.uow() as s:
        row = s.get(Case, case.header.id)
        detail = s.get(AsbDetail, case.header.id)
        log = s.execute(select(ChangeLog).where(ChangeLog.case_id == row.id)
                        .order_by(ChangeLog.id)).scalars().all()
        assert log[0].table_name == "cases" and log[0].op == "insert"
        assert log[0].row_uuid == row.uuid and log[0].actor == a.actor.username
        latest = [e for e in log if e.row_uuid == row.uuid][-1]
        assert (latest.version, latest.actor, latest.op) == (row.version, b.actor.username,
                                                             "update")
        touched = [e for e in log if e.row_uuid == detail.uuid and e.op == "update"]
        assert touched[-1].columns == "first_contact_on"
        assert touched[-1].version == detail.version
        for model in (Case, Person, Incident):
            uuids = s.scalars(select(model.uuid)).all()
            assert uuids and all(len(u) == 36 for u in uuids)
            assert len(set(uuids)) == len(uuids)
        assert s.scalar(select(func.count()).select_from(ChangeLog)
                        .where(ChangeLog.actor == "")) == 0
    assert audit.verify(db.ws("admin")).ok


def test_a_bulk_update_through_the_session_is_versioned_and_logged(team):
    from sqlalchemy import update

    a, _b = team
    case = factories.asb_case(a)
    with a.uow() as s:
        before = s.execute(select(Incident.uuid, Incident.version)
                           .where(Incident.case_id == case.header.id)).one()
        s.execute(update(Incident).where(Incident.case_id == case.header.id)
                  .values(location=""))
    with a.uow() as s:
        after = s.execute(select(Incident.uuid, Incident.version)
                          .where(Incident.case_id == case.header.id)).one()
        entry = s.scalars(select(ChangeLog).where(ChangeLog.row_uuid == before.uuid)
                          .order_by(ChangeLog.id.desc())).first()
    assert after == (before.uuid, before.version + 1)
    assert (entry.op, entry.version, entry.columns, entry.actor) == (
        "update", after.version, "location", a.actor.username)
