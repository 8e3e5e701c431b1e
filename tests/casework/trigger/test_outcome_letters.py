"""Community Trigger after the threshold decision: no more complaints; the outcome letter
and the appeal outcome letter previewed (nothing kept) and issued once."""

from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from casework.core.errors import ValidationError
from casework.trigger import applications as trigger
from casework.trigger import review
from db.models import AuditEntry, Document
from tests.casework.wf_helpers import make_person

pytestmark = pytest.mark.dates

RECEIVED = date(2026, 9, 1)


def _decided(ws, met: bool) -> int:  # type: ignore[no-untyped-def]
    cid = trigger.open_trigger(ws, make_person(ws), RECEIVED, on_behalf=False,
                               lsoa_code="E01028522").id
    for i, day in enumerate((3, 10, 17)):
        trigger.add_complaint(ws, cid, date(2026, 8, day), date(2026, 8, day + 1),
                              "council", f"K{i}")
    trigger.decide_threshold(ws, cid, met, "Decided on the three complaints.",
                             date(2026, 9, 8))
    return cid


def _documents(ws, cid: int) -> int:  # type: ignore[no-untyped-def]
    with ws.uow() as s:
        return int(s.scalar(select(func.count(Document.id)).where(Document.case_id == cid))
                   or 0)


def _audited(ws, cid: int) -> list[str]:  # type: ignore[no-untyped-def]
    with ws.uow() as s:
        return list(s.scalars(select(AuditEntry.action).where(
            AuditEntry.record_type == "case", AuditEntry.record_id == str(cid))))


def _text(pdf: bytes) -> str:
    return " ".join((p.extract_text() or "") for p in PdfReader(io.BytesIO(pdf)).pages)


@pytest.mark.parametrize("met", [True, False])
def test_no_complaint_after_the_threshold_decision(db, met: bool) -> None:
    ws = db.ws("cm")
    cid = _decided(ws, met)
    with pytest.raises(ValidationError) as err:
        trigger.add_complaint(ws, cid, date(2026, 8, 20), date(2026, 8, 21), "police", "K9")
    assert err.value.field == "threshold_met"
    assert "threshold decision was recorded on 8 September 2026" in str(err.value)
    assert "new application" in str(err.value)
    assert len(trigger.trigger_view(ws, cid).complaints) == 3


def test_complaints_are_taken_until_the_decision(db) -> None:
    ws = db.ws("cm")
    cid = trigger.open_trigger(ws, make_person(ws), RECEIVED, on_behalf=False,
                               lsoa_code="E01028522").id
    assert trigger.complaints_closed_reason(None) is None
    trigger.add_complaint(ws, cid, date(2026, 8, 20), date(2026, 8, 21), "police", "K9")
    assert len(trigger.trigger_view(ws, cid).complaints) == 1


def test_outcome_letter_previewed_then_issued_once(db) -> None:
    ws = db.ws("cm")
    cid = _decided(ws, True)
    with pytest.raises(ValidationError) as err:
        review.preview_outcome(ws, cid, date(2026, 9, 20))
    assert err.value.field == "review"
    review.record_review(ws, cid, date(2026, 9, 20), ["council", "police"],
                         "Reports were not shared between the agencies.")
    review.add_recommendation(ws, cid, "police", "Share incident logs weekly.",
                              date(2026, 12, 1))
    before = _documents(ws, cid)
    draft = review.preview_outcome(ws, cid, date(2026, 9, 25))
    text = _text(draft.pdf)
    assert "Reports were not shared" in text and "Share incident logs weekly" in text
    assert _documents(ws, cid) == before  # a preview keeps nothing
    assert trigger.trigger_view(ws, cid).outcome_letter_on is None
    assert "letter.preview" in _audited(ws, cid)
    with pytest.raises(ValidationError) as err:
        review.send_outcome(ws, cid, date(2026, 9, 19))  # before the meeting
    assert err.value.field == "outcome_letter_on"
    view = review.send_outcome(ws, cid, date(2026, 9, 25))
    assert view.outcome_letter_on == date(2026, 9, 25)
    assert _documents(ws, cid) == before + 1
    for again in (review.send_outcome, review.preview_outcome):
        with pytest.raises(ValidationError) as err:
            again(ws, cid, date(2026, 9, 30))
        assert "already sent on 25 September 2026" in str(err.value)
    assert _documents(ws, cid) == before + 1


def test_appeal_outcome_letter_previewed_then_issued_once(db) -> None:
    ws = db.ws("cm")
    cid = _decided(ws, False)  # not met closes the application; it may still be appealed
    with pytest.raises(ValidationError) as err:
        review.preview_appeal_outcome(ws, cid, "upheld", date(2026, 10, 1), "Reasons.")
    assert err.value.field == "appeal_requested_on"
    review.record_appeal(ws, cid, date(2026, 9, 15))
    with pytest.raises(ValidationError) as err:
        review.preview_appeal_outcome(ws, cid, "upheld", date(2026, 9, 14), "Reasons.")
    assert err.value.field == "appeal_decided_on"
    before = _documents(ws, cid)
    draft = review.preview_appeal_outcome(ws, cid, "upheld", date(2026, 10, 1),
                                          "The hate incident was not counted.")
    text = _text(draft.pdf)
    assert "your appeal is upheld" in text and "hate incident was not counted" in text
    # the threshold was not met: the appeal is against that decision, and upheld it
    # does not end the process
    assert "did not meet the threshold" in " ".join(text.split())
    assert "completes the Community Trigger process" not in " ".join(text.split())
    assert "write to you about what happens next" in " ".join(text.split())
    assert _documents(ws, cid) == before
    assert trigger.trigger_view(ws, cid).appeal_outcome is None
    review.decide_appeal(ws, cid, "upheld", date(2026, 10, 1),
                         "The hate incident was not counted.")
    assert _documents(ws, cid) == before + 1
    with pytest.raises(ValidationError) as err:
        review.decide_appeal(ws, cid, "not_upheld", date(2026, 10, 2), "Changed.")
    assert err.value.field == "appeal_outcome"
    assert trigger.trigger_view(ws, cid).appeal_outcome == "upheld"


def test_appeal_not_upheld_after_a_review_ends_the_process(db) -> None:
    ws = db.ws("cm")
    cid = _decided(ws, True)
    review.record_review(ws, cid, date(2026, 9, 20), ["council"], "Findings.")
    review.send_outcome(ws, cid, date(2026, 9, 25))
    review.record_appeal(ws, cid, date(2026, 10, 1))
    text = " ".join(_text(review.preview_appeal_outcome(
        ws, cid, "not_upheld", date(2026, 10, 20), "The review was thorough.").pdf).split())
    assert "the way your anti-social behaviour case review" in text
    assert "completes the Community Trigger process" in text
    assert "did not meet the threshold" not in text


def test_acknowledgement_letter_previewed_then_issued_once(db) -> None:
    ws = db.ws("cm")
    cid = trigger.open_trigger(ws, make_person(ws), RECEIVED, on_behalf=False,
                               lsoa_code="E01028522").id
    with pytest.raises(ValidationError) as err:
        trigger.preview_acknowledgement(ws, cid, date(2026, 8, 31))  # before it arrived
    assert err.value.field == "acknowledged_on"
    draft = trigger.preview_acknowledgement(ws, cid, date(2026, 9, 2))
    text = _text(draft.pdf)
    assert "1 September 2026" in text  # received on
    assert _documents(ws, cid) == 0 and "letter.preview" in _audited(ws, cid)
    assert trigger.trigger_view(ws, cid).acknowledged_on is None
    view = trigger.acknowledge(ws, cid, date(2026, 9, 2))
    assert trigger.acknowledged_reason(view.acknowledged_on) == (
        "the application was acknowledged on 02 Sep 2026")
    assert _documents(ws, cid) == 1
    for again in (trigger.acknowledge, trigger.preview_acknowledgement):
        with pytest.raises(ValidationError) as err:
            again(ws, cid, date(2026, 9, 3))
        assert "already acknowledged" in str(err.value)
    assert _documents(ws, cid) == 1


def test_the_applicant_responds_to_the_outcome_letter_not_before_it(db) -> None:
    ws = db.ws("cm")
    cid = _decided(ws, True)
    with pytest.raises(ValidationError) as err:
        review.record_applicant_response(ws, cid, "Not satisfied.")
    assert err.value.field == "outcome_letter_on"
    review.record_review(ws, cid, date(2026, 9, 20), ["council"], "Findings.")
    review.send_outcome(ws, cid, date(2026, 9, 25))
    view = review.record_applicant_response(ws, cid, "  Satisfied in part. ")
    assert view.applicant_response == "Satisfied in part."
    view = review.record_applicant_response(ws, cid, "Satisfied after the follow-up call.")
    assert view.applicant_response == "Satisfied after the follow-up call."
    assert _audited(ws, cid).count("trigger.response") == 2
