"""init and demo are all or nothing: a failure or a kill leaves no database and no key
slots behind, and a retry at the same path works."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from casework.admin import newdb
from casework.core.context import open_workspace
from casework.core.errors import ValidationError
from casework.demo import create_demo_database
from db.errors import DatabaseExists
from db.keyslots import slot_path

PASSWORD = "all or nothing password"


def _left(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_init_makes_the_database_and_its_slots_and_nothing_else(tmp_path: Path) -> None:
    path = tmp_path / "cw.db"
    ws, recovery = newdb.init_database(path, "admin", PASSWORD)
    assert recovery
    with ws.uow() as session:
        assert session.execute(text("SELECT count(*) FROM lsoas")).scalar_one() == 83
    ws.lock()
    assert _left(tmp_path) == ["cw.db", "cw.db.keys", "cw.db.lockout"]
    again = open_workspace(path, "admin", PASSWORD)  # it opens at its final name
    assert again.actor.role == "administrator"
    again.lock()


def test_a_failure_part_way_leaves_nothing(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "cw.db"

    def broken_seed(session: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(newdb, "seed", broken_seed)
    with pytest.raises(OSError):
        newdb.init_database(path, "admin", PASSWORD)
    assert _left(tmp_path) == []
    monkeypatch.undo()
    ws, _ = newdb.init_database(path, "admin", PASSWORD)  # the retry is not refused
    ws.lock()
    assert _left(tmp_path) == ["cw.db", "cw.db.keys", "cw.db.lockout"]


def test_a_failed_demo_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import casework.demo as demo

    def boom(*_a: object, **_k: object) -> None:
        raise RuntimeError("generator fault")

    monkeypatch.setattr(demo, "generate", boom)
    with pytest.raises(RuntimeError):
        create_demo_database(tmp_path / "demo.db", cases=30)
    assert _left(tmp_path) == []


def test_an_existing_database_is_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "cw.db"
    ws, _ = newdb.init_database(path, "admin", PASSWORD)
    ws.lock()
    before = path.read_bytes(), slot_path(path).read_bytes()
    with pytest.raises(DatabaseExists):
        newdb.init_database(path, "admin", "another password")
    with pytest.raises(ValidationError):
        create_demo_database(path, cases=30)
    assert (path.read_bytes(), slot_path(path).read_bytes()) == before
    assert _left(tmp_path) == ["cw.db", "cw.db.keys", "cw.db.lockout"]


def test_a_killed_demo_leaves_nothing_and_the_retry_tidies_up(tmp_path: Path) -> None:
    path = tmp_path / "demo.db"
    cli = [sys.executable, "-m", "casework.cli.main", "--db", str(path), "demo",
           "--cases", "100000"]
    env = {**os.environ, "CASEWORK_PASSWORD": PASSWORD}
    proc = subprocess.Popen(cli, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any(".partial-" in n for n in _left(tmp_path)):
        time.sleep(0.05)
    time.sleep(3)  # well into writing 100,000 cases (about half a minute's work)
    assert proc.poll() is None
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert not path.exists() and not slot_path(path).exists()
    assert any(".partial-" in n for n in _left(tmp_path))  # the kill left its work files
    info = create_demo_database(path, cases=30)
    assert info.stats.cases == 30
    assert _left(tmp_path) == ["demo.db", "demo.db.keys", "demo.db.lockout"]


def test_a_file_system_without_hard_links_still_gets_an_all_or_nothing_init(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """FAT on a USB stick has no hard links: the name is claimed, then the file moved."""
    import errno

    def no_links(_src: object, _dest: object) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    path = tmp_path / "cw.db"
    ws, _ = newdb.init_database(path, "admin", PASSWORD)
    ws.lock()
    assert _left(tmp_path) == ["cw.db", "cw.db.keys", "cw.db.lockout"]
    open_workspace(path, "admin", PASSWORD).lock()
    with pytest.raises(DatabaseExists):
        newdb.init_database(path, "admin", PASSWORD)
    assert _left(tmp_path) == ["cw.db", "cw.db.keys", "cw.db.lockout"]
