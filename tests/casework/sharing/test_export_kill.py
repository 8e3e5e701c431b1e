"""An export appears whole or not at all, and the audit trail says which.

The real casework-cli is killed (SIGKILL) part-way through ``export quarterly`` at times
spread over an uninterrupted run, into a new folder and into a folder that already holds
other files. Never a partial set with an "export" (completed) audit entry; after the next
export into the folder no partial set and no staging folder is left. A crash between the
moves themselves is forced in-process too, since a kill rarely lands there.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from casework.sharing import quarterly, safety
from casework.sharing.pipeline import exports_journal
from casework.sharing.safety import STAGE_PREFIX, sweep
from db.models import AuditEntry
from tests.casework.cli.clirun import CLI, run_cli
from tests.casework.sharing.test_quarterly import fill
from tests.conftest import CliLogin

QUARTER = "2026Q3"
NAMES = set(quarterly.file_names(QUARTER, quarterly.TABLE_NAMES))


def audit_actions(db) -> list[tuple[str, dict]]:
    with db.ws("admin").uow() as s:
        rows = s.scalars(select(AuditEntry).where(AuditEntry.action.like("export%"))
                         .order_by(AuditEntry.seq)).all()
        return [(r.action, json.loads(r.detail or "{}")) for r in rows]


def outputs(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir() if p.name in NAMES} if folder.exists() else set()


def stages(*folders: Path) -> list[Path]:
    return [p for f in folders if f.exists() for p in f.iterdir()
            if p.name.startswith(STAGE_PREFIX)]


def start(coord: CliLogin, out: Path) -> subprocess.Popen[bytes]:
    """casework-cli exporting the quarter as the coordinator (a file or a server profile)."""
    command = [str(CLI)] if CLI.exists() else [sys.executable, "-m", "casework.cli.main"]
    return subprocess.Popen([*command, *coord.argv, "export", "quarterly", "--quarter",
                             QUARTER, "--out", str(out)], env=coord.subprocess_env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@pytest.mark.slow
def test_a_killed_export_leaves_no_partial_set_with_a_completed_entry(db, tmp_path):
    fill(db.system(), 600)
    coord = db.cli("coord")
    db.close()
    t0 = time.monotonic()
    done = start(coord, tmp_path / "whole")
    assert done.wait(timeout=300) == 0
    full = time.monotonic() - t0
    assert outputs(tmp_path / "whole") == NAMES
    base = len([a for a, _d in audit_actions(db) if a == "export"])
    db.close()
    runs = 0
    seen: dict[tuple[bool, bool], int] = {}
    for n, fraction in enumerate((0.5, 0.7, 0.85, 0.95)):
        for shared in (False, True):
            out = tmp_path / f"run-{n}-{'shared' if shared else 'new'}"
            if shared:
                out.mkdir()
                (out / "earlier.txt").write_text("an earlier file the export must not touch")
            proc = start(coord, out)
            time.sleep(full * fraction)
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=60)
            runs += 1
            completed = len([a for a, _d in audit_actions(db) if a == "export"]) - base
            db.close()
            got = outputs(out)
            assert got in (set(), NAMES), (fraction, shared, got)
            if completed:
                assert got == NAMES
            seen[(completed > 0, got == NAMES)] = seen.get((completed > 0, got == NAMES),
                                                            0) + 1
            base += completed
            # The next export into the folder clears what the killed one left.
            sweep(out)
            sweep(out.parent)
            assert stages(out, tmp_path) == []
            assert outputs(out) in (set(), NAMES)
            if shared:
                assert (out / "earlier.txt").exists()
    assert runs == 8
    print("kill outcomes (completed entry, whole set):", seen)
    assert stages(*(p for p in tmp_path.iterdir() if p.is_dir()), tmp_path) == []


def test_a_crash_between_the_moves_shows_incomplete_and_is_taken_back(db, tmp_path,
                                                                       monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    (out / "earlier.txt").write_text("kept")
    real_replace = os.replace
    moved: list[str] = []

    def crash_after_two(src, dst):
        if len(moved) == 2:
            raise SystemExit("killed")  # as abrupt as a kill for what is on disk
        moved.append(str(dst))
        real_replace(src, dst)

    monkeypatch.setattr(safety.os, "replace", crash_after_two)
    with pytest.raises(SystemExit):
        quarterly.export_quarterly(db.ws("coord"), QUARTER, out)
    monkeypatch.setattr(safety.os, "replace", real_replace)
    assert len(moved) == 2
    actions = [a for a, _d in audit_actions(db)]
    assert actions == ["export.started"]  # started, never completed
    # The two files already moved were taken back; the folder's own file is untouched.
    assert outputs(out) == set() and (out / "earlier.txt").read_text() == "kept"
    assert stages(out, tmp_path) == []
    quarterly.export_quarterly(db.ws("coord"), QUARTER, out)
    assert outputs(out) == NAMES and (out / "earlier.txt").read_text() == "kept"
    assert stages(out, tmp_path) == []
    assert [a for a, _d in audit_actions(db)] == ["export.started", "export.started",
                                                  "export"]


def test_leftover_staging_folders_are_removed_at_the_next_start(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stage = out / f"{STAGE_PREFIX}{dead.pid}-abc"
    stage.mkdir()
    (stage / "quarterly-2026Q3-records.csv").write_text("half")
    # It had already moved one file into place before it died.
    (out / "quarterly-2026Q3-about.csv").write_text("moved")
    (out / "mine.csv").write_text("not the export's")
    (stage / safety.MANIFEST).write_text(json.dumps({"files": {
        "quarterly-2026Q3-about.csv": safety.sha256_file(out / "quarterly-2026Q3-about.csv"),
        "quarterly-2026Q3-records.csv": "0" * 64}}))
    alive = out / f"{STAGE_PREFIX}{os.getpid()}-live"
    alive.mkdir()
    assert sweep(out) == 1
    assert not stage.exists() and alive.exists()
    assert sorted(p.name for p in out.iterdir()) == [alive.name, "mine.csv"]


def journal_of(db, admin: CliLogin, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The export journal of casework-cli signed in as ``admin``: beside the database
    file, or (a team server) beside the laptop's state for that server."""
    if db.backend == "file":
        return Path(f"{db.path}.exports")
    from casework.server import profiles, session

    admin.use(monkeypatch)  # the CLI's profiles file and state folder, in this process
    state = session.state_path(profiles.get(admin.argv[admin.argv.index("--server") + 1])
                               .url())
    return state.with_name(f"{state.name}.exports")


def test_an_export_killed_part_way_is_tidied_at_the_next_unlock(db, tmp_path, monkeypatch):
    """No need to wait for the next export into the same folder: the journal beside the
    database names the folder, and the next command that signs in tidies it."""
    out = tmp_path / "out"
    out.mkdir()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stage = out / f"{STAGE_PREFIX}{dead.pid}-abc"
    stage.mkdir()
    (out / "quarterly-2026Q3-about.csv").write_text("moved")
    (stage / safety.MANIFEST).write_text(json.dumps({"files": {
        "quarterly-2026Q3-about.csv": safety.sha256_file(out / "quarterly-2026Q3-about.csv")}}))
    admin = db.cli("admin")
    journal = safety.Journal(journal_of(db, admin, monkeypatch))
    journal.path.parent.mkdir(parents=True, exist_ok=True)
    journal.path.write_text(json.dumps({"folder": str(out), "pid": dead.pid}) + "\n")
    db.close()
    res = run_cli(*admin.argv, "audit", "verify", env_extra=admin.env)
    assert res.returncode == 0, res.stderr
    assert "removed 1 unfinished export" in res.stderr
    assert not stage.exists() and list(out.iterdir()) == []
    assert not journal.path.exists()
    assert [a for a, d in audit_actions(db)] == ["export.recovered"]
    # An export that finishes leaves no journal behind.
    coord = db.ws("coord")
    quarterly.export_quarterly(coord, QUARTER, out)
    assert outputs(out) == NAMES and not exports_journal(coord).path.exists()
