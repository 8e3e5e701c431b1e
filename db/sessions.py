"""Who has a database open: one small locked file per open store, beside the database in
``.<db>.sessions/``, so that a rekey can wait for the other sessions and name them.

Each file holds the user name only, and its process holds a shared ``flock`` on it for as
long as the store is unlocked. A file whose lock can be taken belongs to a process that
has gone (killed, crashed) and is removed. Where ``flock`` does not exist (Windows) no
file is written and nobody is named.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]


def sessions_dir(db_path: Path) -> Path:
    return db_path.with_name(f".{db_path.name}.sessions")


class Presence:
    """This process's mark that it has ``db_path`` open as ``who``."""

    def __init__(self, db_path: Path, who: str) -> None:
        self.path: Path | None = None
        self._fd: int | None = None
        if fcntl is None:
            return
        folder = sessions_dir(db_path)
        try:
            folder.mkdir(mode=0o700, exist_ok=True)
            name = f"{os.getpid()}-{secrets.token_hex(6)}"
            tmp = folder / f".tmp-{name}"
            fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            fcntl.flock(fd, fcntl.LOCK_SH)
            os.write(fd, who.encode("utf-8"))
            os.replace(tmp, folder / name)  # only a locked file carries a session's name
        except OSError:
            return  # a read-only folder: the session is simply not announced
        self.path, self._fd = folder / name, fd

    def close(self) -> None:
        if self._fd is None or self.path is None:
            return
        with contextlib.suppress(OSError):
            self.path.unlink()
        with contextlib.suppress(OSError):
            os.close(self._fd)
        with contextlib.suppress(OSError):
            self.path.parent.rmdir()  # only when no other session is left
        self._fd = self.path = None


def others(db_path: Path, mine: Presence | None) -> list[str]:
    """The user names of the other sessions open on ``db_path`` (stale marks removed)."""
    if fcntl is None:
        return []
    folder = sessions_dir(db_path)
    names: list[str] = []
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return []
    for entry in entries:
        if entry.name.startswith(".tmp-") or (mine is not None and entry == mine.path):
            continue
        try:
            fd = os.open(entry, os.O_RDONLY)
        except OSError:
            continue
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                names.append(os.read(fd, 200).decode("utf-8", "replace"))
            else:  # nobody holds it: its process has gone
                with contextlib.suppress(OSError):
                    entry.unlink()
        finally:
            os.close(fd)
    return names
