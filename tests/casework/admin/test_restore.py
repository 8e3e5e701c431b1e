"""Restore: a checked backup replaces the database and its key slots as one step, the
current database is kept, and a kill midway is finished at the next unlock."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import select

from casework.admin import backups
from casework.cli.main import main
from casework.core import users
from casework.core.context import open_workspace
from db import restore as swap
from db.keyslots import slot_path
from db.models import AuditEntry, Team
from db.store import head_path
from tests.conftest import PASSWORD

pytestmark = pytest.mark.file_only(reason=(
    "backup and restore of the database file and its key slots (a team "
    "server is backed up by its database administrator)"))


def _teams(path: Path) -> set[str]:
    ws = open_workspace(path, "admin", PASSWORD)
    try:
        with ws.uow() as session:
            return set(session.scalars(select(Team.name)))
    finally:
        ws.lock()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def backed_up(db, tmp_path: Path) -> Path:
    """A backup of the test database, then a change made after it (a new team)."""
    folder = tmp_path / "backups"
    folder.mkdir()
    ws = db.ws("admin")
    written = backups.backup(ws, folder / "nightly.db")
    assert written.slots.is_file() and written.head.is_file()
    users.ensure_team(ws, "Team Added After The Backup", "asb")
    return written.path


def test_restore_puts_the_backup_back_and_keeps_the_database_as_it_was(db, backed_up):
    result = backups.restore(db.ws("admin"), backed_up, PASSWORD)
    assert "Team Added After The Backup" not in _teams(db.path)
    assert "ASB Team" in _teams(db.path)
    # the database as it was is kept beside it, with its key slots, and opens
    assert result.kept_as.parent == db.path.parent and slot_path(result.kept_as).is_file()
    assert "Team Added After The Backup" in _teams(result.kept_as)
    assert not swap.journal_path(db.path).exists() and not swap.staging_dir(db.path).exists()
    text = "\n".join(result.lines())
    assert "nightly.db" in text and str(result.kept_as) in text and result.head_checked
    ws = open_workspace(db.path, "admin", PASSWORD)
    try:
        with ws.uow() as session:
            done = session.scalar(select(AuditEntry.detail).where(
                AuditEntry.action == "restore.done"))
        assert done is not None and "nightly.db" in done
        assert backups.last_backup(ws) is not None
    finally:
        ws.lock()


def test_a_damaged_backup_is_refused_before_anything_is_touched(db, backed_up):
    data = bytearray(backed_up.read_bytes())
    data[len(data) - 3000] ^= 0xFF  # a page late in the file
    backed_up.write_bytes(bytes(data))
    before = {p: _digest(p) for p in (db.path, slot_path(db.path))}
    with pytest.raises(backups.RestoreRefused) as exc:
        backups.restore(db.ws("admin"), backed_up, PASSWORD)
    assert "HMAC" in str(exc.value) and "Nothing was changed" in str(exc.value)
    assert {p: _digest(p) for p in before} == before
    assert not swap.staging_dir(db.path).exists()
    assert not list(db.path.parent.glob("*before-restore*"))


def test_a_backup_whose_audit_head_does_not_match_is_refused(db, backed_up):
    head = head_path(backed_up).read_text().strip().split(":")
    head[1] = "0" * 64
    head_path(backed_up).write_text(":".join(head) + "\n")
    with pytest.raises(backups.RestoreRefused, match="audit trail"):
        backups.restore(db.ws("admin"), backed_up, PASSWORD)
    assert "Team Added After The Backup" in _teams(db.path)


def test_a_backup_copied_without_its_key_slots_opens_with_the_current_ones(db, backed_up):
    slot_path(backed_up).unlink()
    result = backups.restore(db.ws("admin"), backed_up, PASSWORD)
    assert result.slots_from_current
    assert "Team Added After The Backup" not in _teams(db.path)


def test_only_the_administrator_restores(db, backed_up):
    from casework.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        backups.restore(db.ws("cm"), backed_up, PASSWORD)


KILL = textwrap.dedent("""
    import os, sys
    from pathlib import Path
    from casework.admin import backups
    from casework.core.context import open_workspace
    from db import restore

    real = os.replace
    def replace(src, dest):
        real(src, dest)
        if Path(dest) == Path(sys.argv[1]):  # the database swapped, its key slots not yet
            os._exit(9)
    os.replace = replace
    ws = open_workspace(Path(sys.argv[1]), "admin", sys.argv[3])
    backups.restore(ws, Path(sys.argv[2]), sys.argv[3])
""")


def test_a_restore_killed_between_the_two_renames_is_finished_at_the_next_unlock(
        db, backed_up):
    db.close()
    proc = subprocess.run([sys.executable, "-c", KILL, str(db.path), str(backed_up),
                           PASSWORD], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": os.getcwd()})
    assert proc.returncode == 9, proc.stderr
    # killed midway: the new database beside the old key slots, the swap decided
    assert swap.journal_path(db.path).exists()
    assert (swap.staging_dir(db.path) / slot_path(db.path).name).exists()
    # the next unlock finishes it: the backup's database with the backup's key slots
    assert "Team Added After The Backup" not in _teams(db.path)
    assert not swap.journal_path(db.path).exists()
    assert not swap.staging_dir(db.path).exists()


def test_cli_restore_says_what_it_did(db, backed_up, monkeypatch, capsys):
    db.close()
    monkeypatch.setenv("CASEWORK_PASSWORD", PASSWORD)
    code = main(["--db", str(db.path), "--user", "admin", "restore", str(backed_up)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "Checked nightly.db" in out and "Kept the database as it was" in out
    assert "Restored nightly.db" in out
    assert "Team Added After The Backup" not in _teams(db.path)


def test_cli_restore_of_a_missing_file_changes_nothing(db, tmp_path, monkeypatch, capsys):
    db.close()
    monkeypatch.setenv("CASEWORK_PASSWORD", PASSWORD)
    code = main(["--db", str(db.path), "--user", "admin", "restore",
                 str(tmp_path / "nope.db")])
    assert code != 0 and "No backup file" in capsys.readouterr().err
    assert not list(tmp_path.glob("*before-restore*"))
    assert not swap.staging_dir(db.path).exists() and "ASB Team" in _teams(db.path)


@pytest.mark.dates
def test_backup_reminder_follows_the_setting(db, tmp_path):
    from datetime import timedelta

    from casework.core import clock, settings

    ws = db.ws("admin")
    due, last, days = backups.backup_overdue(ws)
    assert due and last is None and days == 7
    backups.backup(ws, tmp_path / "b1.db")
    assert not backups.backup_overdue(ws)[0]
    with clock.frozen(clock.today() + timedelta(days=8)):
        assert backups.backup_overdue(ws)[0]
        settings.update(ws, settings.BACKUP_REMINDER_DAYS, 10)
        assert not backups.backup_overdue(ws)[0]
