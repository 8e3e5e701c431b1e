"""Growing delay after failed unlocks; the count reaches the audit trail at next login."""

from __future__ import annotations

import hashlib
import json

import pytest
from sqlalchemy import select

from casework.core import lockout
from casework.core.context import open_workspace
from db import errors
from db.keyslots import slot_path
from db.models import AuditEntry
from tests.conftest import PASSWORD


def digests(*paths):
    return [hashlib.sha256(p.read_bytes()).hexdigest() for p in paths]


def test_delay_grows_and_is_capped():
    assert [lockout.delay_for(n) for n in range(9)] == [0, 0, 1, 2, 4, 8, 16, 30, 30]
    assert lockout.delay_for(10_000) == 30


def test_failures_delay_then_success_is_audited_and_resets(db, monkeypatch):
    path = db.path
    before = digests(path, slot_path(path))
    clock = [1_000_000.0]
    monkeypatch.setattr(lockout.clock, "timestamp", lambda: clock[0])  # the one clock
    for _ in range(3):
        clock[0] += 10
        with pytest.raises(errors.WrongPassword):
            open_workspace(path, "cm", "not the password")
    # a wrong password leaves the database and its key slots byte-for-byte unchanged
    assert digests(path, slot_path(path)) == before
    assert lockout.failures(path, "cm") == 3
    doc = json.loads(lockout.lockout_path(path).read_text())
    assert set(doc) == {"cm"} and "not the password" not in lockout.lockout_path(path).read_text()
    # 4th try straight after the 3rd failure: refused before the password is even tried
    clock[0] += 0.5
    assert lockout.check_delay(path, "cm") == pytest.approx(1.5)
    with pytest.raises(lockout.UnlockDelayed) as info:
        open_workspace(path, "cm", PASSWORD)
    assert "wait 2 s" in str(info.value) and info.value.seconds == pytest.approx(1.5)
    assert lockout.failures(path, "cm") == 3  # a refused try is not another failure
    clock[0] += 2
    ws = open_workspace(path, "cm", PASSWORD)
    with ws.uow() as session:
        last = session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(2)).all()
    ws.lock()
    assert [e.action for e in reversed(last)] == ["unlock.failed", "login"]
    assert json.loads(last[1].detail) == {"count": 3} and last[1].record_id == "cm"
    assert lockout.failures(path, "cm") == 0 and lockout.check_delay(path, "cm") == 0


def test_other_users_are_not_delayed_and_unknown_users_not_counted(db):
    for _ in range(2):
        with pytest.raises(errors.WrongPassword):
            open_workspace(db.path, "cm", "nope")
    with pytest.raises(lockout.UnlockDelayed):
        open_workspace(db.path, "cm", "nope")
    with pytest.raises(errors.UnknownUser):
        open_workspace(db.path, "ghost", "nope")
    assert lockout.check_delay(db.path, "cm") > 0
    assert lockout.failures(db.path, "ghost") == 0
    open_workspace(db.path, "cm2", PASSWORD).lock()


def test_damaged_counter_file_does_not_lock_anyone_out(db):
    lockout.lockout_path(db.path).write_text("{not json")
    assert lockout.check_delay(db.path, "cm") == 0
    open_workspace(db.path, "cm", PASSWORD).lock()


def test_cli_refuses_with_one_line_while_delayed(db, monkeypatch, capsys):
    from casework.cli.main import main

    monkeypatch.setenv("CASEWORK_PASSWORD", "wrong")
    assert main(["--db", str(db.path), "--user", "cm", "audit", "head"]) == 4
    assert main(["--db", str(db.path), "--user", "cm", "audit", "head"]) == 4
    assert main(["--db", str(db.path), "--user", "cm", "audit", "head"]) == 3
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("casework-cli: refused: Too many failed unlock attempts: wait")
