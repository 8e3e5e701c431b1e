"""The one unlock path: a growing delay after failed unlocks, kept in ``<db>.lockout``.

Every way into a database (each CLI command, ``check``, the recovery key and the desktop)
calls ``open_store`` (or ``open_recovery``) here, so the delay and the counting are the
same everywhere.

- **Serialised.** An attempt takes an exclusive lock on ``<db>.lockout`` (``flock`` on
  POSIX, ``msvcrt.locking`` on Windows) before it reads the count and keeps it until the
  count is written back, key derivation included. Parallel attempts queue: 8 parallel
  wrong attempts count 8.
- **The delay.** Before a password is tried, the delay for the name's count must have
  passed since its last tried password: 0 s after the first failure, then 1, 2, 4, 8 ...
  capped at 30 s. An attempt made while the delay runs is refused without trying the
  password and is counted too (hammering makes the wait longer, never shorter).
- **Deleting or damaging the file does not reset it.** ``init`` writes the file. A file
  that is missing, empty or unreadable when an attempt is made means "unknown history":
  every name then waits the full 30 s before each try, until a successful unlock writes a
  sound file again (that unlock is audited as ``unlock.counter_reset``). A database copied
  without its ``.lockout`` (a restored backup) therefore waits 30 s once.
- **Unknown names cost the same.** An unknown or revoked user name runs one Argon2id
  derivation with the same parameters as the database's user slots, is counted like a
  wrong password and gets the same message.
- **Audited at the next unlock by anyone.** Each successful unlock writes one audit entry
  ``unlock.failed`` (with the count) for every name whose failures were not yet audited,
  whoever signs in; then the signing-in user's own count is reset.

The file holds no user name and nothing typed: each name is kept as a keyed BLAKE2b hash
(the key is random and lives in the file), with its count and the times. Names are matched
back to users at the next unlock (a name that is no user is audited as "unknown name").

What the delay cannot stop: someone who copies ``<db>.keys`` can guess passwords offline,
at the cost of one Argon2id derivation per guess; the delay only slows guessing through
casework itself (see the README, "Threat model").
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import math
import os
import secrets
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from casework.core import clock, logguard, passwords
from casework.core.errors import PermissionDenied
from db.errors import DatabaseMissing, RevokedUser, StoreError, UnknownUser, WrongPassword
from db.keyslots import DEFAULT_KDF, RECOVERY_SLOT, KeySlotFile, derive_kek
from db.store import Store

log = logging.getLogger(__name__)

MAX_DELAY_SECONDS = 30.0
FORMAT = "casework-lockout"
VERSION = 2
BAD_CREDENTIALS = "Wrong user name or password."
UNKNOWN_NAME = "(unknown name)"


class UnlockDelayed(PermissionDenied):
    """Too many failed unlocks: ``seconds`` must pass before the next try."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        super().__init__(
            f"Too many failed unlock attempts: wait {math.ceil(seconds)} s and try again."
        )


class LockoutUnavailable(PermissionDenied):
    """The counter file cannot be opened or written: no attempt is made without it."""

    def __init__(self) -> None:
        super().__init__("The unlock-failure file beside the database cannot be written "
                         "(casework needs write access to the database's folder).")


def lockout_path(db_path: Path) -> Path:
    """Where a database's failure counts live."""
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + ".lockout")


def delay_for(count: int) -> float:
    """Seconds to wait after ``count`` consecutive failures (0, 0, 1, 2, 4 ... 30)."""
    if count <= 1:
        return 0.0
    return float(min(2 ** min(count - 2, 16), MAX_DELAY_SECONDS))


# -- the counter file ---------------------------------------------------------------------

@dataclass
class _State:
    """The parsed counter file. ``unknown_since`` is set while its history is unknown."""

    salt: str
    users: dict[str, dict[str, float]] = field(default_factory=dict)
    unknown_since: float | None = None

    def key(self, name: str) -> str:
        return hashlib.blake2b(name.encode("utf-8"), key=bytes.fromhex(self.salt),
                               digest_size=16).hexdigest()

    def entry(self, name: str) -> dict[str, float]:
        return self.users.get(self.key(name), {})

    def count(self, name: str) -> int:
        value = self.entry(name).get("count", 0)
        return int(value) if isinstance(value, int | float) and value > 0 else 0

    def wait(self, name: str, now: float) -> float:
        entry = self.entry(name)
        wait = delay_for(self.count(name))
        last = float(entry.get("last", 0.0) or 0.0)
        if self.unknown_since is not None:
            wait = MAX_DELAY_SECONDS
            last = max(last, self.unknown_since)
        if wait <= 0:
            return 0.0
        elapsed = max(0.0, now - last)  # a clock set back waits the full delay
        return max(0.0, wait - elapsed)

    def count_attempt(self, name: str, now: float, tried: bool) -> int:
        key = self.key(name)
        entry = dict(self.users.get(key, {}))
        entry["count"] = self.count(name) + 1
        entry.setdefault("audited", 0)
        if tried or "last" not in entry:
            entry["last"] = now
        self.users[key] = entry
        return int(entry["count"])

    def to_json(self) -> str:
        return json.dumps({"format": FORMAT, "version": VERSION, "salt": self.salt,
                           "unknown_since": self.unknown_since, "users": self.users},
                          sort_keys=True)


def _fresh() -> _State:
    return _State(salt=secrets.token_hex(16))


def _parse(text: str) -> _State | None:
    """The state in ``text``, or None when it is empty or not a sound counter file."""
    try:
        doc = json.loads(text)
        if not isinstance(doc, dict) or doc.get("format") != FORMAT \
                or doc.get("version") != VERSION:
            return None
        salt = str(doc["salt"])
        bytes.fromhex(salt)
        users = doc["users"]
        since = doc.get("unknown_since")
        if not isinstance(users, dict) or not all(isinstance(v, dict) for v in users.values()):
            return None
        if since is not None and not isinstance(since, int | float):
            return None
        return _State(salt=salt, users=users, unknown_since=since)
    except (ValueError, KeyError, TypeError):
        return None


def _lock(fh: IO[bytes]) -> None:
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        import msvcrt

        fh.seek(0)
        while True:
            try:
                msvcrt.locking(fh.fileno(), msvcrt.LK_LOCK, 1)
                return
            except OSError:
                continue  # LK_LOCK gives up after 10 s; keep queueing
    else:
        import fcntl

        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)


def _unlock(fh: IO[bytes]) -> None:
    if sys.platform == "win32":  # pragma: no cover
        import msvcrt

        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)
    else:
        import fcntl

        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


class _Locked:
    """The counter file, held under an exclusive lock."""

    def __init__(self, fh: IO[bytes], state: _State, sound: bool) -> None:
        self._fh = fh
        self.state = state
        self.sound = sound  # False: the file was missing, empty or unreadable

    def save(self) -> None:
        data = self.state.to_json().encode("utf-8")
        try:
            self._fh.seek(0)
            self._fh.truncate()
            self._fh.write(data)
            self._fh.flush()
            os.fsync(self._fh.fileno())
        except OSError:
            raise LockoutUnavailable() from None


@contextlib.contextmanager
def _locked(db_path: Path) -> Iterator[_Locked]:
    """Open (creating if need be) and lock ``<db>.lockout``; a missing or unsound file
    starts the "unknown history" state now."""
    path = lockout_path(db_path)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o600)
    except OSError:
        raise LockoutUnavailable() from None
    with os.fdopen(fd, "r+b") as fh:
        _lock(fh)
        try:
            fh.seek(0)
            try:
                text = fh.read().decode("utf-8")
            except UnicodeDecodeError:
                text = ""
            state = _parse(text)
            sound = state is not None and state.unknown_since is None
            if state is None:
                if text:
                    log.warning("The unlock-failure file is unreadable: every unlock waits "
                                "the full delay until one succeeds.")
                state = _fresh()
                state.unknown_since = clock.timestamp()
                held = _Locked(fh, state, False)
                held.save()
            else:
                held = _Locked(fh, state, sound)
            yield held
        finally:
            _unlock(fh)


def initialise(db_path: Path) -> None:
    """Write a sound, empty counter file for a new database (``init``)."""
    with _locked(db_path) as held:
        held.state = _fresh()
        held.save()


# -- reading (the desktop's wait display, tests) ----------------------------------------------

def _peek(db_path: Path) -> _State | None:
    try:
        return _parse(lockout_path(db_path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return None


def failures(db_path: Path, user: str) -> int:
    """Consecutive failed unlocks of ``user`` since their last success."""
    state = _peek(db_path)
    return state.count(user) if state is not None else 0


def check_delay(db_path: Path, user: str, now: float | None = None) -> float:
    """Seconds ``user`` must still wait before a password may be tried (0 = go ahead).
    A missing or unsound counter file means the full delay (from now, if nothing else)."""
    now = clock.timestamp() if now is None else now
    state = _peek(db_path)
    if state is None:
        return MAX_DELAY_SECONDS
    return state.wait(user, now)


# -- the one unlock path -------------------------------------------------------------------

def _dummy_derivation(db_path: Path) -> None:
    """One Argon2id derivation with the parameters of the database's user slots, so that an
    unknown or revoked name takes as long to refuse as a wrong password."""
    kdf: dict[str, int] = dict(DEFAULT_KDF)
    with contextlib.suppress(StoreError):
        slots = KeySlotFile.load(Path(db_path))
        users = [s for s in slots.slots if s.kind == "user" and s.state == "active"]
        if users:
            kdf = dict(users[0].kdf)
    derive_kek(secrets.token_hex(16), secrets.token_bytes(16), kdf)


def _attempt(db_path: Path, name: str, opener: Callable[[], Store]) -> Store:
    logguard.install()
    db_path = Path(db_path)
    if not db_path.exists():
        raise DatabaseMissing()  # no counter file appears beside a database that is not there
    with _locked(db_path) as held:
        now = clock.timestamp()
        wait = held.state.wait(name, now)
        if wait > 0:
            held.state.count_attempt(name, now, tried=False)
            held.save()
            raise UnlockDelayed(wait)
        try:
            return opener()
        except WrongPassword:
            held.state.count_attempt(name, clock.timestamp(), tried=True)
            held.save()
            raise WrongPassword(BAD_CREDENTIALS) from None
        except UnknownUser:
            _dummy_derivation(db_path)
            held.state.count_attempt(name, clock.timestamp(), tried=True)
            held.save()
            raise UnknownUser(BAD_CREDENTIALS) from None
        except RevokedUser:
            _dummy_derivation(db_path)
            held.state.count_attempt(name, clock.timestamp(), tried=True)
            held.save()
            raise


def open_store(db_path: Path, user: str, password: str) -> tuple[Store, int]:
    """``Store.open`` behind the lock and the delay. Refuses with ``UnlockDelayed`` while
    the delay runs; counts a wrong password or unknown name. Returns the store and the
    user's failures since their last success. The caller settles the counts with
    ``settle`` once the unlock is complete (``open_workspace`` does)."""
    secret = passwords.normalise(password)
    store = _attempt(Path(db_path), user, lambda: Store.open(Path(db_path), user, secret))
    return store, failures(Path(db_path), user)


def open_recovery(db_path: Path, recovery_key: str) -> Store:
    """``Store.open_with_recovery`` behind the same lock, delay and counting."""
    return _attempt(Path(db_path), RECOVERY_SLOT,
                    lambda: Store.open_with_recovery(Path(db_path), recovery_key))


@dataclass(frozen=True)
class Pending:
    """Failures not yet in the audit trail: ``name`` is a user name or ``UNKNOWN_NAME``."""

    name: str
    count: int
    key: str


def pending(db_path: Path, known_names: list[str]) -> tuple[list[Pending], bool]:
    """Failures still to be audited (any user's), and whether the file's history was
    unknown (missing or damaged since the last success)."""
    state = _peek(db_path)
    if state is None:
        return [], True
    names = {state.key(n): n for n in [*known_names, RECOVERY_SLOT]}
    out = []
    for key, entry in sorted(state.users.items()):
        count = int(entry.get("count", 0) or 0)
        new = count - int(entry.get("audited", 0) or 0)
        if new > 0:
            out.append(Pending(names.get(key, UNKNOWN_NAME), new, key))
    return out, state.unknown_since is not None


def settle(db_path: Path, user: str, audited: list[Pending]) -> int:
    """After a successful unlock whose audit entries are written: mark ``audited`` as in the
    trail, reset ``user``'s count and end any "unknown history". Returns the user's count."""
    try:
        return _settle(db_path, user, audited)
    except LockoutUnavailable:
        # the unlock itself succeeded: an unwritable counter (a full disk) only leaves the
        # old counts in place, which errs on the side of a longer delay
        log.warning("The unlock-failure file could not be updated after an unlock.")
        return 0


def _settle(db_path: Path, user: str, audited: list[Pending]) -> int:
    with _locked(db_path) as held:
        state = held.state
        for p in audited:
            entry = state.users.get(p.key)
            if entry is not None:
                entry["audited"] = int(entry.get("audited", 0) or 0) + p.count
        count = state.count(user)
        state.users.pop(state.key(user), None)
        state.unknown_since = None
        held.save()
        return count


def record_success(db_path: Path, user: str) -> int:
    """Reset ``user``'s count after a successful unlock; returns the count it had."""
    return settle(db_path, user, [])
