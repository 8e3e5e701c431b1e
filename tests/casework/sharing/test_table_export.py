"""Lists exported as CSV or XLSX go through the sharing pipeline: audited, marked,
neutralised, and identifiable columns only for the roles the protocol gives them to."""

from __future__ import annotations

import csv
import json
from datetime import date

import openpyxl
import pytest
from sqlalchemy import select

from casework.cases.caselist import CaseFilter
from casework.core.errors import PermissionDenied, ValidationError
from casework.sharing import protocol
from casework.sharing.table_export import Column, case_list_rows, export_table
from db.models import AuditEntry
from tests.casework.factories import asb_case

COLS = [Column("reference", "Reference"), Column("case_type", "Type"),
        Column("opened_on", "Opened"), Column("secret_note", "Note")]
ROWS = [("ASB-2026-0001", "ASB", date(2026, 3, 5), "not in any rule"),
        ("=HYPERLINK(\"x\")", "ASB", date(2026, 4, 1), "x")]


def _csv(path):
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def _audit(ws):
    with ws.uow() as s:
        return [(e.action, json.loads(e.detail or "{}")) for e in s.scalars(
            select(AuditEntry).where(AuditEntry.record_type == "table_export")
            .order_by(AuditEntry.seq))]


def test_a_case_manager_exports_the_list_as_csv_audited_and_marked(db, tmp_path):
    ws = db.ws("cm")
    result = export_table(ws, "case_list", COLS, ROWS, tmp_path / "cases.csv",
                          scope="Open cases")
    raw = (tmp_path / "cases.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads the file as UTF-8
    lines = _csv(result.files[0])
    assert lines[0][0].startswith("# OFFICIAL-SENSITIVE | Exported list | sharing protocol v1")
    header = lines.index(["Reference", "Type", "Opened"])
    assert lines[header + 1] == ["ASB-2026-0001", "ASB", "2026-03-05"]
    assert lines[header + 2][0] == "'=HYPERLINK(\"x\")"  # neutralised, never a formula
    assert not any("not in any rule" in c for line in lines for c in line)  # deny by default
    started, done = _audit(db.ws("admin"))  # the audit trail, as its reader sees it
    assert (started[0], done[0]) == ("export.started", "export")
    assert done[1]["rows"] == 2 and done[1]["scope"] == "Open cases"
    assert done[1]["left_out"] == ["Note"]
    assert done[1]["sha256"] == result.sha256


def test_other_roles_get_pseudonyms_instead_of_references_and_no_dates(db, tmp_path):
    ws = db.ws("coord")
    export_table(ws, "case_list", COLS, ROWS, tmp_path / "c.xlsx")
    book = openpyxl.load_workbook(tmp_path / "c.xlsx")
    assert book.sheetnames[0] == "About"
    values = [[c for c in row if c is not None] for row in book.worksheets[1].values]
    assert ["Reference", "Type"] in values
    assert ["Case 1", "ASB"] in values and ["Case 2", "ASB"] in values
    text = json.dumps(values, default=str)
    assert "ASB-2026-0001" not in text and "2026-03-05" not in text
    assert "Opened" in text  # the file says what was left out


def test_a_case_manager_gets_dates_as_dates_in_xlsx(db, tmp_path):
    export_table(db.ws("cm"), "tasks",
                 [Column("due_on", "Due"), Column("case_reference", "Case"),
                  Column("title", "Task")],
                 [(date(2026, 12, 3), "ASB-2026-0007", "Update the complainant")],
                 tmp_path / "t.xlsx")
    rows = list(openpyxl.load_workbook(tmp_path / "t.xlsx").worksheets[1].values)
    assert rows[-1][:3][1:] == ("ASB-2026-0007", "Update the complainant")
    assert rows[-1][0].date() == date(2026, 12, 3)


def test_bad_requests_are_refused_with_their_cause_and_write_nothing(db, tmp_path):
    ws = db.ws("cm")
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    with pytest.raises(ValidationError, match="CSV"):
        export_table(ws, "case_list", COLS, ROWS, tmp_path / "x.pdf")
    with pytest.raises(ValidationError, match="no list"):
        export_table(ws, "everything", COLS, ROWS, tmp_path / "x.csv")
    assert list(tmp_path.iterdir()) == []
    # A protocol version without the output refuses it, naming the output.
    admin = db.ws("admin")
    _v, definition = protocol.definition_of(admin)
    del definition["outputs"]["table_export"]
    protocol.new_version(admin, definition, "No list exports")
    with pytest.raises(ValidationError, match="table_export"):
        export_table(ws, "case_list", COLS, ROWS, tmp_path / "x.csv")
    assert list(tmp_path.iterdir()) == []


def test_a_role_without_the_capability_is_refused(db, tmp_path, monkeypatch):
    from casework.core import permissions

    caps = dict(permissions.CAPABILITIES)
    caps["panel_member"] = caps["panel_member"] - {"export.table"}
    monkeypatch.setattr(permissions, "CAPABILITIES", caps)
    with pytest.raises(PermissionDenied):
        export_table(db.ws("swip"), "case_list", COLS, ROWS, tmp_path / "x.csv")


def test_guardrails_refuse_a_working_list_giving_identifiers_to_every_role(db):
    admin = db.ws("admin")
    _v, definition = protocol.definition_of(admin)
    rules = definition["outputs"]["table_export"]["records"]["case_list"]
    rules["reference"] = "keep"
    with pytest.raises(ValidationError, match="reference identifies"):
        protocol.new_version(admin, definition, "Everyone gets references")
    rules["reference"] = {"rule": "keep", "roles": ["case_manager", "coordinator"]}
    with pytest.raises(ValidationError, match="reference identifies"):
        protocol.new_version(admin, definition, "Coordinators get references")


def test_the_whole_filtered_case_list_is_exported_not_only_loaded_rows(db, tmp_path):
    ws = db.ws("cm")
    first = asb_case(ws, opened_on=date(2026, 1, 5))
    second = asb_case(ws, opened_on=date(2026, 2, 5))
    asb_case(db.ws("cm2"), opened_on=date(2026, 2, 6))  # another team's: not visible
    cols, rows = case_list_rows(ws, CaseFilter(status="open"))
    assert [r[0] for r in rows] == [second.header.reference, first.header.reference]
    export_table(ws, "case_list", cols, rows, tmp_path / "all.csv")
    lines = _csv(tmp_path / "all.csv")
    refs = [line[0] for line in lines if line and line[0].startswith("ASB-")]
    assert refs == [second.header.reference, first.header.reference]
