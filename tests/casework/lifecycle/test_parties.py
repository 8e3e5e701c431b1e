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


def test_no_letter_without_an_address_unless_hand_delivered(db) -> None:
    from casework.cases import letters
    from tests.casework.wf_helpers import make_person

    ws = db.ws("cm")
    case = _case_without_subject(ws)
    with ws.uow() as s:
        from db.models import Person

        pid = s.scalar(__import__("sqlalchemy").select(Person.id).where(
            Person.family_name == "Complainant"))
    nowhere = asb.open_asb_case(ws, "personal", "noise", date(2026, 11, 2), LSOA,
                                make_person(ws), None, summary="x")
    bare = parties.add_case_party(ws, nowhere.header.id, _bare_person(ws), "perpetrator")
    with pytest.raises(ValidationError) as err:
        letters.generate_letter(ws, nowhere.header.id, "first_warning_letter",
                                {"action_date": "1 Dec", "behaviour": "noise"})
    assert err.value.field == "recipient_address"
    doc = letters.generate_letter(ws, nowhere.header.id, "first_warning_letter",
                                  {"action_date": "1 Dec", "behaviour": "noise"},
                                  delivery="hand")
    assert "By hand" in _letter_text(ws, doc.id)
    assert bare.is_subject and pid is not None and case.header.id


def _bare_person(ws) -> int:  # type: ignore[no-untyped-def]
    from db.models import Person

    with ws.uow() as s:
        p = Person(given_name="Una", family_name="Housed", date_of_birth=date(1990, 1, 1))
        s.add(p)
        s.flush()
        return p.id


def _young_subject_with_guardian(ws, postcode: str, line1: str):  # type: ignore[no-untyped-def]
    """A case whose subject, Tom Young, is 15, with his guardian Gina Guardian at the
    address given (his is 7 Magdalen Road, OX4 7GG)."""
    case = _case_without_subject(ws)
    young = person(ws, "Tom", "Young", date(2011, 6, 1), "OX4 7GG", "7 Magdalen Road")
    guardian = person(ws, "Gina", "Guardian", date(1980, 6, 1), postcode, line1)
    parties.add_case_party(ws, case.header.id, young, "perpetrator")
    parties.add_case_party(ws, case.header.id, guardian, "guardian")
    return case


def test_a_subject_under_18_gets_youth_wording_and_the_guardian(db) -> None:
    from casework.cases import letters

    ws = db.ws("cm")
    case = _young_subject_with_guardian(ws, "OX4 7GG", "7 Magdalen Road")
    doc = letters.generate_letter(ws, case.header.id, "injunction",
                                  {"action_date": "1 Dec", "behaviour": "noise"})
    text = _letter_text(ws, doc.id)
    assert "and their parent or guardian, Gina Guardian" in text
    assert "Dear Tom Young and Gina Guardian," in text
    assert "youth court" in text and "imprisonment" not in text


def _pages(ws, doc_id: int) -> list[str]:  # type: ignore[no-untyped-def]
    import io

    from pypdf import PdfReader

    return [p.extract_text() for p in
            PdfReader(io.BytesIO(document_content(ws, doc_id).content)).pages]


def _top(page: str) -> str:
    """The address block and what precedes the title (the first lines of a page)."""
    return page.split("Our reference")[0].replace("\u00a0", " ")


@pytest.mark.parametrize("step", ["first_warning_letter", "abc", "injunction"])
def test_a_youth_letter_has_a_copy_for_the_guardian_at_the_guardians_address(
        db, step: str) -> None:
    from casework.cases import letters

    ws = db.ws("cm")
    case = _young_subject_with_guardian(ws, "OX3 9DU", "22 Headington Way")
    doc = letters.generate_letter(ws, case.header.id, step,
                                  {"action_date": "1 Dec", "behaviour": "noise",
                                   "contract_terms": "Not to play amplified music.",
                                   "in_force_until": "1 June 2027"})
    pages = _pages(ws, doc.id)
    starts = [i for i, p in enumerate(pages) if "Our reference" in p]
    assert len(starts) == 2, "one copy for the young person, one for the guardian"
    child, copy = _top(pages[starts[0]]), _top(pages[starts[1]])
    assert "Tom Young" in child and "7 Magdalen Road" in child and "OX4 7GG" in child
    assert "Headington" not in child
    assert "Gina Guardian" in copy and "Parent or guardian of Tom Young" in copy
    assert "22 Headington Way" in copy and "OX3 9DU" in copy
    assert "Magdalen Road" not in copy
    whole = " ".join("\n".join(pages).replace("\u00a0", " ").split())
    assert "A copy has been sent to their parent or guardian, Gina Guardian" in whole
    assert "Copy for Gina Guardian, as the parent or guardian of Tom Young" in whole
    body_child = "".join(pages[starts[0]:starts[1]]).split("Our reference")[1]
    body_copy = "".join(pages[starts[1]:]).split("Our reference")[1]
    # both copies carry the same letter (the ABC has no separate youth wording)
    assert " ".join(body_child.split()) == " ".join(body_copy.split()).replace(
        "Copy for Gina Guardian, as the parent or guardian of Tom Young, who is under 18. "
        "The same letter has been sent to Tom Young at their own address. Please read it "
        "with them.", "This letter is to Tom Young, who is under 18. A copy has been sent to "
        "their parent or guardian, Gina Guardian. Please read it together.")
    assert "Dear Tom Young" in " ".join(body_child.split())


def test_a_guardian_at_the_young_persons_address_shares_the_one_letter(db) -> None:
    from casework.cases import letters

    ws = db.ws("cm")
    case = _young_subject_with_guardian(ws, "OX4 7GG", "7 Magdalen Road")
    draft = letters.preview_letter(ws, case.header.id, "first_warning_letter",
                                   {"action_date": "1 Dec", "behaviour": "noise"})
    assert draft.youth_wording and not draft.guardian_copy
    doc = letters.generate_letter(ws, case.header.id, "first_warning_letter",
                                  {"action_date": "1 Dec", "behaviour": "noise"},
                                  delivery="hand")
    text = "\n".join(_pages(ws, doc.id))
    assert text.count("Our reference") == 1 and "By hand" in text


def test_letterhead_job_title_and_pounds(db) -> None:
    from casework.core import settings, users

    ws = db.ws("cm")
    users.set_job_title(ws, db.login("cm"), "Senior ASB Officer")
    settings.update(db.ws("admin"), settings.LETTERHEAD, {
        "council_name": "Exampleshire Council", "address": "1 Civic Way, Exton, EX1 1AA",
        "phone": "01234 567890", "email": "asb@example.gov.uk",
        "magistrates_court": "Exton Magistrates' Court", "logo_png_base64": ""})
    case = f_case = _case_without_subject(ws)
    pid = person(ws, "Perry", "Later", date(1995, 6, 1), "OX4 7GG", "7 Magdalen Road")
    parties.add_case_party(ws, f_case.header.id, pid, "perpetrator")
    ladder.escalate(ws, case.header.id, "first_warning_letter", date(2026, 11, 3))
    step = ladder.escalate(ws, case.header.id, "cpn", date(2026, 11, 20), reason="persistent",
                           extra={"requirements": "Remove the speakers.", "comply_by": "7 days"})
    text = _letter_text(ws, step.document_id)
    for expected in ("Exampleshire Council", "1 Civic Way", "01234 567890",
                     "asb@example.gov.uk", "Senior ASB Officer", "£100",
                     "Remove the speakers.", "Exton Magistrates' Court", "21 days"):
        assert expected in text, expected
    assert "100 pounds" not in text and "schedule kept with your case" not in text


def test_templates_are_versioned_by_an_administrator(db) -> None:
    from casework.cases import letter_templates, letters
    from casework.core.errors import PermissionDenied

    admin, ws = db.ws("admin"), db.ws("cm")
    text = letters.packaged_text("home_visit").replace("This letter records",
                                                       "This letter confirms")
    with pytest.raises(PermissionDenied):
        letter_templates.save_template(ws, "home_visit", text, "Clearer wording")
    with pytest.raises(ValidationError):
        letter_templates.save_template(admin, "home_visit", text + "\n$secret_field",
                                       "Clearer wording")
    saved = letter_templates.save_template(admin, "home_visit", text, "Clearer wording")
    assert saved.version == 1
    assert [v.version for v in letter_templates.template_versions(admin, "home_visit")] \
        == [1, 0]
    case = _case_without_subject(ws)
    pid = person(ws, "Perry", "Later", date(1995, 6, 1), "OX4 7GG", "7 Magdalen Road")
    parties.add_case_party(ws, case.header.id, pid, "perpetrator")
    draft = letters.preview_letter(ws, case.header.id, "home_visit",
                                   {"action_date": "1 Dec", "behaviour": "noise"})
    assert draft.template_version == 1
    import io

    from pypdf import PdfReader

    assert "This letter confirms" in "".join(
        p.extract_text() for p in PdfReader(io.BytesIO(draft.pdf)).pages)
