"""Parties after intake: a perpetrator identified later becomes the ASB subject, and the
letters and age rules follow the subject."""

from __future__ import annotations

from datetime import date

import pytest

from casework.asb import cases as asb
from casework.asb import ladder
from casework.cases.caseview import case_parts, document_content
from casework.core.errors import ValidationError
from casework.people import parties
from tests.casework.factories import LSOA, person


def _case_without_subject(ws):  # type: ignore[no-untyped-def]
    complainant = person(ws, "Casey", "Complainant", date(1970, 2, 2), "OX4 2BB")
    return asb.open_asb_case(ws, "personal", "noise", date(2026, 11, 2), LSOA, complainant,
                             None, summary="Noise")


def _letter_text(ws, doc_id: int) -> str:  # type: ignore[no-untyped-def]
    import io

    from pypdf import PdfReader

    return "\n".join(p.extract_text() for p in
                     PdfReader(io.BytesIO(document_content(ws, doc_id).content)).pages)


def test_perpetrator_added_after_intake_becomes_subject_and_gets_the_letter(db) -> None:
    ws = db.ws("cm")
    case = _case_without_subject(ws)
    pid = person(ws, "Perry", "Later", date(1995, 6, 1), "OX4 7GG", "7 Magdalen Road")
    change = parties.add_case_party(ws, case.header.id, pid, "perpetrator")
    assert change.is_subject
    assert asb.get_asb_case(ws, case.header.id).subject_person_id == pid
    step = ladder.escalate(ws, case.header.id, "first_warning_letter", date(2026, 11, 20))
    text = _letter_text(ws, step.document_id)
    assert "Dear Perry Later" in text
    assert "Casey" not in text


def test_cpn_uses_the_later_subjects_date_of_birth(db) -> None:
    ws = db.ws("cm")
    case = _case_without_subject(ws)
    pid = person(ws, "Perry", "Later", date(1995, 6, 1), "OX4 7GG", "7 Magdalen Road")
    parties.add_case_party(ws, case.header.id, pid, "perpetrator")
    ladder.escalate(ws, case.header.id, "first_warning_letter", date(2026, 11, 3))
    ladder.escalate(ws, case.header.id, "cpn", date(2026, 11, 20), reason="persistent",
                    extra={"requirements": "Stop playing amplified music after 11pm.",
                           "comply_by": "27 November 2026"})
    assert asb.get_asb_case(ws, case.header.id).stage == 4


def test_ending_the_subject_moves_the_subject_on(db) -> None:
    ws = db.ws("cm")
    case = _case_without_subject(ws)
    first = person(ws, "Perry", "One", date(1995, 6, 1), "OX4 7GG")
    second = person(ws, "Pat", "Two", date(1996, 6, 1), "OX4 8HH")
    p1 = parties.add_case_party(ws, case.header.id, first, "perpetrator")
    parties.add_case_party(ws, case.header.id, second, "perpetrator")
    assert asb.get_asb_case(ws, case.header.id).subject_person_id == first
    with pytest.raises(ValidationError):
        parties.end_party(ws, p1.party_id, "")
    ended = parties.end_party(ws, p1.party_id, "Moved out of the area")
    assert ended.ended_on == date(2026, 12, 1) and not ended.is_subject
    assert asb.get_asb_case(ws, case.header.id).subject_person_id == second
    rows = {r.person_id: r for r in case_parts(ws, case.header.id).people}
    assert rows[first].ended_on == date(2026, 12, 1)
    assert rows[second].is_subject


def test_change_role_and_choose_subject(db) -> None:
    ws = db.ws("cm")
    case = _case_without_subject(ws)
    first = person(ws, "Perry", "One", date(1995, 6, 1), "OX4 7GG")
    second = person(ws, "Pat", "Two", date(1996, 6, 1), "OX4 8HH")
    p1 = parties.add_case_party(ws, case.header.id, first, "perpetrator")
    parties.add_case_party(ws, case.header.id, second, "perpetrator")
    parties.set_asb_subject(ws, case.header.id, second)
    assert asb.get_asb_case(ws, case.header.id).subject_person_id == second
    changed = parties.change_party(ws, p1.party_id, role="witness")
    assert changed.role == "witness"
    assert asb.get_asb_case(ws, case.header.id).subject_person_id == second
    with pytest.raises(ValidationError):
        parties.set_asb_subject(ws, case.header.id, first)  # a witness now
