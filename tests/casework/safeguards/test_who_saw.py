"""Who saw what (service and CLI) and the audit command group."""

from __future__ import annotations

import pytest

from casework.cli.main import main
from casework.core import audit
from casework.core.errors import NotFound, PermissionDenied
from casework.safeguards import who_saw


def view(ws, record_type, record_id, **detail):
    with ws.uow() as session:
        audit.record(ws, session, "view", record_type, record_id, detail=detail or None)


def test_who_saw_a_person_and_their_cases(db, world):
    cm, cm2 = db.ws("cm"), db.ws("cm2")
    view(cm, "person", world.subject_id)
    view(cm2, "case", world.case_ids[0])
    view(cm, "incident", 5, case_id=world.case_ids[1])
    view(cm, "person", world.neighbour_id)  # not about the subject
    report = who_saw.for_person(db.ws("ig"), world.subject_id)
    assert report.users[:1] == ("system",) and {"cm", "cm2"} <= set(report.users)
    vias = {(e.username, e.action, e.via) for e in report.entries}
    assert ("cm", "view", "") in vias
    assert ("cm2", "view", f"case {world.references[0]}") in vias
    assert ("cm", "view", f"case {world.references[1]}") in vias
    assert all(e.record_id != str(world.neighbour_id) or e.record_type != "person"
               for e in report.entries)
    assert [e.seq for e in report.entries] == sorted(e.seq for e in report.entries)
    assert all(e.kind in ("access", "change") for e in report.entries)
    only_person = who_saw.for_person(db.ws("ig"), world.subject_id, include_cases=False)
    assert {e.via for e in only_person.entries} == {""}
    # the question itself is audited, and shows up next time
    again = who_saw.for_person(db.ws("ig"), world.subject_id, include_cases=False)
    assert again.entries[-1].action == "audit.who_saw"


def test_who_saw_a_case_by_reference(db, world):
    view(db.ws("cm"), "case", world.case_ids[0])
    report = who_saw.for_case(db.ws("ig"), world.references[0])
    assert report.reference == world.references[0]
    assert [e.action for e in report.entries] == ["case.create", "view"]
    with pytest.raises(NotFound):
        who_saw.for_case(db.ws("ig"), "ASB-1999-000404")


def test_who_saw_needs_the_capability(db, world):
    with pytest.raises(PermissionDenied):
        who_saw.for_person(db.ws("cm"), world.subject_id)


def run(db, monkeypatch, capsys, *argv, user="admin"):
    code = main([*db.cli(user).use(monkeypatch), *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _a_trail(db, monkeypatch, capsys) -> None:
    """A few entries first: a team server's database starts with none (a file's with its
    users' additions)."""
    for _ in range(2):
        assert run(db, monkeypatch, capsys, "audit", "head")[0] == 0


# What a sign-in appends: its login; on a team server first the session's fresh signing
# key's registration (docs/SERVER.md, "The audit trail on the server").
SIGN_IN_ENTRIES = {"file": 1, "postgresql": 2}


def test_cli_verify_head_and_truncation(db, monkeypatch, capsys):
    _a_trail(db, monkeypatch, capsys)
    code, out, _ = run(db, monkeypatch, capsys, "audit", "head")
    assert code == 0
    head = out.strip()
    seq = int(head.split(":")[0])
    code, out, _ = run(db, monkeypatch, capsys, "audit", "verify", "--head", head)
    assert code == 0
    assert out.startswith(f"OK: {seq + SIGN_IN_ENTRIES[db.backend]} entries, chain intact")
    assert "head " in out
    db.tamper(f"DELETE FROM audit_entries WHERE seq >= {seq - 1}")
    code, out, _ = run(db, monkeypatch, capsys, "audit", "verify", "--head", head)
    assert code == 1 and out.startswith("FAIL:") and "cut off" in out
    code, out, _ = run(db, monkeypatch, capsys, "audit", "verify", "--head", "nonsense")
    assert code == 2


def test_cli_verify_names_the_broken_entry(db, monkeypatch, capsys):
    _a_trail(db, monkeypatch, capsys)
    db.tamper("UPDATE audit_entries SET action = 'tampered' WHERE seq = 3")
    code, out, _ = run(db, monkeypatch, capsys, "audit", "verify")
    assert code == 1 and "entry 3 does not match the chain" in out
    assert "first bad entry: 3" in out


def test_cli_who_saw_and_refusal(db, world, monkeypatch, capsys):
    view(db.ws("cm"), "person", world.subject_id)
    code, out, _ = run(db, monkeypatch, capsys, "audit", "who-saw", "--person",
                       str(world.subject_id), user="ig")
    assert code == 0 and "cm" in out and "view" in out
    code, out, _ = run(db, monkeypatch, capsys, "audit", "who-saw", "--case",
                       world.references[0], user="ig")
    assert code == 0 and "case.create" in out
    code, _, err = run(db, monkeypatch, capsys, "audit", "verify", user="cm")
    assert code == 3 and "refused" in err
    # the administrator reads no case content, so cannot ask who saw it either
    code, _, err = run(db, monkeypatch, capsys, "audit", "who-saw", "--person",
                       str(world.subject_id))
    assert code == 3 and "refused" in err
