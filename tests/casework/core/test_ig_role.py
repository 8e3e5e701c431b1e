"""The information-governance role: subject access, retention and who-saw are its, not
the administrator's; the administrator keeps users, settings and backups."""

from __future__ import annotations

from casework.cli.main import main
from casework.core.context import open_workspace
from casework.core.permissions import CAPABILITIES, case_types_for
from tests.conftest import PASSWORD

IG_WORK = ("sar.export", "sar.disclosures", "admin.retention", "audit.who_saw")


def test_ig_holds_subject_access_retention_and_who_saw_and_the_administrator_does_not():
    # Bug: the administrator ran subject access, which opens every case's content.
    for cap in IG_WORK:
        assert cap in CAPABILITIES["information_governance"]
        assert cap not in CAPABILITIES["administrator"]
    for cap in ("admin.users", "admin.settings", "admin.backup", "admin.protocol"):
        assert cap in CAPABILITIES["administrator"]
        assert cap not in CAPABILITIES["information_governance"]
    for cap in ("case.read", "people.read", "case.write"):
        assert cap not in CAPABILITIES["information_governance"]


def test_cli_user_add_an_information_governance_officer(db, monkeypatch, capsys):
    monkeypatch.setenv("CASEWORK_PASSWORD", PASSWORD)
    monkeypatch.setenv("CASEWORK_NEW_PASSWORD", "a long enough password 2026")
    db.close()
    code = main(["--db", str(db.path), "--user", "admin", "user", "add", "dpo",
                 "--role", "information_governance", "--display-name", "Data Officer"])
    assert code == 0, capsys.readouterr().err
    assert "information_governance" in capsys.readouterr().out
    ws = open_workspace(db.path, "dpo", "a long enough password 2026")
    try:
        assert ws.actor.role == "information_governance"
        assert case_types_for(ws.actor) == frozenset()
    finally:
        ws.lock()
    assert main(["--db", str(db.path), "--user", "admin", "user", "list"]) == 0
    assert "information_governance" in capsys.readouterr().out
