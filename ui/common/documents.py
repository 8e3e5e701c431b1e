"""Opening a stored document (a letter PDF) in the system's viewer.

PySide6-Essentials has no QtPdf, so a document is written to a private temporary file
(a folder of mode 0700, the file 0600, created exclusively) and handed to the desktop's
viewer with ``QDesktopServices``. The files are deleted when the application locks or
exits, and each after ``KEEP_MS`` at the latest: a decrypted copy must not outlive the
session that opened it.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from ui.common.ops import QueryOp
from ui.common.qt import QDesktopServices, QTimer, QUrl, QWidget

KEEP_MS = 10 * 60_000
SUFFIX = {"application/pdf": ".pdf", "text/plain": ".txt", "text/csv": ".csv",
          "image/jpeg": ".jpg", "image/png": ".png", "audio/mpeg": ".mp3", "video/mp4": ".mp4",
          "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx"}

_dir: Path | None = None
_open_files: set[Path] = set()


def _private_dir() -> Path:
    global _dir
    if _dir is None or not _dir.is_dir():
        _dir = Path(tempfile.mkdtemp(prefix="casework-"))
        os.chmod(_dir, 0o700)
    return _dir


def write_private(document_id: int, mime: str, content: bytes) -> Path:
    """Write ``content`` to a new file only the user can read (0600); returns its path."""
    folder = _private_dir()
    suffix = SUFFIX.get(mime, ".bin")
    n = 0
    while True:
        path = folder / f"document-{document_id}{'-' + str(n) if n else ''}{suffix}"
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            break
        except FileExistsError:
            n += 1
    with os.fdopen(fd, "wb") as fh:
        fh.write(content)
    _open_files.add(path)
    return path


def forget(path: Path) -> None:
    """Delete one temporary copy (if it is still there)."""
    _open_files.discard(path)
    try:
        path.unlink()
    except OSError:
        pass


def forget_all() -> None:
    """Delete every temporary copy and the private folder (on lock and at exit)."""
    global _dir
    for path in list(_open_files):
        forget(path)
    if _dir is not None:
        shutil.rmtree(_dir, ignore_errors=True)
        _dir = None


atexit.register(forget_all)


def open_document(parent: QWidget, ws: Any, document_id: int,
                  done: Any = None) -> None:
    """Read the document (audited) off the GUI thread, write the private copy and open it
    in the system viewer; ``done(path)`` is called afterwards (tests use it)."""
    from casework.cases.caseview import document_content

    def show(doc: Any) -> None:
        path = write_private(doc.id, doc.mime, doc.content)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
        QTimer.singleShot(KEEP_MS, lambda: forget(path))
        if done is not None:
            done(path)

    QueryOp(parent, lambda: document_content(ws, document_id), show).run()
