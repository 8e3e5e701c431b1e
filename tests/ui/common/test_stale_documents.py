"""Decrypted copies that a crashed or killed run left in its private folder are removed
at the next start; a running instance's folder, and folders that are not ours, are kept."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from ui.common import documents


def _private(root: Path, name: str) -> Path:
    folder = root / name
    folder.mkdir(mode=0o700)
    os.chmod(folder, 0o700)
    (folder / "document-1.pdf").write_bytes(b"%PDF- a letter")
    return folder


def test_folders_of_ended_runs_are_removed_at_start(tmp_path: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    gone = _private(tmp_path, f"casework-{int(dead.stdout)}-abc123")
    old_style = _private(tmp_path, "casework-q1w2e3")
    os.utime(old_style, (1_000_000, 1_000_000))  # long ago
    live = _private(tmp_path, f"casework-{os.getppid()}-def456")  # a running process
    recent_old_style = _private(tmp_path, "casework-z9y8x7")
    shared = _private(tmp_path, "casework-notmine")
    os.chmod(shared, 0o755)  # not a private folder: left alone
    os.utime(shared, (1_000_000, 1_000_000))
    other = _private(tmp_path, "something-else")
    assert documents.remove_stale(tmp_path) == 2
    assert not gone.exists() and not old_style.exists()
    assert live.exists() and recent_old_style.exists() and shared.exists() and other.exists()


def test_the_desktop_start_cleans_up(monkeypatch: Any, tmp_path: Path) -> None:
    import ui.shell.app as app

    called: list[bool] = []
    monkeypatch.setattr(documents, "remove_stale", lambda *a: called.append(True) or 0)
    monkeypatch.setattr(app, "make_app", lambda **_kw: (_ for _ in ()).throw(SystemExit(0)))
    try:
        app.main(["--db", str(tmp_path / "x.db"), "--user", "cm"])
    except SystemExit:
        pass
    assert called == [True]


def test_a_private_folder_is_named_by_its_process(monkeypatch: Any) -> None:
    monkeypatch.setattr(documents, "_dir", None)
    path = documents.write_private(7, "application/pdf", b"%PDF-")
    try:
        assert path.parent.name.startswith(f"casework-{os.getpid()}-")
        assert oct(path.parent.stat().st_mode & 0o777) == "0o700"
    finally:
        documents.forget_all()
