"""A growing delay after failed unlocks, kept beside the database in ``<db>.lockout``.

A wrong password must leave the database and its key slots byte-for-byte unchanged, so
failures cannot be counted inside the database. They go in a small JSON file beside it
(``{"user": {"count": n, "last": epoch seconds}}``), written atomically. Before a
password is tried, the delay for the user's failure count must have passed since the last
failure: 0 s after the first failure, then 1, 2, 4, 8 ... capped at 30 s. The next
successful unlock records one audit entry ``unlock.failed`` with the count (in
``casework.context.open_workspace``) and resets it.

The file holds user names and times only: never a password or anything typed.
"""

from __future__ import annotations

import json
import logging
import math
from pathlib import Path
from typing import Any

from casework.core import clock, logguard
from casework.core.errors import PermissionDenied
from db.errors import WrongPassword
from db.keyslots import atomic_write_text
from db.store import Store

log = logging.getLogger(__name__)

MAX_DELAY_SECONDS = 30.0


class UnlockDelayed(PermissionDenied):
    """Too many failed unlocks: ``seconds`` must pass before the next try."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        super().__init__(
            f"Too many failed unlock attempts: wait {math.ceil(seconds)} s and try again."
        )


def lockout_path(db_path: Path) -> Path:
    """Where a database's failure counts live."""
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + ".lockout")


def delay_for(count: int) -> float:
    """Seconds to wait after ``count`` consecutive failures (0, 0, 1, 2, 4 ... 30)."""
    if count <= 1:
        return 0.0
    return float(min(2 ** min(count - 2, 16), MAX_DELAY_SECONDS))


def _load(db_path: Path) -> dict[str, dict[str, Any]]:
    try:
        doc = json.loads(lockout_path(db_path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        # A damaged counter file must not lock everybody out; start again.
        log.warning("The unlock-failure file is unreadable; counting from zero.")
        return {}
    if not isinstance(doc, dict):
        return {}
    return {k: v for k, v in doc.items() if isinstance(v, dict)}


def _save(db_path: Path, doc: dict[str, dict[str, Any]]) -> None:
    try:
        atomic_write_text(lockout_path(db_path), json.dumps(doc, sort_keys=True))
    except OSError:
        log.warning("The unlock-failure file could not be written.")


def failures(db_path: Path, user: str) -> int:
    """Consecutive failed unlocks of ``user`` since their last success."""
    entry = _load(db_path).get(user, {})
    count = entry.get("count", 0)
    return count if isinstance(count, int) and count > 0 else 0


def check_delay(db_path: Path, user: str, now: float | None = None) -> float:
    """Seconds ``user`` must still wait before a password may be tried (0 = go ahead)."""
    entry = _load(db_path).get(user, {})
    count = entry.get("count", 0)
    last = entry.get("last", 0.0)
    if not isinstance(count, int) or not isinstance(last, int | float):
        return 0.0
    wait = delay_for(count)
    if wait <= 0:
        return 0.0
    now = clock.timestamp() if now is None else now
    elapsed = max(0.0, now - float(last))  # a clock set back waits the full delay
    return max(0.0, wait - elapsed)


def record_failure(db_path: Path, user: str, now: float | None = None) -> int:
    """Count one failed unlock; returns the new count."""
    doc = _load(db_path)
    count = failures(db_path, user) + 1
    doc[user] = {"count": count, "last": clock.timestamp() if now is None else now}
    _save(db_path, doc)
    return count


def record_success(db_path: Path, user: str) -> int:
    """Reset ``user``'s count after a successful unlock; returns the count it had."""
    doc = _load(db_path)
    count = failures(db_path, user)
    if user in doc:
        del doc[user]
        _save(db_path, doc)
    return count


def open_store(db_path: Path, user: str, password: str) -> tuple[Store, int]:
    """``Store.open`` behind the delay: refuses with ``UnlockDelayed`` while it runs,
    counts a wrong password. Returns the store and the failures since the last success."""
    logguard.install()
    wait = check_delay(db_path, user)
    if wait > 0:
        raise UnlockDelayed(wait)
    try:
        store = Store.open(Path(db_path), user, password)
    except WrongPassword:
        record_failure(db_path, user)
        raise
    return store, failures(db_path, user)
