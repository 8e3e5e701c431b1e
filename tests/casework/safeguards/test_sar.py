"""Subject access: everything about one person, third parties marked, deadline as a task."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from casework.core import clock
from casework.core.errors import PermissionDenied, ValidationError
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

    base = [*db.cli("ig").use(monkeypatch), "sar"]
    assert main([*base, "request", "--person", str(world.subject_id), "--received",
                 "2026-06-15"]) == 0
    assert "due 2026-07-15" in capsys.readouterr().out
    assert main([*base, "export", "--person", str(world.subject_id), "--out",
                 str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "2 case(s)" in out and "due 2026-07-15" in out
    assert (tmp_path / f"sar-person-{world.subject_id}-20260615.json").exists()


# -- the information-governance officer's request ------------------------------------------

def test_deadline_moves_off_bank_holidays_and_weekends():
    # Bug: a request received on 1 December 2025 fell due on 1 January (a bank holiday).
    assert sar.deadline(date(2025, 12, 1)) == date(2026, 1, 2)
    assert sar.deadline(date(2026, 1, 31)) == date(2026, 3, 2)  # 28 Feb is a Saturday
    assert sar.deadline(date(2026, 7, 15)) == date(2026, 8, 17)  # 15 Aug is a Saturday
    assert sar.deadline(date(2026, 6, 15)) == date(2026, 7, 15)
    assert sar.deadline(date(2026, 6, 15), months=3) == date(2026, 9, 15)


def test_the_deadline_setting_is_used(db, world):
    # Bug: sar.deadline_days was declared but never read.
    from casework.core import settings

    ig = db.ws("ig")
    first = sar.open_request(ig, world.subject_id, date(2025, 12, 1))
    assert first.due_on == date(2026, 1, 2)
    settings.update(db.ws("admin"), settings.SAR_MONTHS, 2)
    other = add_person(ig, given_name="Petra", family_name="Second")
    second = sar.open_request(ig, other, date(2026, 6, 15))
    assert second.due_on == date(2026, 8, 17)  # 15 Aug 2026 is a Saturday
    assert "sar.deadline_days" not in settings.SPECS


def test_the_task_is_the_officers_and_the_export_completes_it(db, world, tmp_path):
    # Bug: the administrator's role could not see the task, and the export left it open.
    from casework.cases.tasks import my_tasks

    ig = db.ws("ig")
    request = sar.open_request(ig, world.subject_id, date(2026, 11, 20))
    board = my_tasks(ig, date(2026, 12, 19))
    open_ids = [t.id for group in (board.overdue, board.due_this_week) for t in group]
    assert request.task_id in open_ids
    result = sar.export(ig, world.subject_id, tmp_path)
    with ig.uow() as session:
        task = session.get(Task, request.task_id)
        assert task.assigned_user_id == ig.actor.user_id
        assert task.completed_on == clock.today()
    assert result.request.task_id == request.task_id
    # a later request is a new task
    again = sar.open_request(ig, world.subject_id, date(2026, 12, 1))
    assert again.task_id != request.task_id


def test_the_officer_finds_the_subject_by_search_audited(db, world):
    # Bug: whoever ran a request could not search people to find the subject.
    ig = db.ws("ig")
    hits = sar.find_subject(ig, "quill zeb")
    assert [h.person_id for h in hits] == [world.subject_id]
    assert hits[0].postcode == "OX4 9ZZ" and hits[0].cases == 2
    assert [h.person_id for h in sar.find_subject(ig, "29/02/1980")] == [world.subject_id]
    assert sar.find_subject(ig, "Nobody") == []
    with ig.uow() as session:
        entries = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "search", AuditEntry.user_id == ig.actor.user_id)).all()
    assert len(entries) == 3
    assert "quill" not in json.dumps([e.detail for e in entries]).lower()
    for user in ("admin", "cm", "coord"):
        with pytest.raises(PermissionDenied):
            sar.find_subject(db.ws(user), "quill")


def test_the_export_reads_plainly_with_no_internal_ids(db, world, tmp_path):
    # Bug: the PDF was a raw table dump (internal ids, "flag disability: False").
    result = sar.export(db.ws("ig"), world.subject_id, tmp_path, date(2026, 11, 2))
    text = " ".join(p.extract_text() for p in PdfReader(result.review).pages)
    text = " ".join(text.split())
    for raw in ("flag disability", "False", "case id", "person id", "merged into",
                "asb_details", "case_parties", "_"):
        assert raw not in text, raw
    assert "Anti-social behaviour case ASB-2015-000001" in text
    assert "Anti-social behaviour case ASB-2025-000002" in text
    assert "Date of birth: 29 February 1980" in text
    assert "Person: You (the person this request is about)" in text
    assert "Role: Witness" in text


def test_the_redacted_copy_blacks_out_third_parties_and_identifiers_in_notes(
        db, world, tmp_path):
    # Bug: values marked for redaction appeared in clear, and a phone number inside a note
    # was not marked.
    ws = db.ws("ig")
    add_case(ws, "ASB-2026-000010", parties={world.subject_id: "victim"},
             opened=date(2026, 10, 1),
             note="Caller rang from 07700 900456 about the fence; also try 01632 960321.")
    result = sar.export(ws, world.subject_id, tmp_path, date(2026, 11, 2))
    review = " ".join(p.extract_text() for p in PdfReader(result.review).pages)
    redacted = " ".join(p.extract_text() for p in PdfReader(result.redacted).pages)
    for secret in ("Marigold", "Thistlewaite", "07700 900456", "01632 960321"):
        assert secret in review, secret
        assert secret not in redacted, secret
    assert "redacted" in redacted and "Copy for disclosure" in redacted
    assert "Review copy" in review
    # the subject's own details stay in the redacted copy
    for own in (SUBJECT["email"], SUBJECT["phone"], "Quenby Mews"):
        assert own in redacted
    doc = json.loads(result.json.read_text())
    note = next(f for c in doc["cases"] if c["reference"] == "ASB-2026-000010"
                for r in c["records"] for f in r["fields"] if "07700" in str(f["value"]))
    marked = [note["value"][a:b] for a, b in note["redact_spans"]]
    assert marked == ["07700 900456", "01632 960321"]


def test_the_disclosure_log_records_what_went_to_whom_and_when(db, world, tmp_path):
    # Bug: there was no record of disclosure.
    ig = db.ws("ig")
    result = sar.export(ig, world.subject_id, tmp_path, date(2026, 11, 2))
    with pytest.raises(ValidationError) as exc:
        sar.record_disclosure(ig, world.subject_id, " ", date(2026, 12, 1), "post", "x")
    assert exc.value.field == "recipient"
    with pytest.raises(ValidationError) as exc:
        sar.record_disclosure(ig, world.subject_id, "The data subject",
                              clock.today() + timedelta(days=1), "post", "Redacted copy")
    assert exc.value.field == "disclosed_on"
    entry = sar.record_disclosure(ig, world.subject_id, "The data subject (by post)",
                                  date(2026, 12, 1), "post",
                                  "Redacted copy of the information held, 2 cases",
                                  [result.redacted])
    assert entry.files == (result.redacted.name,) and entry.recorded_by == "Ig"
    log = sar.list_disclosures(ig)
    assert [(d.person_id, d.recipient, d.disclosed_on) for d in log] == [
        (world.subject_id, "The data subject (by post)", date(2026, 12, 1))]
    assert sar.list_disclosures(ig, person_id=world.neighbour_id) == []
    with ig.uow() as session:
        logged = session.scalar(select(AuditEntry).where(
            AuditEntry.action == "sar.disclosure"))
    assert logged.record_id == str(world.subject_id) and "by post" not in logged.detail
    for user in ("admin", "cm"):
        with pytest.raises(PermissionDenied):
            sar.list_disclosures(db.ws(user))


def _exports(ws) -> list[tuple[str, str, dict]]:
    with ws.uow() as session:
        rows = session.scalars(select(AuditEntry).where(
            AuditEntry.action.in_(["export.started", "export"])).order_by(AuditEntry.seq))
        return [(e.action, e.record_type, json.loads(e.detail or "{}")) for e in rows]


def test_export_is_audited_as_the_subject_access_output_with_digests(db, world, tmp_path):
    import hashlib

    ws = db.ws("ig")
    out = tmp_path / "sar-out"
    out.mkdir()
    result = sar.export(ws, world.subject_id, out, date(2026, 11, 2))
    entries = _exports(ws)
    assert [(a, t) for a, t, _d in entries] == [("export.started", "subject_access"),
                                                ("export", "subject_access")]
    detail = entries[1][2]
    assert detail["sha256"] == {f.name: hashlib.sha256(f.read_bytes()).hexdigest()
                                for f in result.files}
    assert detail["recipient"] == "The data subject" and detail["cases"] == result.cases
    assert "protocol_entry" not in detail  # the stored version defines the output
    # the three files and nothing else (no staging left behind)
    assert sorted(p.name for p in out.iterdir()) == sorted(f.name for f in result.files)


def test_a_stored_protocol_without_the_output_still_answers_the_request(db, world, tmp_path):
    # A database created before subject_access was added stores version 1 without it:
    # the legal duty is met with the built-in entry, and the audit says so.
    from db.models import SharingProtocol

    ws = db.ws("ig")
    with ws.uow() as session:
        row = session.scalar(select(SharingProtocol).where(SharingProtocol.version == 1))
        definition = json.loads(row.definition)
        definition["outputs"].pop("subject_access", None)
        row.definition = json.dumps(definition)
    result = sar.export(ws, world.subject_id, tmp_path, date(2026, 11, 2))
    assert result.redacted.exists()
    assert _exports(ws)[-1][2]["protocol_entry"] == "built-in"


def test_the_pipeline_refuses_the_output_to_other_roles(db, world, tmp_path):
    from casework.sharing import pipeline
    from casework.sharing.protocol import current

    with db.ws("ig").uow() as session:
        assert current(session).output("subject_access").roles == ("information_governance",)

    def build(*_a):
        raise AssertionError("nothing is gathered for a refused role")

    out = tmp_path / "sar-out"
    out.mkdir()
    for user in ("cm", "coord", "admin"):
        with pytest.raises(PermissionDenied):
            pipeline.produce(db.ws(user), "subject_access", [out / "x.json"], build,
                             lambda *_a: None)
    assert list(out.iterdir()) == [] and _exports(db.ws("ig")) == []
