"""Opening a stored document (a letter PDF) in the system's viewer.

PySide6-Essentials has no QtPdf, so a document is written to a private temporary file
(a folder of mode 0700, the file 0600, created exclusively) and handed to the desktop's
viewer with ``QDesktopServices``. The files are deleted when the application locks or
exits, and each after ``KEEP_MS`` at the latest: a decrypted copy must not outlive the
session that opened it. A crash or a kill skips that, so at start ``remove_stale`` deletes
the private folders that earlier runs left: each folder's name carries the process id
that made it (``casework-<pid>-...``), and a folder is removed when that process is gone
(a folder of an older naming, without a process id, once it is older than
``KEEP_MS``). Only folders of this user, of mode 0700, in the system's temporary folder
are touched.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import shutil
import sys
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


PREFIX = "casework-"
_OURS = re.compile(r"^casework-(?:(\d+)-)?[A-Za-z0-9_]+$")


def _private_dir() -> Path:
    global _dir
    if _dir is None or not _dir.is_dir():
        _dir = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-"))
        os.chmod(_dir, 0o700)
    return _dir


def _alive(pid: int) -> bool:
    """Whether a process of that id is running (a process of another user counts)."""
    if pid == os.getpid():
        return True
    if sys.platform == "win32":  # os.kill would end the process on Windows
        import ctypes

        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        handle = kernel32.OpenProcess(0x1000, False, pid)  # QUERY_LIMITED_INFORMATION
        if not handle:
            return False
        code = ctypes.c_ulong()
        kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        kernel32.CloseHandle(handle)
        return code.value == 259  # STILL_ACTIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _fs_now(root: Path) -> float:
    """The file system's idea of now (a new file's modification time), to age folders by
    the same clock that stamped them."""
    try:
        with tempfile.TemporaryFile(dir=root) as fh:
            return os.fstat(fh.fileno()).st_mtime
    except OSError:
        return 0.0


def remove_stale(root: Path | None = None) -> int:
    """Delete the private folders that earlier, ended runs left behind (a crash or a kill
    while a letter was open in a viewer). Returns how many were removed."""
    root = Path(tempfile.gettempdir()) if root is None else Path(root)
    removed = 0
    try:
        candidates = list(root.iterdir())
    except OSError:
        return 0
    uid = os.getuid() if hasattr(os, "getuid") else None
    for folder in candidates:
        match = _OURS.match(folder.name)
        if match is None or folder == _dir:
            continue
        try:
            st = folder.lstat()
        except OSError:
            continue
        if not folder.is_dir() or folder.is_symlink():
            continue
        if uid is not None and (st.st_uid != uid or st.st_mode & 0o077):
            continue  # not a private folder of this user
        pid = match.group(1)
        if pid is not None and _alive(int(pid)):
            continue
        if pid is None and _fs_now(root) - st.st_mtime < KEEP_MS / 1000:
            continue  # an older naming: it may belong to a run still going
        with contextlib.suppress(OSError):
            shutil.rmtree(folder)
            removed += 1
    return removed


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
