"""The information-governance role: subject access, retention and who-saw are its, not
the administrator's; the administrator keeps users, settings and backups."""

from __future__ import annotations

from casework.cli.main import main
from casework.core.permissions import CAPABILITIES, case_types_for

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
    monkeypatch.setenv("CASEWORK_NEW_PASSWORD", "a long enough password 2026")
    db.close()
    if db.backend == "postgresql":
        # On a team server a user comes with their login role, made by the server's
        # administrator (docs/SERVER.md): `user add` says so, `server user add` does it.
        code = main([*db.cli("admin").use(monkeypatch), "user", "add", "dpo", "--role",
                     "information_governance"])
        assert code == 4 and "server's administrator" in capsys.readouterr().err
        add = ["server", "user", "add", db.login("dpo"), *db.server_options()]
    else:
        add = [*db.cli("admin").use(monkeypatch), "user", "add", "dpo"]
    code = main([*add, "--role", "information_governance", "--display-name", "Data Officer"])
    assert code == 0, capsys.readouterr().err
    assert "information_governance" in capsys.readouterr().out
    ws = db.sign_in("dpo", "a long enough password 2026")
    try:
        assert ws.actor.role == "information_governance"
        assert case_types_for(ws.actor) == frozenset()
    finally:
        ws.lock()
    assert main([*db.cli("admin").use(monkeypatch), "user", "list"]) == 0
    assert "information_governance" in capsys.readouterr().out
