"""Each class of failure has its own exit code and words, and loses nothing.

A user acts on what the command line says: "busy" means wait and retry, "disk full"
means free space and retry, "damaged" means run check and restore a backup, an internal
error is a fault to report. A lock, a full disk or a constraint violation must never be
called damage (following that advice loses the work done since the backup).
"""

from __future__ import annotations

import errno
import os
import re
from pathlib import Path

import pytest
import sqlcipher3
from sqlalchemy import Engine, event, func, select

from casework.cli import main as cli
from casework.cli.main import main
from casework.core import resources
from db.keyslots import slot_path
from db.models import AuditEntry, Team
from tests.casework.cli.clirun import assert_clean_failure, run_cli
from tests.conftest import PASSWORD

pytestmark = pytest.mark.file_only(reason=(
    "failure classes of a database file: its write lock, rekey, a full "
    "disk, damaged SQLCipher pages"))

ROOT = Path(__file__).resolve().parents[3]


def teams(db) -> set[str]:
    with db.ws("admin").uow() as session:
        return set(session.scalars(select(Team.name)))


def audit_actions(db, action: str) -> int:
    with db.ws("admin").uow() as session:
        return session.scalar(select(func.count()).select_from(AuditEntry)
                              .where(AuditEntry.action == action)) or 0


def run(monkeypatch, capsys, db, *argv: str, user: str = "admin") -> tuple[int, str]:
    """casework-cli in this process; returns the exit code and the one stderr line."""
    monkeypatch.setenv("CASEWORK_PASSWORD", PASSWORD)
    code = main(["--db", str(db.path), "--user", user, *argv])
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert "Traceback" not in err[0] and PASSWORD not in err[0]
    return code, err[0]


# -- busy: another process holds the write lock ----------------------------------------

def test_a_write_while_another_process_writes_is_busy_and_loses_nothing(db):
    holder = db.ws("admin").store.raw_connection()
    holder.execute("BEGIN IMMEDIATE")  # e.g. a long import in another process
    holder.execute("INSERT INTO teams (name, kind) VALUES ('Held Team', 'asb')")
    db.close()
    try:
        result = run_cli("--wait", "0.2", "--db", str(db.path), "--user", "admin",
                         "team", "New Team")
        line = assert_clean_failure(result, PASSWORD)
        assert result.returncode == 6
        assert line.startswith("casework-cli: busy: ")
        assert "wait" in line and "retry" in line and "Nothing was changed" in line
        assert "damaged" not in line and "restore" not in line
    finally:
        holder.execute("COMMIT")  # the other process finishes its work
        holder.close()
    retry = run_cli("--db", str(db.path), "--user", "admin", "team", "New Team")
    assert retry.returncode == 0, retry.stderr
    assert {"Held Team", "New Team"} <= teams(db)


def test_rekey_with_another_session_open_is_busy_and_keeps_the_key(db):
    other = db.ws("cm")  # the desktop, say, signed in and idle
    with other.uow() as session:
        session.execute(select(1))
    keys_before = slot_path(db.path).read_text(encoding="utf-8")
    result = run_cli("--wait", "0.2", "--db", str(db.path), "--user", "admin", "rekey")
    line = assert_clean_failure(result, PASSWORD)
    assert result.returncode == 6
    assert "close the other sessions" in line and "retry" in line
    # the pending key was dropped: the slot file is as it was, every password still opens
    assert slot_path(db.path).read_text(encoding="utf-8") == keys_before
    db.close()
    assert run_cli("--db", str(db.path), "--user", "admin", "rekey").returncode == 0
    assert run_cli("--db", str(db.path), "--user", "cm", "report", "kpis",
                   "--period", "2026Q3").returncode == 0


# -- disk full -------------------------------------------------------------------------

def test_a_full_disk_at_the_write_is_disk_full_and_changes_nothing(db, monkeypatch, capsys):
    def full(_conn, _cursor, statement, *_rest):
        if statement.lstrip().upper().startswith("INSERT INTO TEAMS"):
            raise sqlcipher3.OperationalError("database or disk is full")

    added = audit_actions(db, "team.add")
    event.listen(Engine, "before_cursor_execute", full)
    try:
        code, line = run(monkeypatch, capsys, db, "team", "Full Team")
    finally:
        event.remove(Engine, "before_cursor_execute", full)
    assert code == 7
    assert line.startswith("casework-cli: disk full: ")
    assert "free some space and retry" in line and "Nothing was changed" in line
    assert "Full Team" not in teams(db)
    assert audit_actions(db, "team.add") == added


def test_no_space_for_a_backup_is_disk_full_and_leaves_no_file(db, tmp_path, monkeypatch,
                                                               capsys):
    out = tmp_path / "usb"
    out.mkdir()

    def enospc(_fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("db.store.os.fsync", enospc)
    code, line = run(monkeypatch, capsys, db, "backup", str(out / "copy.db"))
    assert code == 7
    assert line.startswith("casework-cli: disk full: ")
    assert list(out.iterdir()) == []  # no copy, no key slots, no temporary file
    assert audit_actions(db, "backup") == 0


# -- internal error: a constraint violated -------------------------------------------

def test_a_constraint_violation_is_an_internal_fault_not_damage(db, monkeypatch, capsys):
    conn = db.ws("admin").store.raw_connection()
    conn.execute("CREATE TRIGGER refuse_team BEFORE INSERT ON teams "
                 "BEGIN SELECT RAISE(ABORT, 'refused'); END")
    conn.close()
    added = audit_actions(db, "team.add")
    code, line = run(monkeypatch, capsys, db, "team", "Faulty Team")
    assert code == 70
    assert line.startswith("casework-cli: internal error: ")
    assert "Nothing was changed" in line and "rolled back" in line and "report" in line
    assert "damaged" not in line and "restore" not in line and "refused" not in line
    assert "Faulty Team" not in teams(db)
    assert audit_actions(db, "team.add") == added


def test_an_unexpected_exception_is_an_internal_fault(db, monkeypatch, capsys):
    def boom(*_a, **_k):
        raise KeyError("a programming fault")

    monkeypatch.setattr("casework.core.users.ensure_team", boom)
    code, line = run(monkeypatch, capsys, db, "team", "Any Team")
    assert code == 70
    assert "internal error (KeyError)" in line and "please report it" in line


# -- damaged ----------------------------------------------------------------------------

def _flip_page_of(db, table: str) -> None:
    conn = db.ws("admin").store.raw_connection()
    page = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?",
                        (table,)).fetchone()[0]
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    db.close()
    data = bytearray(db.path.read_bytes())
    data[(page - 1) * 4096 + 300] ^= 0x20
    db.path.write_bytes(bytes(data))


def test_a_page_failing_its_hmac_while_in_use_is_damaged(db):
    _flip_page_of(db, "audit_entries")  # opening works; signing in reads the chain
    result = run_cli("--db", str(db.path), "--user", "admin", "audit", "verify")
    line = assert_clean_failure(result, PASSWORD)
    assert result.returncode == 5
    assert line.startswith("casework-cli: damaged: ")
    assert "casework-cli check" in line and "restore" in line
    checked = run_cli("--db", str(db.path), "--user", "admin", "check")
    assert checked.returncode == 1
    assert "FAIL" in checked.stdout and "HMAC" in checked.stdout


# -- installation incomplete -----------------------------------------------------------

def test_a_missing_packaged_file_is_installation_incomplete(db, monkeypatch, capsys):
    monkeypatch.setattr(resources, "REQUIRED", (*resources.REQUIRED, "letters/absent.txt"))
    code, line = run(monkeypatch, capsys, db, "user", "list")
    assert code == 8
    assert line.startswith("casework-cli: installation incomplete: ")
    assert "letters/absent.txt" in line and "Reinstall" in line
    assert audit_actions(db, "login") == 1  # the check came first: the CLI never signed in


# -- the codes are documented ------------------------------------------------------------

def test_every_exit_code_is_in_the_help_and_the_readme(capsys):
    named = [v for k, v in vars(cli).items() if k.startswith("EXIT_") and isinstance(v, int)]
    codes = set(named)
    assert len(codes) == len(named)  # one meaning per code
    assert {0, 1, 2, 3, 4, 5, 6, 7, 8, 70} <= codes
    with pytest.raises(SystemExit):
        main(["--help"])
    helptext = capsys.readouterr().out
    listed = {int(n) for n in re.findall(r"^  (\d+) ", helptext, flags=re.MULTILINE)}
    assert listed == codes
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Exit codes", 1)[1].split("\n#", 1)[0]
    assert {int(n) for n in re.findall(r"^\| (\d+) \|", section, flags=re.MULTILINE)} == codes
