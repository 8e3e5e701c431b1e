"""A new database is built under a hidden name beside its target and moved into place
only when complete, so a failure or a kill never leaves a half-made database behind."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from db import clock
from db.errors import DatabaseExists
from db.keyslots import slot_path


def staging_name(path: Path) -> Path:
    """The hidden name a new database is built under: ``.<name>.partial-<pid>-<random>``."""
    return path.with_name(f".{path.name}.partial-{os.getpid()}-{secrets.token_hex(4)}")


def files_of(path: Path) -> tuple[Path, ...]:
    return (path, Path(f"{path}-wal"), Path(f"{path}-shm"), slot_path(path))


def remove_files(path: Path) -> None:
    for p in files_of(path):
        with contextlib.suppress(FileNotFoundError):
            p.unlink()


def place(src: Path, dest: Path) -> None:
    """Give ``src`` the name ``dest``, failing if ``dest`` exists (no overwrite, ever)."""
    try:
        os.link(src, dest)
    except FileExistsError:
        raise DatabaseExists() from None
    except OSError:
        # a file system without hard links (FAT on a USB stick): claim the name, then move
        try:
            os.close(os.open(dest, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        except FileExistsError:
            raise DatabaseExists() from None
        os.replace(src, dest)
        return
    src.unlink()


STALE_AFTER_S = 24 * 3600


def remove_stale_partials(path: Path) -> None:
    """Delete what an interrupted staged create of ``path`` left behind: files whose
    process is gone (or, where that cannot be told, older than a day)."""
    prefix = f".{path.name}.partial-"
    for leftover in path.parent.glob(f"{prefix}*"):
        pid_text = leftover.name[len(prefix):].split("-", 1)[0]
        if not pid_text.isdigit() or not _gone(int(pid_text), leftover):
            continue
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()


def _gone(pid: int, leftover: Path) -> bool:
    if pid == os.getpid():
        return False
    if os.name == "posix":
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        return False
    try:
        return clock.timestamp() - leftover.stat().st_mtime > STALE_AFTER_S
    except FileNotFoundError:
        return False
