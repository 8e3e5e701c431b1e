"""People: create, edit, duplicates (names, aliases, swapped names, DOB, postcode),
a person's cases across types and roles, merge, visibility and audit."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from casework.cases import lifecycle as cases
from casework.core.context import SYSTEM
from casework.core.errors import PermissionDenied, ValidationError
from casework.people import matching
from casework.people import persons as people
from db.models import AuditEntry, CaseParty, Person
from tests.casework import factories as f


def audit_rows(ws, action: str, record_type: str, record_id: int) -> list[AuditEntry]:
    with ws.as_actor(SYSTEM).uow() as s:  # the trail as written (a case role reads none)
        return list(s.scalars(select(AuditEntry).where(
            AuditEntry.action == action, AuditEntry.record_type == record_type,
            AuditEntry.record_id == str(record_id))))


def test_create_edit_and_read_is_audited(db):
    ws = db.ws("cm")
    pid = f.person(ws, aliases=("Lex Taylor",))
    view = people.get_person(ws, pid)
    assert view.display_name == "Alex Taylor"
    assert view.aliases == ("Lex Taylor",)
    assert view.current_address is not None and view.current_address.postcode == "OX4 1AA"
    assert "Alex" not in repr(view)
    assert audit_rows(ws, "view", "person", pid)
    assert audit_rows(ws, "person.create", "person", pid)

    edited = people.edit_person(ws, pid, people.PersonInput(
        "Alex", "Taylor-Smith", date(1980, 5, 17), flags=frozenset({"flag_disability"}),
        address=people.AddressInput("9 High Street", "", "Oxford", "ox11aa", f.LSOA)))
    assert edited.family_name == "Taylor-Smith"
    assert edited.aliases == ()
    assert edited.flags == frozenset({"flag_disability"})
    assert [a.postcode for a in edited.addresses] == ["OX1 1AA", "OX4 1AA"]
    assert [a.current for a in edited.addresses] == [True, False]
    assert audit_rows(ws, "person.edit", "person", pid)


@pytest.mark.parametrize("data, field", [
    (people.PersonInput("", ""), "family_name"),
    (people.PersonInput("A", "B", gender="unknown"), "gender"),
    (people.PersonInput("A", "B", date(2999, 1, 1)), "date_of_birth"),
    (people.PersonInput("A", "B", address=people.AddressInput(lsoa_code="E0XXXXXXX")),
     "lsoa_code"),
])
def test_create_validates(db, data, field):
    with pytest.raises(ValidationError) as err:
        people.create_person(db.ws("cm"), data)
    assert err.value.field == field


def test_duplicates_by_name_dob_and_postcode(db):
    ws = db.ws("cm")
    alex = f.person(ws)
    f.person(ws, "Morgan", "Price", date(1960, 1, 1), "OX3 9ZZ")
    cand = people.PersonInput("Alex", "Taylor", date(1980, 5, 17),
                              address=people.AddressInput("1 Cowley Rd", "", "", "ox4 1aa"))
    matches = matching.find_duplicates(ws, cand)
    assert [m.person_id for m in matches] == [alex]
    assert matches[0].score >= 95
    assert {"name matches", "same date of birth", "same postcode"} <= set(matches[0].reasons)


def test_duplicates_transposed_alias_and_shortened_names(db):
    ws = db.ws("cm")
    alex = f.person(ws, aliases=("Lexi Jones",))
    swapped = matching.find_duplicates(ws, people.PersonInput("Taylor", "Alex"))
    assert swapped[0].person_id == alex
    assert "given and family names swapped" in swapped[0].reasons
    alias = matching.find_duplicates(ws, people.PersonInput("Lexi", "Jones"))
    assert alias[0].person_id == alex and "matches an alias" in alias[0].reasons
    short = matching.find_duplicates(ws, people.PersonInput("Al", "Taylor", date(1980, 5, 17)))
    assert short[0].person_id == alex
    jo = f.person(ws, "Jo", "March", date(1985, 3, 8))
    swapped_dob = matching.find_duplicates(ws, people.PersonInput("Jo", "March",
                                                                  date(1985, 8, 3)))
    assert swapped_dob[0].person_id == jo
    assert "date of birth with day and month swapped" in swapped_dob[0].reasons


def test_duplicates_penalise_a_different_birth_date_and_ignore_strangers(db):
    ws = db.ws("cm")
    f.person(ws)
    assert matching.find_duplicates(ws, people.PersonInput("Jordan", "Baker")) == []
    same = matching.find_duplicates(ws, people.PersonInput("Alex", "Taylor", date(1980, 5, 17)))
    slip = matching.find_duplicates(ws, people.PersonInput("Alex", "Taylor", date(1980, 5, 19)))
    assert slip[0].score < same[0].score
    assert "date of birth differs by one digit" in slip[0].reasons
    other = matching.find_duplicates(ws, people.PersonInput("Alex", "Taylor", date(2001, 9, 9)),
                                     min_score=0)
    assert other[0].score < slip[0].score
    assert "different date of birth" in other[0].reasons
    assert matching.find_duplicates(ws, people.PersonInput("Alex", "Taylor",
                                                           date(2001, 9, 9))) == []


def test_duplicates_only_offer_people_the_user_may_see(db):
    cm, cm2 = db.ws("cm"), db.ws("cm2")
    case = f.asb_case(cm)
    assert matching.find_duplicates(cm2, people.PersonInput("Sam", "Subject")) == []
    found = matching.find_duplicates(cm, people.PersonInput("Sam", "Subject"))
    assert found[0].person_id == case.subject_person_id
    assert audit_rows(cm, "view", "person", case.subject_person_id)


def test_person_cases_lists_every_role_and_is_filtered_by_visibility(db):
    ws = db.ws("cm")
    first = f.asb_case(ws)
    subject = first.subject_person_id
    assert subject is not None
    second = f.asb_case(ws)
    people.add_party(ws, second.header.id, subject, "witness")
    listed = people.person_cases(ws, subject)
    assert {(c.case_id, c.role) for c in listed} == {
        (first.header.id, "perpetrator"), (second.header.id, "witness")}
    assert all(c.reference.startswith("ASB-") for c in listed)
    with pytest.raises(db.hidden):
        people.person_cases(db.ws("cm2"), subject)


def test_add_party_validates_role_and_is_idempotent(db):
    ws = db.ws("cm")
    case = f.asb_case(ws)
    pid = f.person(ws, "Wendy", "Witness")
    with pytest.raises(ValidationError) as err:
        people.add_party(ws, case.header.id, pid, "bystander")
    assert err.value.field == "role"
    a = people.add_party(ws, case.header.id, pid, "witness")
    b = people.add_party(ws, case.header.id, pid, "witness")
    assert a.id == b.id


def test_unlinked_person_visible_to_people_roles_linked_person_only_via_cases(db):
    cm = db.ws("cm")
    loose = f.person(cm)
    for user in ("cm2", "swip", "mart", "sanct"):
        assert people.get_person(db.ws(user), loose).id == loose
    case = f.asb_case(cm)
    for user in ("cm2", "swip", "mart", "sanct"):
        with pytest.raises(db.hidden):
            people.get_person(db.ws(user), case.complainant_person_ids[0])
    for user in ("coord", "admin"):  # their role reads no people at all
        with pytest.raises(PermissionDenied):
            people.get_person(db.ws(user), loose)


def test_merge_moves_parties_aliases_addresses_and_links(db):
    ws = db.ws("cm")
    case = f.asb_case(ws)
    keep = case.subject_person_id
    assert keep is not None
    dup = f.person(ws, "Samuel", "Subject", date(1990, 1, 1), "OX1 4ZZ", "7 Other Street",
                   aliases=("Sammy S",))
    other = f.asb_case(ws)
    people.add_party(ws, other.header.id, dup, "witness")
    with pytest.raises(ValidationError):
        people.merge_people(ws, keep, dup, reason="")
    merged = people.merge_people(ws, keep, dup, reason="Same person, typo in name")
    assert {"Samuel Subject", "Sammy S"} <= set(merged.aliases)
    assert {a.postcode for a in merged.addresses} == {"OX4 3CC", "OX1 4ZZ"}
    assert [a.postcode for a in merged.addresses if a.current] == ["OX4 3CC"]
    with ws.uow() as s:
        assert s.get(Person, dup).merged_into_id == keep
        assert s.scalars(select(CaseParty).where(CaseParty.person_id == dup)).all() == []
    roles = {(c.case_id, c.role) for c in people.person_cases(ws, keep)}
    assert (other.header.id, "witness") in roles
    assert people.get_person(ws, dup).merged_into_id == keep
    assert audit_rows(ws, "person.merge", "person", keep)
    with pytest.raises(ValidationError):
        people.merge_people(ws, keep, dup, reason="again")
    # the merged record no longer turns up as a duplicate
    assert dup not in [m.person_id for m in matching.find_duplicates(
        ws, people.PersonInput("Samuel", "Subject", date(1990, 1, 1)))]


def test_closed_case_refuses_new_parties(db):
    ws = db.ws("cm")
    case = f.asb_case(ws)
    cases.close_case(ws, case.header.id, "resolved", date(2025, 4, 1))
    with pytest.raises(ValidationError):
        people.add_party(ws, case.header.id, f.person(ws, "New", "Person"), "witness")
