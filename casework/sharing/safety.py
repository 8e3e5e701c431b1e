"""Safety of the files themselves: atomic writes, digests, formula and markup neutralising.

An output is a *set* of files (the quarterly dataset is seven). ``StagedSet`` renders the
set into a private temporary folder (``.casework-export-<pid>-...``, mode 0700) beside its
destination, and moves it into place in one step: when the destination folder is new or
empty the staging folder is renamed onto it, so the set appears whole or not at all. Into
a folder that already holds other files the files are moved one by one after a manifest
of their digests is written; a kill part-way leaves the staging folder and its manifest,
and ``sweep`` (run by the next export into that folder, and at the next start or unlock
for every folder in the journal beside the database, ``Journal``) takes back the files the
interrupted export had moved and removes the folder. The pipeline writes "export.started"
before the move and "export" only after it, so an export that did not complete shows as
incomplete in the audit trail.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def neutralise(value: Any) -> Any:
    """A spreadsheet cell that cannot run: text starting =, +, -, @, tab or CR gets a
    leading apostrophe (numbers are left alone)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def pdf_text(value: Any) -> str:
    """User text for a reportlab Paragraph: markup characters escaped so that <img>, <a>,
    stray < and & print literally and nothing is fetched; line breaks kept."""
    text = "" if value is None else str(value)
    text = _CONTROL.sub("", text)
    return escape(text, {'"': "&quot;"}).replace("\r\n", "\n").replace("\n", "<br/>")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class PendingFile:
    """A temporary file that becomes ``final`` only when committed."""

    def __init__(self, final: Path) -> None:
        self.final = Path(final)
        if not self.final.parent.is_dir():
            raise FileNotFoundError(2, "The folder for the output does not exist")
        fd, tmp = tempfile.mkstemp(prefix=f".{self.final.name}.", suffix=".part",
                                   dir=self.final.parent)
        os.close(fd)
        self.path = Path(tmp)

    def __repr__(self) -> str:
        return f"PendingFile({self.final.name!r})"

    def digest(self) -> str:
        return sha256_file(self.path)

    def commit(self) -> None:
        with open(self.path, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(self.path, self.final)
        dir_fd = os.open(self.final.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    def discard(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()


@contextlib.contextmanager
def pending_files(finals: Sequence[Path]) -> Iterator[list[PendingFile]]:
    """Temporary files for each destination; all are removed if anything fails before
    the caller commits them."""
    files: list[PendingFile] = []
    try:
        for final in finals:
            files.append(PendingFile(final))
        yield files
    finally:
        for f in files:
            f.discard()


STAGE_PREFIX = ".casework-export-"
MANIFEST = ".manifest.json"


def _fsync_dir(folder: Path) -> None:
    if os.name == "nt":  # directories cannot be opened for fsync there
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


def _stage_pid(folder: Path) -> int | None:
    rest = folder.name[len(STAGE_PREFIX):]
    head = rest.split("-", 1)[0]
    return int(head) if head.isdigit() else None


def sweep(folder: Path) -> int:
    """Remove staging folders left in ``folder`` by exports that did not finish (their
    process is gone), taking back any file such an export had already moved into place.
    Returns how many were removed."""
    folder = Path(folder)
    if not folder.is_dir():
        return 0
    removed = 0
    for stage in folder.iterdir():
        if not stage.name.startswith(STAGE_PREFIX) or not stage.is_dir():
            continue
        pid = _stage_pid(stage)
        if pid is not None and _alive(pid):
            continue
        _take_back(stage, folder)
        removed += 1
    return removed


def _take_back(stage: Path, folder: Path) -> None:
    """Remove a staging folder; if it was moving its files into ``folder`` (its manifest
    is still there), first remove the files it had moved (those with its digests)."""
    manifest = stage / MANIFEST
    if manifest.exists():
        with contextlib.suppress(ValueError, OSError):
            moved = json.loads(manifest.read_text(encoding="utf-8"))
            for name, digest in moved.get("files", {}).items():
                final = folder / name
                if final.is_file() and sha256_file(final) == digest:
                    final.unlink()
    shutil.rmtree(stage, ignore_errors=True)


class StagedSet:
    """The files of one output, rendered in a private folder and moved into place at once.

    ``paths`` are where to render (in the staging folder, under the final names);
    ``digests()`` the sha256 of each by final name; ``commit()`` moves the set into place;
    ``discard()`` removes the staging folder (after a commit there is nothing left)."""

    def __init__(self, finals: Sequence[Path]) -> None:
        self.finals = [Path(f) for f in finals]
        parents = {f.parent for f in self.finals}
        for parent in parents:
            if not parent.is_dir():
                raise FileNotFoundError(2, "The folder for the output does not exist")
            sweep(parent)
        if len({f.name for f in self.finals}) != len(self.finals) or len(parents) != 1:
            raise ValueError("The files of one output go into one folder, each by its name")
        self.target = parents.pop()
        # A new or empty destination folder takes the whole staging folder in one rename,
        # when its parent is on the same file system (not for a mount point: a USB stick).
        self.whole = os.name != "nt" and not any(self.target.iterdir()) \
            and self.target.parent != self.target \
            and self.target.stat().st_dev == self.target.parent.stat().st_dev
        where = self.target.parent if self.whole else self.target
        sweep(where)
        self.dir = Path(tempfile.mkdtemp(prefix=f"{STAGE_PREFIX}{os.getpid()}-", dir=where))
        self.paths = [self.dir / f.name for f in self.finals]

    def __repr__(self) -> str:
        return f"StagedSet({len(self.finals)} files)"

    def digests(self) -> dict[str, str]:
        return {f.name: sha256_file(p) for f, p in zip(self.finals, self.paths, strict=True)}

    def commit(self) -> None:
        for path in self.paths:
            with open(path, "rb+") as fh:
                os.fsync(fh.fileno())
        if self.whole:
            mode = stat.S_IMODE(self.target.stat().st_mode)
            os.chmod(self.dir, mode)
            try:
                os.rename(self.dir, self.target)  # onto the empty folder: one step
            except OSError:
                os.chmod(self.dir, 0o700)
            else:
                _fsync_dir(self.target.parent)
                return
            # The folder is no longer empty, or the platform refuses: move file by file.
            moved = Path(tempfile.mkdtemp(prefix=f"{STAGE_PREFIX}{os.getpid()}-",
                                          dir=self.target))
            for path in self.paths:
                os.replace(path, moved / path.name)
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir, self.paths = moved, [moved / p.name for p in self.paths]
        manifest = self.dir / MANIFEST
        manifest.write_text(json.dumps({"files": self.digests()}), encoding="utf-8")
        with open(manifest, "rb+") as fh:
            os.fsync(fh.fileno())
        for final, path in zip(self.finals, self.paths, strict=True):
            os.replace(path, final)
        _fsync_dir(self.target)
        manifest.unlink()
        shutil.rmtree(self.dir, ignore_errors=True)

    def discard(self) -> None:
        """Remove the staging folder; a set half moved into place is taken back."""
        _take_back(self.dir, self.target)


@contextlib.contextmanager
def staged_set(finals: Sequence[Path]) -> Iterator[StagedSet]:
    """A ``StagedSet`` whose staging folder is removed however the block ends."""
    staged = StagedSet(finals)
    try:
        yield staged
    finally:
        staged.discard()


class Journal:
    """The folders exports are being written into, in a small file beside the database
    (``<db>.exports``: folder paths and process ids, nothing else), so that a start or an
    unlock after a kill can sweep them without waiting for the next export there."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def __repr__(self) -> str:
        return "Journal()"

    def _read(self) -> list[dict[str, Any]]:
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except (FileNotFoundError, UnicodeDecodeError):
            return []
        out = []
        for line in lines:
            with contextlib.suppress(ValueError):
                item = json.loads(line)
                if isinstance(item, dict) and isinstance(item.get("folder"), str) \
                        and isinstance(item.get("pid"), int):
                    out.append(item)
        return out

    def _write(self, items: list[dict[str, Any]]) -> None:
        if not items:
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)  # a server's state folder
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write("".join(json.dumps(i) + "\n" for i in items))
        os.replace(tmp, self.path)

    def add(self, folders: Sequence[Path]) -> None:
        """Note that this process is writing an export into ``folders``."""
        items = self._read()
        items += [{"folder": str(Path(f).resolve()), "pid": os.getpid()} for f in folders]
        self._write(items)

    def done(self) -> None:
        """This process's exports have finished (or were taken back)."""
        self._write([i for i in self._read() if i["pid"] != os.getpid()])

    def recover(self) -> int:
        """Sweep every folder an export of a process now gone was writing into; returns
        how many unfinished exports were removed."""
        items = self._read()
        keep = [i for i in items if i["pid"] != os.getpid() and _alive(i["pid"])]
        removed = 0
        for item in items:
            if item in keep or item["pid"] == os.getpid():
                continue
            with contextlib.suppress(OSError):
                removed += sweep(Path(item["folder"]))
        if len(keep) != len(items) - sum(i["pid"] == os.getpid() for i in items):
            self._write(keep + [i for i in items if i["pid"] == os.getpid()])
        return removed
