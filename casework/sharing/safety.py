"""Safety of the files themselves: atomic writes, digests, formula and markup neutralising.

An output is rendered into a temporary file beside its destination; the audit entry (with
the file's digest) is written; only then is the file renamed into place. A failure at any
step leaves no output and no partial file.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
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
