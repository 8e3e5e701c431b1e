"""The encrypted store: create, unlock, key-slot administration, rekey, backup, check.

A ``Store`` holds the engine and the data key of an unlocked database. ``lock()``
disposes of the engine and forgets the key. Nothing here logs or raises a secret.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlcipher3
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from db import engine as engine_mod
from db import migrate, registry, restore, sessions, staging
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
    Slot,
    atomic_write_text,
    calibrate_kdf,
    fingerprint,
    new_data_key,
    new_recovery_key,
    normalise_recovery_key,
    slot_path,
    take_fresh_signing,
)
from db.models.caselist import counter_problems
from db.models.search import address_line_problems

REKEY_BUSY = ("Another casework session has the database open, and a rekey needs it to "
              "itself. Nothing was changed: close the other sessions (the desktop, other "
              "commands) and retry.")


class SlotRefused(StoreError):
    """The slot used to unlock is not one the database vouches for."""

    message = ("Your key slot in the .keys file is not the one this database registered "
               "(it was added, restored or altered outside casework), so it was not used. "
               "Restore the .keys file from the latest backup, or ask an administrator to "
               "reset your password.")


class NotEnrolled(StoreError):
    message = "This session has no registered signing key yet: sign in again."


class Store:
    """An unlocked database. Create with ``Store.create`` or ``Store.open``."""

    def __init__(self, path: Path, slots: KeySlotFile, data_key: bytes, who: str) -> None:
        self.path = Path(path)
        self.slots = slots
        self.unlocked_as = who
        self._key: bytes | None = bytes(data_key)
        self._engine: Engine | None = None
        self.final_path: Path | None = None
        self._signing: Ed25519PrivateKey | None = None
        self.signing_key_id: int | None = None
        self.refused: dict[str, str] = {}  # other slots of the file the database refuses
        self.registry_empty = False  # a database from before 0003_signing: not enrolled
        self._presence: sessions.Presence | None = None
        self._checked_head: tuple[int, str, str] | None = None

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
        slots = KeySlotFile.new(data_key, kdf or calibrate_kdf())
        first = slots.add(username, "user", password, data_key)
        recovery = new_recovery_key()
        rslot = slots.add(RECOVERY_SLOT, "recovery", recovery, data_key)
        take_fresh_signing(rslot)
        store = cls(path, slots, data_key, username)
        store._signing = take_fresh_signing(first)
        try:
            # Private from the first byte: SQLite gives -wal and -shm the file's mode.
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
            migrate.upgrade(store.engine)
            with Session(store.engine) as session, session.begin():
                registry.register(session, rslot)
                store.signing_key_id = registry.register(session, first)
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
        restore.resume(path)  # a restore killed after it decided: finish it first
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
        restore.resume(path)
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
        try:
            store.upgrade_if_needed()
            store._authenticate(slot, private)
            store._presence = sessions.Presence(path, who)
        except BaseException:
            store.lock()
            raise
        return store

    def _authenticate(self, slot: Slot, private: Any) -> None:
        """Refuse the unlocking slot unless the database vouches for it; note the file's
        other slots it does not vouch for; take the slot's signing key."""
        with Session(self.engine) as session, session.begin():
            known = registry.records(session)
            if not known:
                self.registry_empty = True  # before 0003_signing: enrolled on first use
            elif registry.refusal(slot, known.get(slot.name)) is not None:
                raise SlotRefused()
            else:
                self.refused = _refusals(self.slots, known)
            if slot.sign_public:
                self._signing = slot.open_signing_key(private, self.slots.db_uuid)
                self.signing_key_id = registry.signing_key_id(
                    session, slot.name, slot.sign_public)

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
        self._signing = None
        if self._presence is not None:
            self._presence.close()
            self._presence = None

    def raw_connection(self) -> Any:
        """A DB-API connection outside SQLAlchemy (benchmarks, backup, check)."""
        if self._key is None:
            raise StoreError("The database is locked.")
        return connect_raw(self.path, self._key)

    # -- signing the audit chain -----------------------------------------------------
    @property
    def signing_ready(self) -> bool:
        return self._signing is not None and self.signing_key_id is not None

    def sign(self, message: bytes) -> tuple[int, bytes]:
        """Sign with the unlocking user's key: (signing key id, signature)."""
        if self._key is None:
            raise StoreError("The database is locked.")
        if self._signing is None or self.signing_key_id is None:
            raise NotEnrolled()
        return self.signing_key_id, self._signing.sign(message)

    def head_checked(self, seq: int, digest: str | None, signature: str) -> bool:
        """Whether this session already checked that head (same entry hash, same
        signature)."""
        return digest is not None and self._checked_head == (seq, digest, signature)

    def note_head_checked(self, seq: int, digest: str, signature: str) -> None:
        self._checked_head = (seq, digest, signature)

    def enrol(self, session: Session) -> tuple[str, str]:
        """Register the unlocking slot's signing key (making one if the slot has none) in
        ``session``'s transaction. A database from before 0003_signing first registers
        every slot of the file as it is. Returns (slot name, key fingerprint)."""
        slot = next(s for s in self.slots.slots if s.name == self.unlocked_as)
        if not slot.sign_public:
            self._signing = slot.new_signing_key(self.slots.db_uuid)
            self.slots.save(self.path)
        if self.registry_empty:
            for other in self.slots.slots:
                registry.register(session, other)
            self.registry_empty = False
        self.signing_key_id = registry.register(session, slot)
        return slot.name, fingerprint(slot.sign_public)

    def registered_keys(self) -> list[tuple[str, str]]:
        """(slot name, signing key fingerprint) of every slot of the file with a key."""
        return [(s.name, fingerprint(s.sign_public)) for s in self.slots.slots
                if s.sign_public]

    # -- key slots -----------------------------------------------------------------
    def slot_names(self) -> list[tuple[str, str, str]]:
        """(name, kind, state) of every slot in the file; a slot the database does not
        vouch for shows the state "refused"."""
        return [(s.name, s.kind, "refused" if s.name in self.refused else s.state)
                for s in self.slots.slots]

    def _replace_slot(self, session: Session, name: str, kind: str, secret: str) -> Slot:
        """A new slot (new key pairs) for ``name``, sealed to the current data key,
        registered in ``session`` and saved."""
        assert self._key is not None
        self.slots.slots = [s for s in self.slots.slots if s.name != name]
        slot = self.slots.add(name, kind, secret, self._key)
        signing = take_fresh_signing(slot)
        key_id = registry.register(session, slot)
        self.slots.save(self.path)
        self.refused.pop(name, None)
        if name == self.unlocked_as:
            self._signing, self.signing_key_id = signing, key_id
        return slot

    def add_user_slot(self, username: str, password: str, session: Session) -> str:
        """Add a user's slot (registered in ``session``). Returns its key fingerprint."""
        if registry.records(session).get(username) is not None and any(
                s.name == username for s in self.slots.active_slots()):
            raise ValueError("a slot of that name already exists")
        return fingerprint(self._replace_slot(session, username, "user", password).sign_public)

    def revoke_slot(self, username: str, session: Session) -> None:
        """Revoke a slot in the file and in the registry (a rekey makes it final)."""
        self.slots.revoke(username)
        registry.set_state(session, username, "revoked")
        self.slots.save(self.path)

    def change_password(self, username: str, old_password: str, new_password: str,
                        session: Session) -> str:
        """A new slot under the new password, with new key pairs (so an old copy of the
        file and the old password open nothing sealed from now on). Returns the new
        signing key's fingerprint."""
        slot = self.slots.find(username)
        slot.open_private(old_password, self.slots.db_uuid)
        return fingerprint(self._replace_slot(session, username, slot.kind,
                                              new_password).sign_public)

    def reset_password(self, username: str, new_password: str, session: Session) -> str:
        """An administrator gives a user a new slot (the old password stops working)."""
        found = [s for s in self.slots.slots if s.name == username]
        if not found:
            raise UnknownUser()
        return fingerprint(self._replace_slot(session, username, found[0].kind,
                                              new_password).sign_public)

    def new_recovery_key(self, session: Session) -> tuple[str, str]:
        """A new recovery slot (registered in ``session``), replacing the old one, with
        new key pairs. Returns the new recovery key (shown once, never stored) and the
        slot's signing key fingerprint."""
        recovery = new_recovery_key()
        slot = self._replace_slot(session, RECOVERY_SLOT, "recovery", recovery)
        return recovery, fingerprint(slot.sign_public)

    def rekey(self) -> dict[str, str]:
        """Replace the data key: every active slot the database vouches for gets the new
        key, the file is re-encrypted. Returns the slots left out (name -> why): a slot
        unknown to the database is removed from the file, a revoked one stays revoked.

        Crash-safe: the new key is first added to the slot file as pending, then the
        database is rekeyed in one transaction, then the slot file is finished. ``open``
        resolves a pending rekey either way.
        """
        assert self._key is not None
        self.wait_for_others()
        with Session(self.engine) as session, session.begin():
            known = registry.records(session)
        refused = _refusals(self.slots, known)
        self.slots.slots = [s for s in self.slots.slots if s.name in known]
        for slot in self.slots.slots:
            if known[slot.name].state != "active" and slot.state == "active":
                slot.state, slot.sealed = "revoked", {}
        vouched = {s.name for s in self.slots.active_slots() if s.name not in refused}
        new_key = new_data_key()
        self.slots.begin_rekey(new_key, vouched)
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
        self.refused = refused
        return refused

    def wait_for_others(self, what: str = "A rekey") -> None:
        """Wait (as long as ``--wait`` allows) for the other sessions to close; busy,
        naming them, if they do not (``what`` names the operation in the message)."""
        deadline = time.monotonic() + engine_mod.busy_timeout()
        while True:
            live = sessions.others(self.path, self._presence)
            if not live:
                return
            if time.monotonic() >= deadline:
                who = ", ".join(sorted(set(live)))
                raise DatabaseBusy(
                    f"The database is open in {len(live)} other session(s), by: {who}. "
                    f"{what} needs it to itself and waited for them. Nothing was changed: "
                    "close the other sessions (the desktop, other commands) and retry.")
            time.sleep(0.2)

    # -- backup and check ------------------------------------------------------------
    def backup(self, dest: Path, head: str | None = None) -> None:
        """An encrypted, consistent copy (with its key slots), safe while others write.
        ``head`` (the signed audit head, printable) is written beside it as
        ``<dest>.head``, so the copy proves what the chain held when it was made."""
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
                if head is not None:
                    atomic_write_text(head_path(dest), head + "\n")
                os.replace(tmp, dest)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
            if not dest.exists():
                for extra in (slot_path(dest), head_path(dest)):
                    with contextlib.suppress(FileNotFoundError):
                        extra.unlink()
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


def head_path(db_path: Path) -> Path:
    """Where the signed audit head written with a backup lives."""
    return db_path.with_name(db_path.name + ".head")


def _refusals(slots: KeySlotFile, known: dict[str, Any]) -> dict[str, str]:
    """The file's slots the registry ``known`` does not vouch for, with the reason."""
    out: dict[str, str] = {}
    for slot in slots.slots:
        why = registry.refusal(slot, known.get(slot.name))
        if why is not None and (slot.state == "active" or slot.name not in known):
            out[slot.name] = why
    return out


def check_connection(conn: Any) -> list[str]:
    """Run SQLCipher's page HMAC check, SQLite's integrity and foreign-key checks, the
    schema version check, the case counters' agreement with the cases and the address
    search index's with the addresses on a raw connection, closing it afterwards."""
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
            problems.extend(address_line_problems(conn))
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
