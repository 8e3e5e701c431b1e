"""The one unlock path: a growing delay after failed unlocks, counted under a file lock,
which deleting or damaging the counter file does not reset; failures reach the audit trail
at the next unlock by anyone; unknown names cost as much as wrong passwords."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from casework.core import lockout
from casework.core.context import open_workspace
from db import errors, keyslots
from db.keyslots import slot_path
from db.models import AuditEntry
from tests.conftest import PASSWORD

pytestmark = pytest.mark.file_only(reason=(
    "the unlock-failure counter kept beside the database file (on a team "
    "server PostgreSQL authenticates)"))


def digests(*paths):
    return [hashlib.sha256(p.read_bytes()).hexdigest() for p in paths]


@pytest.fixture
def fake_time(monkeypatch):
    now = [1_000_000.0]
    monkeypatch.setattr(lockout.clock, "timestamp", lambda: now[0])
    return now


def entries(db, user="admin", n=None):
    ws = open_workspace(db.path, user, PASSWORD)
    try:
        with ws.uow() as session:
            rows = session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()
            return [(e.action, e.record_id, json.loads(e.detail) if e.detail else None)
                    for e in rows]
    finally:
        ws.lock()


def test_delay_grows_and_is_capped():
    assert [lockout.delay_for(n) for n in range(9)] == [0, 0, 1, 2, 4, 8, 16, 30, 30]
    assert lockout.delay_for(10_000) == 30


def test_failures_delay_then_success_is_audited_and_resets(db, fake_time):
    path = db.path
    before = digests(path, slot_path(path))
    for _ in range(3):
        fake_time[0] += 10
        with pytest.raises(errors.WrongPassword):
            open_workspace(path, "cm", "not the password")
    # a wrong password leaves the database and its key slots byte-for-byte unchanged
    assert digests(path, slot_path(path)) == before
    assert lockout.failures(path, "cm") == 3
    text = lockout.lockout_path(path).read_text()
    assert "not the password" not in text and '"cm"' not in text  # names are kept hashed
    # 4th try straight after the 3rd failure: refused before the password is even tried,
    # and counted (hammering never shortens the wait)
    fake_time[0] += 0.5
    assert lockout.check_delay(path, "cm") == pytest.approx(1.5)
    with pytest.raises(lockout.UnlockDelayed) as info:
        open_workspace(path, "cm", PASSWORD)
    assert "wait 2 s" in str(info.value) and info.value.seconds == pytest.approx(1.5)
    assert lockout.failures(path, "cm") == 4
    assert lockout.check_delay(path, "cm") == pytest.approx(3.5)  # 4 s after the last try
    fake_time[0] += 4
    ws = open_workspace(path, "cm", PASSWORD)
    with ws.uow() as session:
        last = session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(2)).all()
    ws.lock()
    assert [e.action for e in reversed(last)] == ["unlock.failed", "login"]
    assert json.loads(last[1].detail) == {"count": 4} and last[1].record_id == "cm"
    assert lockout.failures(path, "cm") == 0 and lockout.check_delay(path, "cm") == 0


def test_other_users_are_not_delayed(db):
    for _ in range(2):
        with pytest.raises(errors.WrongPassword):
            open_workspace(db.path, "cm", "nope")
    with pytest.raises(lockout.UnlockDelayed):
        open_workspace(db.path, "cm", "nope")
    open_workspace(db.path, "cm2", PASSWORD).lock()


def test_an_unknown_name_costs_a_derivation_is_counted_and_reads_the_same(db, monkeypatch):
    calls = []
    real = keyslots.derive_kek

    def counting(secret, salt, kdf):
        calls.append(dict(kdf))
        return real(secret, salt, kdf)

    monkeypatch.setattr(keyslots, "derive_kek", counting)
    monkeypatch.setattr(lockout, "derive_kek", counting)
    user_kdf = keyslots.KeySlotFile.load(db.path).find("cm").kdf
    with pytest.raises(errors.WrongPassword) as wrong:
        open_workspace(db.path, "cm", "not the password")
    assert calls == [user_kdf]
    with pytest.raises(errors.UnknownUser) as unknown:
        open_workspace(db.path, "ghost", "not the password")
    # the same Argon2id work as a wrong password, and the same answer
    assert calls == [user_kdf, user_kdf]
    assert str(unknown.value) == str(wrong.value)
    assert lockout.failures(db.path, "ghost") == 1
    with pytest.raises(errors.UnknownUser):
        open_workspace(db.path, "ghost", "again")
    with pytest.raises(lockout.UnlockDelayed):  # delayed exactly like a real user name
        open_workspace(db.path, "ghost", "and again")
    assert "ghost" not in lockout.lockout_path(db.path).read_text()


@pytest.mark.parametrize("damage", ["delete", "corrupt", "empty"])
def test_deleting_or_damaging_the_counter_file_does_not_reset_the_delay(db, fake_time, damage):
    counter = lockout.lockout_path(db.path)
    for _ in range(6):
        fake_time[0] += 100
        with pytest.raises(errors.WrongPassword):
            open_workspace(db.path, "cm", "guess")
    assert lockout.check_delay(db.path, "cm") > 0
    if damage == "delete":
        counter.unlink()
    elif damage == "corrupt":
        counter.write_text("{not json")
    else:
        counter.write_bytes(b"")
    # the next try, even with the right password, waits the full delay
    with pytest.raises(lockout.UnlockDelayed) as info:
        open_workspace(db.path, "cm", PASSWORD)
    assert info.value.seconds == pytest.approx(lockout.MAX_DELAY_SECONDS)
    with pytest.raises(lockout.UnlockDelayed):  # and another user too: the history is unknown
        open_workspace(db.path, "cm2", PASSWORD)
    fake_time[0] += lockout.MAX_DELAY_SECONDS + 1
    with pytest.raises(errors.WrongPassword):
        open_workspace(db.path, "cm", "guess")
    with pytest.raises(lockout.UnlockDelayed):  # still one try per 30 s
        open_workspace(db.path, "cm", "guess")
    fake_time[0] += lockout.MAX_DELAY_SECONDS + 1
    open_workspace(db.path, "cm", PASSWORD).lock()
    # a success ends the unknown history, and it is in the audit trail
    assert lockout.check_delay(db.path, "cm2") == 0
    actions = [a for a, _r, _d in entries(db)]
    assert "unlock.counter_reset" in actions


def test_a_failure_is_audited_at_the_next_unlock_by_anyone(db):
    for _ in range(2):
        with pytest.raises(errors.WrongPassword):
            open_workspace(db.path, "cm", "nope")
    with pytest.raises(errors.UnknownUser):
        open_workspace(db.path, "nobody-here", "nope")
    log = entries(db, "coord")
    failed = [(r, d) for a, r, d in log if a == "unlock.failed"]
    assert sorted(failed) == sorted([("cm", {"count": 2}), (lockout.UNKNOWN_NAME, {"count": 1})])
    # audited once, however many others sign in; cm's own delay still stands
    log = entries(db, "cm2")
    assert len([a for a, _r, _d in log if a == "unlock.failed"]) == 2
    assert lockout.failures(db.path, "cm") == 2


def test_the_cli_refuses_with_one_line_while_delayed(db, monkeypatch, capsys):
    from casework.cli.main import main

    monkeypatch.setenv("CASEWORK_PASSWORD", "wrong")
    # exit 4: the database could not be opened; exit 3: refused (the delay)
    assert main(["--db", str(db.path), "--user", "cm", "audit", "head"]) == 4
    assert main(["--db", str(db.path), "--user", "cm", "audit", "head"]) == 4
    assert main(["--db", str(db.path), "--user", "cm", "audit", "head"]) == 3
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("casework-cli: refused: Too many failed unlock attempts: wait")


def test_check_goes_through_the_same_delay_and_count(db, monkeypatch, capsys):
    from casework.cli.main import main

    monkeypatch.setenv("CASEWORK_PASSWORD", "wrong")
    for _ in range(2):
        assert main(["--db", str(db.path), "--user", "cm", "check"]) == 4
    assert lockout.failures(db.path, "cm") == 2
    monkeypatch.setenv("CASEWORK_PASSWORD", PASSWORD)
    assert main(["--db", str(db.path), "--user", "cm", "check"]) == 3  # delayed, not opened
    assert "Too many failed unlock attempts" in capsys.readouterr().err


def test_a_sound_check_settles_the_count_and_audits_the_failures(db, monkeypatch, capsys):
    from casework.cli.main import main

    with pytest.raises(errors.WrongPassword):
        open_workspace(db.path, "cm", "nope")
    monkeypatch.setenv("CASEWORK_PASSWORD", PASSWORD)
    assert main(["--db", str(db.path), "--user", "cm", "check"]) == 0
    assert lockout.failures(db.path, "cm") == 0
    assert ("unlock.failed", "cm", {"count": 1}) in entries(db)


def test_the_recovery_key_route_is_counted_and_delayed(db):
    from casework.core import users
    from casework.core.errors import ValidationError

    for _ in range(2):
        with pytest.raises(ValidationError):
            users.recover_password(db.path, "AAAAAA-BBBBBB", "cm", "a new long passphrase")
    with pytest.raises(lockout.UnlockDelayed):
        users.recover_password(db.path, "AAAAAA-BBBBBB", "cm", "a new long passphrase")


def test_eight_parallel_wrong_attempts_count_eight(db):
    """Real processes race for the counter: the file lock serialises them."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASEWORK_")}
    env["CASEWORK_PASSWORD"] = "wrong password"
    script = ("import sys; from casework.cli.main import main; "
              "sys.exit(main(['--db', sys.argv[1], '--user', 'cm', 'audit', 'head']))")
    procs = [subprocess.Popen([sys.executable, "-c", script, str(db.path)], env=env,
                              cwd=Path(__file__).parents[3], stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True) for _ in range(8)]
    codes = [p.wait(timeout=300) for p in procs]
    for p in procs:
        assert p.stderr is not None
        assert "Traceback" not in p.stderr.read()
        p.stderr.close()
    assert 4 in codes and set(codes) <= {3, 4}  # wrong password, or refused by the delay
    assert lockout.failures(db.path, "cm") == 8


def test_a_missing_database_leaves_no_counter_file(tmp_path):
    with pytest.raises(errors.DatabaseMissing):
        open_workspace(tmp_path / "none.db", "cm", PASSWORD)
    assert list(tmp_path.iterdir()) == []
