"""Subject access: everything about one person, third parties marked, deadline as a task."""

from __future__ import annotations

import json
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from casework.core.errors import PermissionDenied
from casework.safeguards import sar
from db.models import AuditEntry, Task
from tests.casework.conftest import NEIGHBOUR, SUBJECT, SUBJECT_ADDRESS, add_case, add_person

# Depends on what day it is: CI runs it on several (tests/conftest.py).
pytestmark = pytest.mark.dates


def test_one_month_deadline():
    assert sar.one_month_after(date(2026, 6, 15)) == date(2026, 7, 15)
    assert sar.one_month_after(date(2026, 1, 31)) == date(2026, 2, 28)
    assert sar.one_month_after(date(2028, 1, 31)) == date(2028, 2, 29)
    assert sar.one_month_after(date(2026, 12, 20)) == date(2027, 1, 20)


def test_export_gathers_everything_and_marks_third_parties(db, world, tmp_path):
    ws = db.ws("ig")
    # a SWIP referral of the subject on another team's panel is held too
    add_case(ws, "SWIP-2025-000003", parties={world.subject_id: "victim"},
             opened=date(2025, 1, 2), case_type="swip", team="Partnership Team")
    # an unrelated person's case must not appear
    other = add_person(ws, given_name="Ulric", family_name="Unrelated")
    add_case(ws, "ASB-2025-000009", parties={other: "victim"}, opened=date(2025, 1, 2),
             note="Ulric Unrelated called.")
    result = sar.export(ws, world.subject_id, tmp_path, received_on=date(2026, 1, 31))
    # a month after 31 January is 28 February 2026, a Saturday: due the Monday after
    assert result.request.due_on == date(2026, 3, 2)
    doc = json.loads(result.json.read_text())
    refs = [c["reference"] for c in doc["cases"]]
    assert sorted(refs) == sorted([*world.references, "SWIP-2025-000003"])
    text = result.json.read_text()
    for value in (SUBJECT["family_name"], SUBJECT["phone"], SUBJECT_ADDRESS["postcode"],
                  "Zeb Q", "Visited Zebedee."):
        assert value in text
    assert "Ulric" not in text
    # the neighbour is flagged wherever they appear: as a party, and in free text
    fields = [f for c in doc["cases"] for r in c["records"] for f in r["fields"]]
    flagged = [f for f in fields if f["third_party"]]
    assert flagged and all(f["value"] == "Marigold Thistlewaite" for f in flagged)
    spans = [(f["value"], s) for f in fields for s in f["redact_spans"]]
    marked = {v[a:b] for v, (a, b) in spans}
    assert marked == {"Marigold Thistlewaite"}
    assert not any(f["third_party"] for r in doc["subject"] for f in r["fields"])
    assert doc["redaction"]["marks"] == result.marks == len(flagged) + len(spans)
    # the PDF says the same, with the marker
    pdf_text = "".join(p.extract_text() for p in PdfReader(result.review).pages)
    assert "[REDACT: third party] Marigold Thistlewaite" in pdf_text.replace("\n", " ")
    assert "OFFICIAL-SENSITIVE" in pdf_text and SUBJECT["email"] in pdf_text
    # the request is a task due in a month; request and export are audited with counts
    with ws.uow() as session:
        task = session.scalar(select(Task).where(Task.kind == "sar"))
        entries = session.scalars(select(AuditEntry).where(
            AuditEntry.action.in_(["sar.request", "sar.export"])).order_by(AuditEntry.seq)).all()
    assert task.due_on == date(2026, 3, 2) and task.case_id is None
    assert "Zebedee" not in task.title and str(world.subject_id) in task.title
    assert [e.action for e in entries] == ["sar.request", "sar.export"]
    assert all(e.record_id == str(world.subject_id) for e in entries)
    assert NEIGHBOUR["family_name"] not in json.dumps([e.detail for e in entries])


def test_second_export_reuses_the_open_request(db, world, tmp_path):
    ws = db.ws("ig")
    first = sar.open_request(ws, world.subject_id, date(2026, 3, 1))
    again = sar.export(ws, world.subject_id, tmp_path)
    assert again.request == first
    assert again.redacted.name == f"sar-person-{world.subject_id}-20260301-redacted.pdf"


def test_sar_needs_the_capability(db, world, tmp_path):
    # Only the information-governance officer may gather everything held about a person:
    # a case manager would otherwise read other teams' and panels' records, and the
    # administrator reads no case content.
    out = tmp_path / "sar-out"
    out.mkdir()
    for user in ("coord", "cm", "swipchair", "mart", "admin"):
        with pytest.raises(PermissionDenied):
            sar.export(db.ws(user), world.subject_id, out)
    assert list(out.iterdir()) == []


def test_cli_sar(db, world, tmp_path, monkeypatch, capsys):
    from casework.cli.main import main
    from tests.conftest import PASSWORD

    monkeypatch.setenv("CASEWORK_PASSWORD", PASSWORD)
    base = ["--db", str(db.path), "--user", "ig", "sar"]
    assert main([*base, "request", "--person", str(world.subject_id), "--received",
                 "2026-06-15"]) == 0
    assert "due 2026-07-15" in capsys.readouterr().out
    assert main([*base, "export", "--person", str(world.subject_id), "--out",
                 str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "2 case(s)" in out and "due 2026-07-15" in out
    assert (tmp_path / f"sar-person-{world.subject_id}-20260615.json").exists()
