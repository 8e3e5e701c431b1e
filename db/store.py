"""The encrypted store: create, unlock, key-slot administration, rekey, backup, check.

A ``Store`` holds the engine and the data key of an unlocked database. ``lock()``
disposes of the engine and forgets the key. Nothing here logs or raises a secret.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlcipher3
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import Engine

from db import migrate, staging
from db.engine import connect_raw, make_engine
from db.errors import (
    DatabaseBusy,
    DatabaseExists,
    DatabaseMissing,
    DiskFull,
    EmptyPassword,
    KeySlotsCorrupt,
    NotADatabase,
    StoreError,
    UnknownUser,
    classify,
    translated,
)
from db.keyslots import (
    DEFAULT_KDF,
    RECOVERY_SLOT,
    KeySlotFile,
    atomic_write_text,
    new_data_key,
    new_recovery_key,
    normalise_recovery_key,
    slot_path,
)
from db.models.caselist import counter_problems

REKEY_BUSY = ("Another casework session has the database open, and a rekey needs it to "
              "itself. Nothing was changed: close the other sessions (the desktop, other "
              "commands) and retry.")


class Store:
    """An unlocked database. Create with ``Store.create`` or ``Store.open``."""

    def __init__(self, path: Path, slots: KeySlotFile, data_key: bytes, who: str) -> None:
        self.path = Path(path)
        self.slots = slots
        self.unlocked_as = who
        self._key: bytes | None = bytes(data_key)
        self._engine: Engine | None = None
        self.final_path: Path | None = None

    def __repr__(self) -> str:
        return f"Store(locked={self._key is None})"

    # -- opening -------------------------------------------------------------------
    @classmethod
    def create(cls, path: Path, username: str, password: str,
               kdf: dict[str, int] | None = None) -> tuple[Store, str]:
        """Make a new encrypted database with one user slot and a recovery slot.

        Returns the store and the recovery key, which is shown once and never stored.
        """
        path = Path(path)
        if path.exists() or slot_path(path).exists():
            raise DatabaseExists()
        if not path.parent.exists():
            raise DatabaseMissing("The folder for the new database does not exist.")
        data_key = new_data_key()
        slots = KeySlotFile.new(data_key)
        slots.add(username, "user", password, data_key, kdf)
        recovery = new_recovery_key()
        slots.add(RECOVERY_SLOT, "recovery", recovery, data_key, kdf)
        store = cls(path, slots, data_key, username)
        try:
            # Private from the first byte: SQLite gives -wal and -shm the file's mode.
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
            migrate.upgrade(store.engine)
            slots.save(path)
        except BaseException:
            store.lock()
            for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), slot_path(path)):
                with contextlib.suppress(FileNotFoundError):
                    p.unlink()
            raise
        return store, recovery

    @classmethod
    def create_staged(cls, path: Path, username: str, password: str,
                      kdf: dict[str, int] | None = None) -> tuple[Store, str]:
        """Like ``create``, but built under a hidden name beside ``path``: nothing is at
        ``path`` until ``publish()``. A failure (``discard()``) or a kill part-way leaves
        no database and no key slots at ``path``; a later create removes the leftovers."""
        path = Path(path)
        if path.exists() or slot_path(path).exists():
            raise DatabaseExists()
        if not path.parent.exists():
            raise DatabaseMissing("The folder for the new database does not exist.")
        staging.remove_stale_partials(path)
        staged = staging.staging_name(path)
        store, recovery = cls.create(staged, username, password, kdf)
        store.final_path = path
        return store, recovery

    def publish(self) -> None:
        """Move a staged database and its key slots to their final names (never over an
        existing file). The store stays unlocked at the new path; make new workspaces."""
        final = self.final_path
        if final is None:
            raise StoreError("This database was not made staged.")
        staged = self.path
        if self._engine is not None:
            self._engine.dispose()  # the last connection to close checkpoints the log
            self._engine = None
        wal = Path(f"{staged}-wal")
        if wal.exists() and wal.stat().st_size and self._key is not None:
            raw = connect_raw(staged, self._key)
            try:
                raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                raw.close()
        if wal.exists() and wal.stat().st_size:
            raise StoreError("The new database could not be finished (its log is not empty).")
        for extra in (wal, Path(f"{staged}-shm")):
            with contextlib.suppress(FileNotFoundError):
                extra.unlink()
        staging.place(staged, final)
        try:
            staging.place(slot_path(staged), slot_path(final))
        except BaseException:
            os.replace(final, staged)
            raise
        self.path, self.final_path = final, None

    def discard(self) -> None:
        """Lock a staged database and delete its files (a failed create)."""
        self.lock()
        if self.final_path is not None:
            staging.remove_files(self.path)

    @classmethod
    def open(cls, path: Path, username: str, password: str) -> Store:
        """Unlock with a user's password. Nothing is written when this fails."""
        path = Path(path)
        if not password:
            raise EmptyPassword()
        if not path.exists():
            raise DatabaseMissing()
        _check_header(path)
        slots = KeySlotFile.load(path)
        slot = slots.find(username)
        private = slot.open_private(password, slots.db_uuid)
        return cls._finish_open(path, slots, slot, private, username)

    @classmethod
    def open_with_recovery(cls, path: Path, recovery_key: str) -> Store:
        path = Path(path)
        if not path.exists():
            raise DatabaseMissing()
        _check_header(path)
        slots = KeySlotFile.load(path)
        slot = slots.find(RECOVERY_SLOT)
        private = slot.open_private(normalise_recovery_key(recovery_key), slots.db_uuid)
        return cls._finish_open(path, slots, slot, private, RECOVERY_SLOT)

    @classmethod
    def _finish_open(cls, path: Path, slots: KeySlotFile, slot: Any, private: Any,
                     who: str) -> Store:
        key = slots.data_key_for(slot, private)
        pending = slots.pending_key_for(slot, private)
        if pending is not None:
            # A rekey was interrupted: whichever key opens the file is the real one.
            if _key_opens(path, key):
                slots.abandon_rekey()
            elif _key_opens(path, pending):
                slots.finish_rekey()
                key = pending
            else:
                raise NotADatabase()
            slots.save(path)
        else:
            conn = connect_raw(path, key)
            conn.close()
        store = cls(path, slots, key, who)
        store.upgrade_if_needed()
        return store

    def upgrade_if_needed(self) -> Path | None:
        """Bring an older schema to the current one, after an encrypted backup.

        Returns the backup's path when a migration ran.
        """
        if not migrate.needs_upgrade(self.engine):
            return None
        with self.engine.connect() as conn:
            current = conn.exec_driver_sql(
                "SELECT version_num FROM alembic_version").scalar() or "none"
        backup = self.path.with_name(f"{self.path.name}.before-{current}.bak")
        if not backup.exists():
            self.backup(backup)
        migrate.upgrade(self.engine)
        return backup

    # -- the engine and keys ---------------------------------------------------------
    @property
    def engine(self) -> Engine:
        if self._key is None:
            raise StoreError("The database is locked.")
        if self._engine is None:
            self._engine = make_engine(self.path, self._key, create=True)
        return self._engine

    @property
    def is_locked(self) -> bool:
        return self._key is None

    def derived_key(self, purpose: str) -> bytes:
        """A key for one purpose (e.g. the audit chain), derived from the data key."""
        if self._key is None:
            raise StoreError("The database is locked.")
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=self.slots.db_uuid.encode(),
                    info=f"casework {purpose}".encode()).derive(self._key)

    def lock(self) -> None:
        """Dispose of the engine and forget the data key."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
        self._key = None

    def raw_connection(self) -> Any:
        """A DB-API connection outside SQLAlchemy (benchmarks, backup, check)."""
        if self._key is None:
            raise StoreError("The database is locked.")
        return connect_raw(self.path, self._key)

    # -- key slots -----------------------------------------------------------------
    def slot_names(self) -> list[tuple[str, str, str]]:
        return [(s.name, s.kind, s.state) for s in self.slots.slots]

    def add_user_slot(self, username: str, password: str) -> None:
        assert self._key is not None
        self.slots.add(username, "user", password, self._key)
        self.slots.save(self.path)

    def revoke_slot(self, username: str) -> None:
        self.slots.revoke(username)
        self.slots.save(self.path)

    def change_password(self, username: str, old_password: str, new_password: str) -> None:
        slot = self.slots.find(username)
        private = slot.open_private(old_password, self.slots.db_uuid)
        slot.set_secret(private, new_password, self.slots.db_uuid)
        self.slots.save(self.path)

    def reset_password(self, username: str, new_password: str) -> None:
        """An administrator gives a user a new slot (the old password stops working)."""
        assert self._key is not None
        found = [s for s in self.slots.slots if s.name == username]
        if not found:
            raise UnknownUser()
        self.slots.slots = [s for s in self.slots.slots if s.name != username]
        self.slots.add(username, found[0].kind, new_password, self._key)
        self.slots.save(self.path)

    def new_recovery_key(self) -> str:
        assert self._key is not None
        recovery = new_recovery_key()
        self.slots.slots = [s for s in self.slots.slots if s.name != RECOVERY_SLOT]
        self.slots.add(RECOVERY_SLOT, "recovery", recovery, self._key)
        self.slots.save(self.path)
        return recovery

    def rekey(self) -> None:
        """Replace the data key: every active slot gets the new key, the file is re-encrypted.

        Crash-safe: the new key is first added to the slot file as pending, then the
        database is rekeyed in one transaction, then the slot file is finished. ``open``
        resolves a pending rekey either way.
        """
        assert self._key is not None
        new_key = new_data_key()
        self.slots.begin_rekey(new_key)
        self.slots.save(self.path)
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
        try:
            with translated():
                conn = connect_raw(self.path, self._key)
                try:
                    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                    conn.execute("PRAGMA journal_mode = DELETE").fetchone()
                    conn.execute(f"PRAGMA rekey = \"x'{new_key.hex()}'\"")
                    conn.execute("PRAGMA journal_mode = WAL").fetchone()
                finally:
                    conn.close()
        except BaseException as exc:
            # Refused before the file changed (another session open: busy): forget the
            # pending key now rather than at the next open.
            if _key_opens(self.path, self._key):
                self.slots.abandon_rekey()
                self.slots.save(self.path)
            if isinstance(exc, DatabaseBusy):
                raise DatabaseBusy(REKEY_BUSY) from None
            raise
        self.slots.finish_rekey()
        self.slots.save(self.path)
        self._key = new_key

    # -- backup and check ------------------------------------------------------------
    def backup(self, dest: Path) -> None:
        """An encrypted, consistent copy (with its key slots), safe while others write."""
        dest = Path(dest)
        if dest.exists():
            raise DatabaseExists("A file already exists at the backup destination.")
        if not dest.parent.is_dir():
            raise DatabaseMissing("The backup folder does not exist.")
        assert self._key is not None
        fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
        os.close(fd)  # mkstemp made it 0600; the backup is written into this file
        tmp = Path(tmp_name)
        try:
            with translated():
                self._copy_into(tmp)
                atomic_write_text(slot_path(dest), self.slots.to_json())
                os.replace(tmp, dest)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
            with contextlib.suppress(FileNotFoundError):
                if not dest.exists():
                    slot_path(dest).unlink()
            raise

    def _copy_into(self, tmp: Path) -> None:
        """SQLite's online backup into ``tmp`` (encrypted with the same key), fsynced."""
        assert self._key is not None
        src = connect_raw(self.path, self._key)
        try:
            target = sqlcipher3.connect(str(tmp), isolation_level=None)
            try:
                target.execute("PRAGMA cipher_log_level = NONE")
                target.execute(f"PRAGMA key = \"x'{self._key.hex()}'\"")
                src.backup(target)
                target.execute("PRAGMA journal_mode = DELETE").fetchone()
            finally:
                target.close()
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
        finally:
            src.close()

    def check(self) -> list[str]:
        """Problems found (empty when the database is sound)."""
        return check_connection(self.raw_connection())


def check_connection(conn: Any) -> list[str]:
    """Run SQLCipher's page HMAC check, SQLite's integrity and foreign-key checks, the
    schema version check and the case counters' agreement with the cases on a raw
    connection, closing it afterwards."""
    problems: list[str] = []
    try:
        rows = conn.execute("PRAGMA cipher_integrity_check").fetchall()
        if rows:
            # Pages that fail their HMAC make further checks unreliable (or crash them).
            return [f"SQLCipher page check: {len(rows)} page(s) failed their HMAC."]
        result = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
        if result != ["ok"]:
            problems.append(f"SQLite integrity check: {len(result)} problem(s).")
        fk = conn.execute("PRAGMA foreign_key_check").fetchall()
        if fk:
            problems.append(f"Foreign-key check: {len(fk)} row(s) point at missing records.")
        current = migrate.current_revision(conn)
        if current != migrate.head_revision():
            problems.append(
                f"Schema version {current or 'none'} is not the expected {migrate.head_revision()}."
            )
        else:
            problems.extend(counter_problems(conn))
    except (sqlcipher3.DatabaseError, MemoryError) as exc:
        cause = classify(exc)
        if isinstance(cause, DatabaseBusy | DiskFull):
            raise cause from None  # not damage: the check could not run
        problems.append("The database could not be read: it is damaged.")
    finally:
        conn.close()
    return problems


_SQLITE_MAGIC = b"SQLite format 3\x00"


def _check_header(path: Path) -> None:
    """Reject files that cannot be a SQLCipher database before trying any key."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as fh:
            head = fh.read(16)
    except OSError:
        raise NotADatabase() from None
    if head == _SQLITE_MAGIC:
        raise NotADatabase("The file is a plain, unencrypted SQLite database.")
    if size < 1024 or size % 1024 != 0:
        raise NotADatabase("The file is truncated or is not a casework database.")


def _key_opens(path: Path, key: bytes) -> bool:
    try:
        connect_raw(path, key).close()
        return True
    except NotADatabase:
        return False


@contextlib.contextmanager
def scratch_copy(path: Path) -> Iterator[Path]:
    """A throwaway copy of a database and its slot file (tests and benchmarks)."""
    with tempfile.TemporaryDirectory() as tmp:
        dest = Path(tmp) / path.name
        shutil.copy2(path, dest)
        shutil.copy2(slot_path(path), slot_path(dest))
        yield dest


__all__ = ["DEFAULT_KDF", "KeySlotsCorrupt", "Store", "check_connection"]
