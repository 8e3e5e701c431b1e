"""Putting a checked backup in place of a database: the file swap, crash-safe.

A database is two files, the database and its key-slot file (``<db>.keys``), and they
must change together. ``swap`` does it so that a kill at any moment leaves either the old
pair or the new pair, never a mixture that cannot be opened:

1. The checked backup and its key slots are staged, complete and fsynced, in a folder
   beside the database (``.<db>.restore/``), so every rename is within one file system.
2. A journal (``<db>.restore``) is written atomically: from now on the swap is decided.
3. The staged database and then the staged key slots are renamed over the current ones,
   and the folder is fsynced after each rename.
4. The journal and the staging folder are removed.

``resume`` runs before every unlock (``Store.open``): with a journal present, it
completes the renames still to do (the staged files that still exist) and removes the
journal. Without a journal, a staging folder is what an earlier restore left before it
decided, and is discarded: the old pair is untouched.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from pathlib import Path

from db.keyslots import atomic_write_text, slot_path


def staging_dir(db_path: Path) -> Path:
    return db_path.with_name(f".{db_path.name}.restore")


def journal_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".restore")


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not every platform can open a folder
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _fsync_file(path: Path) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


def new_staging(db_path: Path) -> Path:
    """An empty staging folder for ``db_path`` (a stale one, never decided, removed)."""
    folder = staging_dir(db_path)
    if journal_path(db_path).exists():
        resume(db_path)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(mode=0o700)
    return folder


def pending(db_path: Path) -> list[tuple[Path, Path]]:
    """The (staged, target) renames a decided swap has still to do."""
    folder = staging_dir(db_path)
    pairs = [(folder / db_path.name, db_path),
             (folder / slot_path(db_path).name, slot_path(db_path))]
    return [(src, dest) for src, dest in pairs if src.exists()]


def swap(db_path: Path) -> None:
    """Put the staged pair (``staging_dir(db_path)`` holding ``<name>`` and
    ``<name>.keys``) in place of the database and its key slots. The database must be
    closed by every process (its write-ahead log checkpointed away)."""
    folder = staging_dir(db_path)
    staged = folder / db_path.name
    if not staged.is_file() or not slot_path(staged).is_file():
        raise FileNotFoundError("The staged database or its key slots are missing.")
    for path in (staged, slot_path(staged)):
        _fsync_file(path)
    _fsync_dir(folder)
    for suffix in ("-wal", "-shm"):
        leftover = db_path.with_name(db_path.name + suffix)
        if leftover.exists() and leftover.stat().st_size > 0 and suffix == "-wal":
            raise RuntimeError("The database's write-ahead log is not empty: another "
                               "process still has it open.")
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()
    atomic_write_text(journal_path(db_path), json.dumps({"staged": folder.name}) + "\n")
    finish(db_path)


def finish(db_path: Path) -> None:
    """Complete a decided swap: the remaining renames, then the journal removed."""
    for src, dest in pending(db_path):
        os.replace(src, dest)
        _fsync_dir(dest.parent)
    with contextlib.suppress(FileNotFoundError):
        journal_path(db_path).unlink()
    _fsync_dir(db_path.parent)
    shutil.rmtree(staging_dir(db_path), ignore_errors=True)


def resume(db_path: Path) -> bool:
    """Before an unlock: finish a swap a killed restore had decided (True if there was
    one); discard a staging folder it had not."""
    db_path = Path(db_path)
    if journal_path(db_path).exists():
        finish(db_path)
        return True
    return False
