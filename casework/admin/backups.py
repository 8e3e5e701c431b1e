"""Backups and restore: the administrator's copy of the database, and putting one back.

``backup`` writes the database (SQLite's online backup, encrypted with the same key), its
key-slot file ``<file>.keys`` and the signed audit head ``<file>.head``. ``restore`` is
its inverse:

1. The backup is checked before anything is touched: it is copied into a staging folder
   beside the database and unlocked there with the administrator's password (the page
   HMACs and SQLite's integrity, foreign-key and schema checks, then the audit chain
   verified up to the head written with it). A backup that fails any of them is refused
   and nothing changes.
2. The current database is kept as a backup of its own (``<name>-before-restore-<when>``
   beside it, with its key slots and head), after an audit entry that says it is being
   replaced.
3. The checked copy and its key slots replace the database and its key slots as one
   step (``db.restore``: a journal, then renames; a kill midway is finished at the next
   unlock).
4. The restored database gets an audit entry naming the backup and the kept copy.

A backup whose key-slot file is missing is still restored when the current key slots
open it (a copy made before the last rekey cannot be, and the message says so).
"""

from __future__ import annotations

import contextlib
import shutil
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from casework.core import audit, clock, lockout, settings
from casework.core.audit_chain import verify_connection
from casework.core.context import Workspace, open_workspace
from casework.core.errors import ValidationError
from casework.core.permissions import require
from db import restore as swap
from db.errors import StoreError
from db.keyslots import slot_path
from db.models import AuditEntry
from db.store import Store, head_path

BACKUP_ACTIONS = ("backup", "restore.done")


class RestoreRefused(ValidationError):
    """The backup failed a check; ``problems`` says which. Nothing was changed."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("The backup was not restored: " + " ".join(problems)
                         + " Nothing was changed.")
        self.problems = problems


@dataclass(frozen=True)
class BackupWritten:
    path: Path
    slots: Path
    head: Path


@dataclass(frozen=True)
class RestoreResult:
    restored_from: Path
    kept_as: Path
    audit_entries: int
    head_checked: bool
    slots_from_current: bool

    def lines(self) -> list[str]:
        """What was done, for the user."""
        head = ("verified up to the signed head written with it" if self.head_checked
                else "verified (no signed head was written with it)")
        out = [f"Checked {self.restored_from.name}: page HMACs, integrity and schema sound; "
               f"its audit trail of {self.audit_entries} entries {head}.",
               f"Kept the database as it was as {self.kept_as} (with its key slots).",
               f"Restored {self.restored_from.name} and its key slots in place of the "
               "database."]
        if self.slots_from_current:
            out.append("The backup had no key-slot file beside it; the current key slots "
                       "open it and were used.")
        return out


def backup(ws: Workspace, dest: Path) -> BackupWritten:
    """Write a backup to ``dest`` (with ``.keys`` and ``.head`` beside it); audited."""
    require(ws.actor, "admin.backup")
    dest = Path(dest).expanduser()
    if dest.is_dir():
        raise ValidationError("Give the backup a file name, not a folder.", field="file")
    if dest.exists() or slot_path(dest).exists():
        raise ValidationError("A file of that name already exists; choose another name.",
                              field="file")
    if not dest.parent.is_dir():
        raise ValidationError("The folder for the backup does not exist.", field="file")
    ws.store.backup(dest, str(audit.current_head(ws)))
    lockout.initialise(dest)  # the copy starts a sound counter of its own
    with ws.uow() as session:
        audit.record(ws, session, "backup", detail={"file": dest.name})
    return BackupWritten(dest, slot_path(dest), head_path(dest))


def last_backup(ws: Workspace) -> datetime | None:
    """When the latest backup was written (or restored), UTC, from the audit trail."""
    require(ws.actor, "admin.backup")
    with ws.uow() as session:
        ts = session.scalar(select(AuditEntry.ts).where(
            AuditEntry.action.in_(BACKUP_ACTIONS)).order_by(AuditEntry.seq.desc()).limit(1))
    if ts is None:
        return None
    return datetime.strptime(ts, "%Y-%m-%dT%H:%M:%S.%fZ")


def backup_overdue(ws: Workspace) -> tuple[bool, datetime | None, int]:
    """(is a reminder due, the last backup, the configured days)."""
    last = last_backup(ws)
    with ws.uow() as session:
        days = int(settings.get(session, settings.BACKUP_REMINDER_DAYS))
    if last is None:
        return True, None, days
    return clock.utcnow().replace(tzinfo=None) - last > timedelta(days=days), last, days


def _check_staged(staged: Path, username: str, password: str,
                  head: audit.Head | str | None) -> tuple[list[str], int]:
    """Unlock the staged copy and run every check; (problems, audit entries)."""
    store = Store.open(staged, username, password)
    try:
        problems = store.check()
        if problems:
            return problems, 0
        result = verify_connection(store.raw_connection(), head)
        if not result.ok:
            return [f"Its audit trail does not verify: {result.problem}"], result.count
        return [], result.count
    finally:
        store.lock()


def restore(ws: Workspace, backup_file: Path, password: str) -> RestoreResult:
    """Check ``backup_file`` then put it in place of the database (see the module's
    docstring). ``password`` is the signed-in administrator's: the backup is unlocked
    with it. The workspace is locked afterwards: sign in again to use the restored
    database."""
    require(ws.actor, "admin.backup")
    source = Path(backup_file).expanduser().resolve()
    target = ws.store.path
    if not source.is_file():
        raise ValidationError("No backup file at that path.", field="file")
    if source == target.resolve():
        raise ValidationError("That is the database itself, not a backup of it.",
                              field="file")
    slots = slot_path(source)
    from_current = not slots.is_file()
    if from_current:
        slots = slot_path(target)
    head_file = head_path(source)
    head: audit.Head | str | None = None
    if head_file.is_file():
        try:
            head = audit.parse_head(head_file.read_text(encoding="utf-8").strip())
        except (ValueError, ValidationError):
            raise RestoreRefused([f"The signed audit head {head_file.name} beside the "
                                  "backup cannot be read."]) from None
    username = ws.actor.username
    folder = swap.new_staging(target)
    staged = folder / target.name
    try:
        shutil.copyfile(source, staged)
        shutil.copyfile(slots, slot_path(staged))
        try:
            problems, entries = _check_staged(staged, username, password, head)
        except StoreError as exc:
            if from_current:
                raise RestoreRefused([
                    f"The key-slot file {slot_path(source).name} is missing beside the "
                    "backup, and the current key slots do not open it (it was made "
                    "before the data key was last changed). Put the backup's .keys file "
                    "beside it."]) from None
            raise RestoreRefused([f"It could not be unlocked with your password: {exc}"]
                                 ) from None
        if problems:
            raise RestoreRefused(problems)
        stamp = clock.now().strftime("%Y%m%d-%H%M%S")
        kept = target.with_name(f"{target.stem}-before-restore-{stamp}{target.suffix}")
        with ws.uow() as session:
            audit.record(ws, session, "restore.start", detail={"from": source.name,
                                                               "kept": kept.name})
        ws.store.backup(kept, str(audit.current_head(ws)))
        lockout.initialise(kept)
        ws.store.wait_for_others("A restore")
        conn = ws.store.raw_connection()
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()
        ws.lock()
        swap.swap(target)
    except BaseException:
        if not swap.journal_path(target).exists():
            shutil.rmtree(folder, ignore_errors=True)
        raise
    restored = open_workspace(target, username, password)
    try:
        with restored.uow() as session:
            audit.record(restored, session, "restore.done",
                         detail={"from": source.name, "kept": kept.name,
                                 "slots_from_current": from_current})
    finally:
        with contextlib.suppress(Exception):
            restored.lock()
    return RestoreResult(source, kept, entries, head is not None, from_current)
