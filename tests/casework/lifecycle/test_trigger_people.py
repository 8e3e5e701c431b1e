"""Community Trigger: complaints after the application refused, the appeal outcome letter,
the return by financial year with the protocol's marking for a public statistic. People:
transposed digits in a date of birth, and a person's cases listed once with every role."""

from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader

from casework.cases.caseview import case_documents, document_content
from casework.core.errors import ValidationError
from casework.people import matching
from casework.people import persons as people
from casework.trigger import annual_return, review
from casework.trigger import applications as trigger
from tests.casework import factories as f
from tests.casework.wf_helpers import make_person


def _met(ws, received: date) -> int:  # type: ignore[no-untyped-def]
    cid = trigger.open_trigger(ws, make_person(ws), received, on_behalf=False,
                               lsoa_code="E01028522").id
    for i, day in enumerate((3, 10, 17)):
        trigger.add_complaint(ws, cid, date(received.year, received.month - 1, day),
                              date(received.year, received.month - 1, day + 1), "council",
                              f"K{i}")
    trigger.decide_threshold(ws, cid, True, "Three incidents", received)
    return cid


def test_a_complaint_after_the_application_is_refused(db) -> None:
    ws = db.ws("cm")
    cid = trigger.open_trigger(ws, make_person(ws), date(2026, 9, 1), on_behalf=False,
                               lsoa_code="E01028522").id
    trigger.add_complaint(ws, cid, date(2026, 8, 30), date(2026, 9, 1), "police")  # same day
    with pytest.raises(ValidationError) as err:
        trigger.add_complaint(ws, cid, date(2026, 9, 1), date(2026, 9, 2), "police")
    assert err.value.field == "complained_on"


def test_the_appeal_outcome_has_its_letter(db) -> None:
    ws = db.ws("cm")
    cid = _met(ws, date(2026, 9, 1))
    review.record_review(ws, cid, date(2026, 9, 20), ["council", "police"], "Slow.")
    review.send_outcome(ws, cid, date(2026, 9, 25))
    review.record_appeal(ws, cid, date(2026, 10, 1))
    review.decide_appeal(ws, cid, "upheld", date(2026, 10, 20),
                         reasons="The review did not consider the police reports.")
    doc = next(d for d in case_documents(ws, cid) if "appeal" in d.title.lower())
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(
        document_content(ws, doc.id).content)).pages)
    assert "your appeal is upheld" in text and "did not consider the police" in text


def test_the_return_by_financial_year_is_marked_official(db, tmp_path) -> None:
    ws = db.ws("cm")
    _met(ws, date(2026, 3, 20))   # financial year 2025/26
    _met(ws, date(2026, 5, 20))   # financial year 2026/27
    out = tmp_path / "fy.csv"
    coord = db.ws("coord")
    annual_return.export_trigger_return(coord, 2026, out, period="financial")
    text = out.read_text()
    assert "OFFICIAL" in text and "OFFICIAL-SENSITIVE" not in text
    assert "Applications received" in text
    assert annual_return.period_dates(2026, "financial") == (date(2026, 4, 1),
                                                             date(2027, 3, 31))
    with pytest.raises(ValidationError):
        annual_return.export_trigger_return(coord, 2026, out, period="academic")


@pytest.mark.parametrize(("mine", "theirs"), [
    (date(1984, 5, 17), date(1948, 5, 17)),
    (date(1984, 5, 12), date(1984, 5, 21)),
    (date(1984, 5, 3), date(1984, 5, 30)),    # 03 typed as 30
    (date(1984, 3, 12), date(1984, 2, 13)),   # 12/03 typed as 13/02: across day and month
])
def test_transposed_digits_in_a_date_of_birth_are_likely_duplicates(db, mine, theirs) -> None:
    ws = db.ws("cm")
    f.person(ws, "Alex", "Taylor", theirs)
    found = matching.find_duplicates(ws, people.PersonInput("Alex", "Taylor", mine))
    assert found and any("transposed" in r for r in found[0].reasons)


def test_a_persons_case_is_listed_once_with_all_their_roles(db) -> None:
    ws = db.ws("cm")
    pid = make_person(ws)
    cid = trigger.open_trigger(ws, pid, date(2026, 9, 1), on_behalf=False,
                               lsoa_code="E01028522").id
    people.add_party(ws, cid, pid, "victim")
    rows = [c for c in people.person_cases(ws, pid) if c.case_id == cid]
    assert len(rows) == 1
    assert set(rows[0].roles) >= {"applicant", "victim"}


def test_a_date_of_birth_differing_otherwise_is_not_a_transposition(db) -> None:
    ws = db.ws("cm")
    f.person(ws, "Alex", "Taylor", date(1948, 6, 18))
    found = matching.find_duplicates(ws, people.PersonInput("Alex", "Taylor",
                                                            date(1984, 5, 17)), min_score=0)
    assert found and found[0].reasons[-1] == "different date of birth"
    assert matching.transposed("1984-05-17", "1948-05-17")
    assert not matching.transposed("1984-05-17", "1948-05-71")  # two swaps, not one
    assert not matching.transposed("1984-05-17", "1985-05-18")  # two different digits


def test_an_asb_case_is_listed_once_for_a_person_in_two_roles(db) -> None:
    ws = db.ws("cm")
    case = f.asb_case(ws)
    complainant = case.complainant_person_ids[0]
    people.add_party(ws, case.header.id, complainant, "witness")
    rows = [c for c in people.person_cases(ws, complainant) if c.case_id == case.header.id]
    assert len(rows) == 1
    assert rows[0].roles == ("complainant", "witness")
    assert rows[0].role == "complainant, witness"


def test_the_asb_subject_sees_the_case_once(db) -> None:
    ws = db.ws("cm")
    case = f.asb_case(ws)
    rows = [c for c in people.person_cases(ws, case.subject_person_id)
            if c.case_id == case.header.id]
    assert len(rows) == 1 and rows[0].roles == ("perpetrator",)
