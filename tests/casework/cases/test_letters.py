"""Letters: every template fills from the case, user text is escaped, PDFs are kept with
the case, recipients must be linked, and reading a document is audited."""

from __future__ import annotations

import io
import string
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from casework.cases import caseview, letters
from casework.core.errors import NotFound, ValidationError
from casework.people import persons as people
from db.models import AuditEntry
from tests.casework import factories as f

# Depends on what day it is: CI runs it on several (tests/conftest.py).
pytestmark = pytest.mark.dates

ASB_KEYS = ("first_warning_letter", "second_warning_letter", "home_visit", "abc", "cpw",
            "cpn", "injunction", "closure_notice", "closure_order", "closure_order_extension",
            "tenancy_enforcement", "possession", "cbo", "cpn_youth", "injunction_youth",
            "first_warning_letter_youth")
TRIGGER_KEYS = ("trigger_acknowledgement", "trigger_threshold_decision", "trigger_outcome",
                "trigger_appeal_outcome")
ASB_FIELDS = {"action_date": "4 March 2025", "behaviour": "noise",
              "in_force_until": "until further notice", "duration_hours": "48",
              "requirements": "Stop playing music after 11pm.", "comply_by": "11 March 2025",
              "hearing_date": "5 March 2025", "hearing_time": "10:00",
              "court": "Oxford Magistrates' Court", "possession_condition": "A conviction.",
              "proceedings_from": "2 April 2025", "contract_terms": "No music after 11pm.",
              "order_terms": "Not to enter Cowley Road."}
TRIGGER_FIELDS = {"received_on": "1 May 2025", "decision_due_on": "15 May 2025",
                  "decided_on": "14 May 2025", "threshold_outcome": "has been met",
                  "reasons": "Three qualifying complaints.", "next_steps": "A review follows.",
                  "meeting_on": "3 June 2025", "findings": "Delays in response.",
                  "recommendations": "1. Police to patrol.", "appeal_route": "Write to the PCC.",
                  "appeal_outcome": "Upheld.", "appeal_reasons": "The review missed a report.",
                  "appealed_against": "the way the review was carried out"}


def pdf_text(content: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)


def test_every_template_exists_and_uses_known_fields():
    keys = set(letters.template_keys())
    assert set(ASB_KEYS) | set(TRIGGER_KEYS) <= keys
    for key in ASB_KEYS:
        assert letters.template_fields(key) <= letters.STANDARD_FIELDS | set(ASB_FIELDS), key
    for key in TRIGGER_KEYS:
        assert letters.template_fields(key) <= letters.STANDARD_FIELDS | set(TRIGGER_FIELDS)
        assert letters.load_template(key).title.startswith("Community Trigger")
    for key in keys:
        assert "recipient_name" in letters.template_fields(key)
        assert isinstance(letters.load_template(key).body, string.Template)


@pytest.mark.parametrize("key", ["../../etc/passwd", "nope", ""])
def test_unknown_or_unsafe_template_keys(key):
    with pytest.raises(NotFound):
        letters.load_template(key)


@pytest.mark.parametrize("key", ASB_KEYS + TRIGGER_KEYS)
def test_every_template_renders(key):
    fields = {k: "x" for k in letters.STANDARD_FIELDS} | ASB_FIELDS | TRIGGER_FIELDS
    fields["reference"] = "ASB-2025-000001"
    template = letters.load_template(key)
    pdf = letters.render_pdf(template.title, fields, letters.fill(template, fields))
    assert pdf.startswith(b"%PDF") and "OFFICIAL-SENSITIVE" in pdf_text(pdf)


def test_generated_letter_carries_case_and_recipient_and_is_kept(db):
    ws, reader = db.ws("cm"), db.ws("ig")  # (on a server the trail is read by its readers)
    case = f.asb_case(ws)
    doc = letters.generate_letter(ws, case.header.id, "first_warning_letter", ASB_FIELDS,
                                  on=date(2025, 3, 4))
    assert doc.kind == "letter" and doc.size > 1000
    stored = caseview.document_content(ws, doc.id)
    assert (stored.id, stored.title) == (doc.id, doc.title)
    text = pdf_text(stored.content)
    for expected in (case.header.reference, "4 March 2025", "Sam Subject", "3 Iffley Road",
                     "OX4 3CC", "Cm", "OFFICIAL-SENSITIVE", "Page 1"):
        assert expected in text
    assert [d.id for d in caseview.case_documents(ws, case.header.id)] == [doc.id]
    with reader.uow() as s:
        acts = {(a.action, a.record_type) for a in s.scalars(select(AuditEntry))}
    assert {("letter.generate", "case"), ("document.add", "case"),
            ("view", "document")} <= acts


def test_user_text_is_escaped(db):
    ws = db.ws("cm")
    pid = f.person(ws, "<b>Evil</b> & <font size=40>", "O'Brien <br/>")
    case = f.asb_case(ws)
    people.add_party(ws, case.header.id, pid, "complainant")
    fields = dict(ASB_FIELDS, behaviour="<para>noise</para> & shouting")
    doc = letters.generate_letter(ws, case.header.id, "first_warning_letter", fields,
                                  recipient_person_id=pid)
    text = pdf_text(caseview.document_content(ws, doc.id).content)
    assert "<b>Evil</b> & <font size=40>" in text
    assert "<para>noise</para> & shouting" in text


def test_missing_fields_and_unlinked_recipients_are_refused(db):
    ws = db.ws("cm")
    case = f.asb_case(ws)
    with pytest.raises(ValidationError) as err:
        letters.generate_letter(ws, case.header.id, "cpw", {"action_date": "today"})
    assert err.value.field == "extra_fields"
    assert "behaviour" in str(err.value)
    stranger = f.person(ws, "Stan", "Ger")
    with pytest.raises(ValidationError) as err:
        letters.generate_letter(ws, case.header.id, "cpw", ASB_FIELDS,
                                recipient_person_id=stranger)
    assert err.value.field == "recipient"


def test_trigger_templates_fill_from_extra_fields(db):
    ws = db.ws("cm")
    case = f.asb_case(ws)
    complainant = case.complainant_person_ids[0]
    doc = letters.generate_letter(ws, case.header.id, "trigger_outcome", TRIGGER_FIELDS,
                                  recipient_person_id=complainant)
    text = pdf_text(caseview.document_content(ws, doc.id).content)
    assert "Delays in response." in text and "Casey Complainant" in text


def test_only_case_managers_of_the_team_generate_or_read_letters(db):
    case = f.asb_case(db.ws("cm"))
    doc = letters.generate_letter(db.ws("cm"), case.header.id, "home_visit", ASB_FIELDS)
    for user in ("cm2", "swip", "coord", "admin"):
        with pytest.raises(db.refused):  # refused, or hidden by a server
            letters.generate_letter(db.ws(user), case.header.id, "home_visit", ASB_FIELDS)
        with pytest.raises(db.refused):
            caseview.document_content(db.ws(user), doc.id)
