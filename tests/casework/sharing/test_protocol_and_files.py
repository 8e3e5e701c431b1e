"""The protocol as versioned data; atomic, neutralised, audited files; the commands."""

from __future__ import annotations

import csv
import json
from datetime import date

import openpyxl
import pytest
from sqlalchemy import func, select

from casework.cli.main import main
from casework.core.errors import PermissionDenied, ValidationError
from casework.sharing import protocol, quarterly
from casework.sharing.pipeline import Release
from casework.sharing.render_tabular import Sheet, write_csv, write_xlsx
from casework.sharing.safety import neutralise, pdf_text
from db.models import AuditEntry, SharingProtocol
from tests.casework.sharing.builders import build_all
from tests.casework.sharing.test_police import POLICE

NASTY = ["=HYPERLINK(\"http://x\",\"y\")", "+1+2", "-3", "@SUM(A1)", "\tx", "\rx", "ok", 5]


def test_default_protocol_is_seeded_once_and_versions_are_kept(db):
    ws = db.ws("admin")
    with ws.uow() as s:
        assert protocol.seed_default(s) is False
        assert s.scalar(select(func.count()).select_from(SharingProtocol)) == 1
    version, definition = protocol.definition_of(ws)
    assert version == 1
    definition["outputs"]["quarterly_dataset"]["suppression"]["max"] = 9
    assert protocol.new_version(ws, definition, "Suppress up to 9") == 2
    assert [v.version for v in protocol.versions(ws)] == [1, 2]
    assert protocol.definition_of(ws, 1)[1]["outputs"]["quarterly_dataset"]["suppression"] \
        == {"marker": "[c]"}
    with pytest.raises(PermissionDenied):
        protocol.new_version(db.ws("coord"), definition, "no")
    with pytest.raises(ValidationError):
        protocol.new_version(ws, {"outputs": {}}, "broken")
    bad = json.loads(json.dumps(definition))
    bad["outputs"]["meeting_pack"]["records"]["referral"]["gender"] = {"rule": "shred"}
    with pytest.raises(ValidationError):
        protocol.new_version(ws, bad, "bad rule")


def test_an_output_names_the_version_it_applied(db, tmp_path):
    admin = db.ws("admin")
    _v, definition = protocol.definition_of(admin)
    del definition["outputs"]["quarterly_dataset"]["records"]["case"]["gender"]
    protocol.new_version(admin, definition, "Stop sharing gender")
    res = quarterly.export_quarterly(db.ws("coord"), "2026Q3", tmp_path)
    assert res.protocol_version == 2
    with open(tmp_path / "quarterly-2026Q3-records.csv", encoding="utf-8") as fh:
        first, header = fh.readline(), next(csv.reader(fh))
    assert "sharing protocol v2" in first and "gender" not in header


def test_cells_that_could_run_are_neutralised(tmp_path):
    release = Release("x", "T", 1, "OFFICIAL-SENSITIVE", "R", "P", "B", date(2026, 1, 1), "u",
                      None)
    sheet = Sheet("s", "t", ["=bad", "b", "c", "d", "e", "f", "g", "h"], [NASTY])
    write_csv(tmp_path / "a.csv", release, sheet)
    with open(tmp_path / "a.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[1][0] == "'=bad"
    assert rows[2][:6] == ["'" + str(v) for v in NASTY[:6]] and rows[2][6:] == ["ok", "5"]
    write_xlsx(tmp_path / "a.xlsx", release, [sheet], [])
    ws = openpyxl.load_workbook(tmp_path / "a.xlsx").worksheets[1]
    values = [c.value for c in ws[3]]
    assert values[:6] == ["'" + str(v) for v in NASTY[:6]] and values[6:] == ["ok", 5]
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    assert neutralise(-3) == -3
    assert pdf_text("<img src='x'/> & <a>") == "&lt;img src='x'/&gt; &amp; &lt;a&gt;"


def test_a_failed_render_leaves_no_file_and_no_audit_entry(db, tmp_path, monkeypatch):
    def boom(release, paths):
        paths[0].write_text("half")
        raise RuntimeError("disk full")

    monkeypatch.setattr(quarterly, "render", boom)
    with pytest.raises(RuntimeError):
        quarterly.export_quarterly(db.ws("coord"), "2026Q3", tmp_path / "out")
    assert list((tmp_path / "out").iterdir()) == []
    with db.ws("admin").uow() as s:
        assert s.scalar(select(func.count()).select_from(AuditEntry)
                        .where(AuditEntry.action == "export")) == 0


def test_the_commands(db, tmp_path, monkeypatch, capsys):
    built = build_all(db.system(), 3)  # synthetic rows, written straight into the tables
    db.close()

    def cli(user: str, *argv: str) -> int:
        return main([*db.cli(user).use(monkeypatch), *argv])

    assert cli("coord", "import", "police-uk", str(POLICE)) == 0
    assert "kept 251 anti-social behaviour" in capsys.readouterr().out
    assert cli("coord", "export", "quarterly", "--quarter", "2018Q2",
               "--out", str(tmp_path / "q")) == 0
    assert (tmp_path / "q" / "quarterly-2018Q2.xlsx").exists()
    assert cli("coord", "export", "trigger-return", "--year", "2026",
               "--out", str(tmp_path / "r.pdf")) == 0
    assert cli("swipchair", "export", "pack", "--meeting", str(built.meeting_id),
               "--recipient", "Alex Officer", "--out", str(tmp_path / "p.pdf")) == 0
    assert cli("swipchair", "export", "pack", "--meeting", str(built.meeting_id),
               "--all-attendees", "--out-dir", str(tmp_path / "copies")) == 0
    assert len(list((tmp_path / "copies").iterdir())) == 2
    assert cli("cm", "export", "pack", "--trigger-review",
               str(built.trigger_case_id), "--recipient", "Pat", "--agency", "police",
               "--out", str(tmp_path / "t.pdf")) == 0
    assert cli("coord", "export", "pack", "--meeting", str(built.meeting_id),
               "--recipient", "Alex Officer", "--out", str(tmp_path / "no.pdf")) == 3
    assert not (tmp_path / "no.pdf").exists()
    assert cli("admin", "export", "protocol", "--out",
               str(tmp_path / "isp.json")) == 0
    assert cli("admin", "import", "protocol", str(tmp_path / "isp.json"),
               "--note", "re-issue") == 0
    assert "version 2" in capsys.readouterr().out


def test_the_attendance_list_is_the_chairs_only(db):
    from casework.panels import pack

    built = build_all(db.system(), 3)
    assert len(pack.attendees(db.ws("swipchair"), built.meeting_id)) == 2
    for who in ("cm", "swip", "coord", "martchair", "admin"):
        with pytest.raises(db.refused):  # on a server another panel's meeting is hidden
            pack.attendees(db.ws(who), built.meeting_id)
