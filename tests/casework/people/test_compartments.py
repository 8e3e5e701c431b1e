"""Compartments survive merge and import: a SWIP subject stays out of an ASB officer's
sight after two SWIP records are merged, and importing ASB cases neither links to nor
counts people the importer may not see."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from casework.asb import importer
from casework.cases.search import search
from casework.panels import swip as panels
from casework.people import persons as people
from db.models import CaseParty, Person
from tests.casework.wf_helpers import make_person, panel_id

DOB = date(1991, 7, 14)


def _swip_subject(db, given: str, family: str, dob: date = DOB) -> int:
    ws = db.ws("swip")
    person = make_person(ws, given, family, dob)
    with ws.uow() as session:
        session.get(Person, person).phone = "07700 900123"
    panels.refer(ws, panel_id(ws, "SWIP Panel"), "swip", person, date(2026, 6, 1),
                 "A. Outreach", "sexual_health", "given", ["housing"], "medium",
                 ["police"])
    return person


def test_merging_two_swip_only_people_keeps_both_records_hidden(db):
    keep = _swip_subject(db, "Rhea", "Quill")
    dup = _swip_subject(db, "Rhea", "Quil")
    asb = db.ws("cm")
    for pid in (keep, dup):
        with pytest.raises(db.hidden):
            people.get_person(asb, pid)
    people.merge_people(db.ws("swip"), keep, dup, reason="Same person, spelling")
    # the duplicate has no links of its own now; it must not become visible to everyone
    for pid in (keep, dup):
        with pytest.raises(db.hidden):
            people.get_person(asb, pid)
    assert not [h for h in search(asb, "Rhea") if h.kind == "person"]
    # the SWIP panel still sees both: the kept record, and the duplicate pointing at it
    assert people.get_person(db.ws("swip"), dup).merged_into_id == keep
    assert people.get_person(db.ws("swip"), keep).display_name == "Rhea Quill"


def test_a_merge_chain_is_flattened_and_stays_hidden(db):
    a = _swip_subject(db, "Tomas", "Vey")
    b = _swip_subject(db, "Tomas", "Veye")
    c = _swip_subject(db, "Thomas", "Vey")
    swip = db.ws("swip")
    people.merge_people(swip, b, a, reason="same")
    people.merge_people(swip, c, b, reason="same")
    with swip.uow() as session:
        assert session.get(Person, a).merged_into_id == c
    for pid in (a, b, c):
        with pytest.raises(db.hidden):
            people.get_person(db.ws("cm"), pid)


HEADER = ("reference_external,opened_on,category,subcategory,risk_level,lsoa_code,status,"
          "closed_on,outcome,first_contact_on,incident_count,complainant_given_name,"
          "complainant_family_name,complainant_dob,subject_given_name,subject_family_name,"
          "subject_dob,subject_gender\n")


def test_import_does_not_match_people_the_importer_cannot_see(db):
    hidden = _swip_subject(db, "Rhea", "Quill")
    row = ("IMP-1,2026-01-05,personal,harassment,high,E01028522,open,,,2026-01-06,1,"
           f"Rhea,Quill,{DOB.isoformat()},,,,\n")
    result = importer.import_cases(db.ws("cm"), (HEADER + row).encode())
    # the count says nothing about the hidden person: a new record was made for this case
    assert (result.people_matched, result.people_created) == (0, 1)
    with db.ws("cm").uow() as session:
        linked = session.scalars(select(CaseParty.person_id)
                                 .where(CaseParty.role == "complainant")).all()
    assert len(linked) == 1
    assert hidden not in linked
    with pytest.raises(db.hidden):
        people.get_person(db.ws("cm"), hidden)


def test_import_still_matches_people_the_importer_can_see(db):
    row = ("IMP-1,2026-01-05,personal,harassment,high,E01028522,open,,,2026-01-06,1,"
           "Ann,Lee,1970-02-03,,,,\n")
    importer.import_cases(db.ws("cm"), (HEADER + row).encode())
    row2 = row.replace("IMP-1", "IMP-2")
    result = importer.import_cases(db.ws("cm"), (HEADER + row2).encode())
    assert (result.people_matched, result.people_created) == (1, 0)
