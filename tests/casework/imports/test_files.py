"""Imports of every case type, from CSV files or one workbook, all or nothing."""

from __future__ import annotations

import io

import openpyxl
import pytest
from sqlalchemy import func, select

from casework.imports import files
from db.models import (
    Case,
    CaseParty,
    MartDetail,
    Referral,
    SanctuaryJob,
    Task,
    TriggerApplication,
    TriggerComplaint,
)


def _book(sheets: dict[str, list[list[str]]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _template_sheets() -> dict[str, list[list[str]]]:
    book = openpyxl.load_workbook(io.BytesIO(files.template_bytes()), read_only=True)
    out = {}
    for sheet in book.worksheets:
        out[sheet.title] = [[c if c is not None else "" for c in row]
                            for row in sheet.iter_rows(values_only=True)]
    return out


def _count(ws, model) -> int:
    with ws.uow() as session:
        return int(session.scalar(select(func.count()).select_from(model)))


def test_the_template_has_a_sheet_per_layout_with_its_header():
    sheets = _template_sheets()
    for name in files.SHEETS:
        assert tuple(sheets[name][0]) == files.columns(name)


def test_trigger_applications_import_with_their_complaints_and_deadlines(db):
    ws = db.ws("cm")
    sheets = _template_sheets()
    content = _book({k: sheets[k] for k in ("trigger", "trigger_complaints")})
    summary = files.import_file(ws, content)
    assert "1 application(s), 1 complaint(s)" in summary.lines[0]
    with ws.uow() as session:
        app = session.scalar(select(TriggerApplication))
        assert app is not None
        assert session.scalar(select(func.count()).select_from(TriggerComplaint)) == 1
        assert session.scalar(select(func.count()).where(
            Task.case_id == app.case_id)) == 3
        assert session.scalar(select(Case.external_reference).where(
            Case.id == app.case_id)) == "CT-OLD-0001"


def test_sanctuary_jobs_import_from_a_semicolon_csv(db):
    ws = db.ws("sanct")
    sheets = _template_sheets()
    rows = sheets["sanctuary"]
    text = "\n".join(";".join(str(c) for c in r) for r in rows) + "\n"
    summary = files.import_file(ws, text.encode("utf-8-sig"), "sanctuary")
    assert "Sanctuary: 1 job(s)" in summary.lines[0]
    with ws.uow() as session:
        job = session.scalar(select(SanctuaryJob))
        assert job is not None and job.victim_chose and job.risk_assessment_done
        assert session.scalar(select(CaseParty.role).where(
            CaseParty.case_id == job.case_id)) == "victim"
        # an imported open job has its next review task, like a referral
        review = session.scalar(select(Task).where(Task.case_id == job.case_id,
                                                   Task.kind == "review"))
        assert review is not None and review.completed_on is None
        assert (review.due_on - job.referred_on).days == 28
        assert session.get(Case, job.case_id).next_review_on == review.due_on


@pytest.mark.parametrize(("user", "kind"), [("swipchair", "swip"), ("martchair", "mart")])
def test_panel_referrals_import(db, user, kind):
    ws = db.ws(user)
    summary = files.import_file(ws, _book({kind: _template_sheets()[kind]}))
    assert f"{kind.upper()}: 1 referral(s)" in summary.lines[0]
    assert _count(ws, Referral) == 1
    if kind == "mart":
        with ws.uow() as session:
            detail = session.scalar(select(MartDetail))
            assert detail is not None and detail.exploitation_type == "labour"


def test_a_bad_sheet_rejects_the_whole_workbook(db):
    ws = db.ws("cm")
    sheets = _template_sheets()
    bad_trigger = [sheets["trigger"][0], [*sheets["trigger"][1]]]
    bad_trigger[1][1] = "Private Name"  # received_on
    content = _book({"asb": sheets["asb"], "asb_incidents": sheets["asb_incidents"],
                     "trigger": bad_trigger})
    with pytest.raises(files.ImportRejected) as exc:
        files.import_file(ws, content)
    text = "\n".join(str(e) for e in exc.value.errors)
    assert "sheet trigger: row 2: received_on" in text and "Private Name" not in text
    assert _count(ws, Case) == 0


def test_an_unknown_sheet_is_named_by_position_and_a_csv_needs_its_type(db):
    ws = db.ws("cm")
    with pytest.raises(files.ImportRejected, match="sheet 1 has a name"):
        files.import_file(ws, _book({"Jane Doe's cases": [["opened_on"]]}))
    with pytest.raises(files.ImportRejected, match="say which case type"):
        files.import_file(ws, b"opened_on,category\n2026-01-01,personal\n")


def test_cli_imports_a_workbook_and_writes_the_template(db, tmp_path, monkeypatch, capsys):
    from casework.cli.main import main
    from tests.conftest import PASSWORD

    db.close()
    monkeypatch.setenv("CASEWORK_PASSWORD", PASSWORD)
    template = tmp_path / "template.xlsx"
    assert main(["import", "template", str(template)]) == 0
    sheets = _template_sheets()
    book = tmp_path / "asb.xlsx"
    book.write_bytes(_book({"asb": sheets["asb"], "asb_incidents": sheets["asb_incidents"]}))
    base = [*db.cli("cm").use(monkeypatch), "import", "file"]
    assert main([*base, str(book)]) == 0
    assert "Imported ASB: 1 case(s) (1 open), 1 incident(s)" in capsys.readouterr().out
    assert main([*base, str(book)]) == 2  # the same again: already imported
    assert "already imported" in capsys.readouterr().err


def _mart_sheet(**cells: str) -> list[list[str]]:
    header = ["referred_on", "referrer_agency", "exploitation_type", "person_given_name",
              "person_family_name", *cells]
    return [header, ["2026-11-02", "police", "labour", "Chris", "Sample", *cells.values()]]


def test_mart_import_takes_the_age_group_from_the_date_of_birth(db):
    ws = db.ws("martchair")
    # born 2010: a child at the time of exploitation, with is_child left blank
    files.import_file(ws, _book({"mart": _mart_sheet(person_dob="2010-04-01",
                                                     exploited_on="2026-09-01")}))
    with ws.uow() as session:
        detail = session.scalar(select(MartDetail))
        assert detail is not None and detail.is_child is True
        assert str(detail.exploited_on) == "2026-09-01"


def test_mart_import_refuses_an_age_group_against_the_date_of_birth_without_a_reason(db):
    ws = db.ws("martchair")
    adult_said_child = _mart_sheet(person_dob="1990-01-01", is_child="yes")
    with pytest.raises(files.ImportRejected) as exc:
        files.import_file(ws, _book({"mart": adult_said_child}))
    text = "\n".join(str(e) for e in exc.value.errors)
    assert "age_override_reason" in text and "1990" not in text
    assert _count(ws, Referral) == 0
    disputed = _mart_sheet(person_dob="1990-01-01", is_child="yes",
                           age_override_reason="Age disputed; assessment pending")
    files.import_file(ws, _book({"mart": disputed}))
    with ws.uow() as session:
        detail = session.scalar(select(MartDetail))
        assert detail is not None and detail.is_child is True
        assert detail.age_override_reason == "Age disputed; assessment pending"
