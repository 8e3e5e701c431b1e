"""The printable case summary and the court bundle: identifiable outputs through the one
pipeline, for the roles the protocol allows, marked, whole or not at all, and audited with
each file's digest."""

from __future__ import annotations

import hashlib
import json
import subprocess
from datetime import date

import pytest
from sqlalchemy import select

from casework.cases import evidence
from casework.cases.lifecycle import add_note
from casework.core.errors import ValidationError
from casework.sharing import case_outputs
from db.models import AuditEntry
from tests.casework import factories as f

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n% a witness statement\n"


def pdf_text(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def exports(ws, output):
    with ws.uow() as s:
        return [json.loads(e.detail) for e in s.scalars(
            select(AuditEntry).where(AuditEntry.action == "export",
                                     AuditEntry.record_type == output))]


@pytest.fixture
def case_with_evidence(db):
    ws = db.ws("cm")
    cid = f.asb_case(ws, opened_on=date(2026, 11, 2)).header.id
    evidence.add_evidence(ws, cid, "/home/officer/Sam Subject at the gate.png", PNG, "photo",
                          date(2026, 11, 20), "Rubbish dumped at the rear gate")
    evidence.add_evidence(ws, cid, "statement.pdf", PDF, "witness_statement",
                          date(2026, 11, 18), "Statement of a neighbour")
    add_note(ws, cid, "Visited; the subject was not in.")
    return cid


def test_a_court_bundle_is_an_index_and_the_files_named_by_item(db, case_with_evidence,
                                                                tmp_path):
    ws = db.ws("cm")
    res = case_outputs.export_court_bundle(ws, case_with_evidence, tmp_path / "bundle")
    names = sorted(p.name for p in (tmp_path / "bundle").iterdir())
    ref = names[0].split("-E01-")[0]
    # Numbered in date order; the upload's own name (with a person's name) is not used.
    assert names == [f"{ref}-E01-witness_statement.pdf", f"{ref}-E02-photo.png",
                     f"{ref}-bundle-index.pdf"]
    assert (tmp_path / "bundle" / f"{ref}-E02-photo.png").read_bytes() == PNG
    text = pdf_text(tmp_path / "bundle" / f"{ref}-bundle-index.pdf")
    assert "OFFICIAL-SENSITIVE" in text and "Statement of a neighbour" in text
    assert hashlib.sha256(PNG).hexdigest()[:16] in text.replace(" ", "")
    assert "Sam Subject" in text  # the people of the case: it is identifiable
    assert "at the gate.png" not in text
    detail = exports(db.ws("admin"), "court_bundle")[-1]  # read by the audit's reader
    assert set(detail["sha256"]) == set(names) and res.recipient.startswith("The court")
    assert detail["evidence"] == 2


def test_a_case_summary_prints_the_case_marked_and_audited(db, case_with_evidence, tmp_path):
    ws = db.ws("cm")
    out = tmp_path / "summary.pdf"
    case_outputs.export_case_summary(ws, case_with_evidence, out, recipient="line manager")
    text = pdf_text(out)
    for wanted in ("OFFICIAL-SENSITIVE", "Case summary", "Casey Complainant", "Sam Subject",
                   "Visited; the subject was not in.", "Rubbish dumped at the rear gate",
                   "Line manager"):
        assert wanted in text, wanted
    assert exports(db.ws("admin"), "case_summary")[-1]["case_id"] == case_with_evidence


def test_only_roles_the_protocol_allows_and_only_cases_they_may_see(db, case_with_evidence,
                                                                   tmp_path):
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    for user in ("coord", "admin", "swip"):  # no identifiable access, or another compartment
        with pytest.raises(db.refused):  # (on a server another compartment's case is hidden)
            case_outputs.export_case_summary(db.ws(user), case_with_evidence,
                                             tmp_path / f"{user}.pdf")
        with pytest.raises(db.refused):
            case_outputs.export_court_bundle(db.ws(user), case_with_evidence,
                                             tmp_path / user)
    assert list(tmp_path.iterdir()) == []


def test_a_bundle_needs_evidence_and_a_recipient_the_protocol_names(db, tmp_path):
    ws = db.ws("cm")
    cid = f.asb_case(ws, opened_on=date(2026, 11, 2)).header.id
    with pytest.raises(ValidationError) as exc:
        case_outputs.export_court_bundle(ws, cid, tmp_path / "b")
    assert exc.value.field == "evidence"
    with pytest.raises(ValidationError) as exc:
        case_outputs.export_case_summary(ws, cid, tmp_path / "s.pdf", recipient="a newspaper")
    assert exc.value.field == "recipient"
    assert not (tmp_path / "s.pdf").exists()
