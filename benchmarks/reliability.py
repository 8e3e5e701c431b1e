"""Reliability suite: crashes, full disks and damaged files.

Scenarios (each a function; ``run(size)`` runs them all):

- ``sigkill``: a child process writes cases (with a note and their audit entry, one
  transaction each) and prints each id after its commit; the parent kills it with SIGKILL
  at a random moment, ``size`` times, and after every kill counts committed records that
  were lost, case rows without their audit entry, ``check`` failures and chain failures.
  All four must be 0.
- ``rekey_kills``: a child process rekeys the database over and over; the parent kills
  it with SIGKILL at a random moment, ``size`` times (50 by default), and after every
  kill each user must still open it, ``check`` must pass and the audit chain must verify.
- ``disk_full``: a backup and a subject access export onto a full disk (a small tmpfs when
  this process may mount one, and an injected ENOSPC always): the earlier file must be
  intact and no partial file left behind.
- ``byte_flips``: ``size`` random byte flips, each in a fresh copy of a database that has
  free pages; every flip must be detected by opening or by ``check`` (SQLCipher's page
  HMACs cover every page, free ones too).

Standalone::

    .venv/bin/python -m benchmarks.reliability [--kills 200] [--flips 200]
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path
from typing import Any
from unittest import mock

from benchmarks.bench_audit import PASSWORD, fast_database
from casework.core import audit
from casework.core.context import SYSTEM, Workspace
from casework.safeguards import sar
from db.engine import connect_raw
from db.errors import DatabaseCorrupt, NotADatabase
from db.keyslots import slot_path
from db.models import Case, CaseParty, Note, Person
from db.store import check_connection

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import os, sys
from datetime import date
from pathlib import Path
from casework.core import audit
from casework.core.context import open_workspace
from db.models import Case, Note
ws = open_workspace(Path(sys.argv[1]), "admin", os.environ["CASEWORK_PASSWORD"])
print("ready", flush=True)
while True:
    with ws.uow() as session:
        case = Case(reference="K-" + os.urandom(6).hex(), case_type="asb",
                    opened_on=date(2026, 1, 5), summary="synthetic " * 20)
        session.add(case)
        session.flush()
        session.add(Note(case_id=case.id, body="synthetic note " * 30))
        audit.record(ws, session, "case.create", "case", case.id)
    print(case.id, flush=True)
"""


def _row(scenario: str, size: int, seconds: float, **extra: Any) -> dict[str, Any]:
    return {"scenario": scenario, "size": size, "seconds": round(seconds, 2),
            "baseline_seconds": None, **extra}


# -- SIGKILL during writes --------------------------------------------------------------

def _inspect(path: Path, key: bytes, printed: set[int]) -> dict[str, int]:
    conn = connect_raw(path, key)
    try:
        present = {r[0] for r in conn.execute("SELECT id FROM cases")}
        orphans = conn.execute(
            "SELECT count(*) FROM cases c WHERE NOT EXISTS (SELECT 1 FROM audit_entries a "
            "WHERE a.record_type = 'case' AND a.record_id = CAST(c.id AS TEXT) "
            "AND a.action = 'case.create')").fetchone()[0]
        chain_ok = audit.verify_connection(conn).ok
    finally:
        conn.close()
    problems = check_connection(connect_raw(path, key))
    return {"lost": len(printed - present), "orphans": int(orphans),
            "check_failures": int(bool(problems)), "verify_failures": int(not chain_ok),
            "present": len(present)}


def sigkill(kills: int = 200, seed: int = 1, max_delay: float = 0.3) -> dict[str, Any]:
    """Kill a writing child ``kills`` times; count lost, orphaned and failed checks."""
    rng = random.Random(seed)
    totals = {"lost": 0, "orphans": 0, "check_failures": 0, "verify_failures": 0}
    committed = 0
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "kill.db"
        ws = fast_database(path)
        key = bytes(ws.store._key or b"")
        ws.lock()
        env = {**os.environ, "CASEWORK_PASSWORD": PASSWORD,
               "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
        printed: set[int] = set()
        for _ in range(kills):
            proc = subprocess.Popen([sys.executable, "-c", CHILD, str(path)], cwd=ROOT,
                                    env=env, stdout=subprocess.PIPE,
                                    stderr=subprocess.DEVNULL, text=True)
            assert proc.stdout is not None
            ready = threading.Event()
            lines: list[str] = []

            def read(stream: Any = proc.stdout, out: list[str] = lines,
                     flag: threading.Event = ready) -> None:
                for line in stream:
                    if line == "ready\n":
                        flag.set()
                    elif line.endswith("\n"):  # a line cut by the kill is not a commit
                        out.append(line)
                flag.set()

            reader = threading.Thread(target=read, daemon=True)
            reader.start()
            ready.wait(60)
            time.sleep(rng.uniform(0.0, max_delay))
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            reader.join(10)
            ids = {int(x) for x in lines if x.strip().isdigit()}
            committed += len(ids)
            printed |= ids
            found = _inspect(path, key, printed)
            for k in totals:
                totals[k] += found[k]
    seconds = time.perf_counter() - t0
    return _row("SIGKILL during writes", kills, seconds, committed=committed,
                lost_committed=totals["lost"], cases_without_audit=totals["orphans"],
                check_failures=totals["check_failures"],
                verify_failures=totals["verify_failures"],
                ok=not any(totals.values()) and committed > 0)


# -- SIGKILL during rekey ---------------------------------------------------------------

REKEY_CHILD = r"""
import os, sys
from pathlib import Path
from casework.core import audit
from casework.core.context import Workspace, open_workspace
ws = open_workspace(Path(sys.argv[1]), "admin", os.environ["CASEWORK_PASSWORD"])
print("ready", flush=True)
while True:
    ws.store.rekey()
    again = Workspace(ws.store, ws.actor)
    with again.uow() as session:
        audit.record(again, session, "database.rekey")
    print("rekeyed", flush=True)
"""


def _after_rekey_kill(path: Path) -> dict[str, int]:
    """Open as every user, check the file and verify the chain after a kill."""
    from casework.core.context import open_workspace

    found = {"open_failures": 0, "check_failures": 0, "verify_failures": 0}
    for user in ("admin", "cm"):
        try:
            ws = open_workspace(path, user, PASSWORD)
        except Exception:  # noqa: BLE001 - counted, and the run goes on
            found["open_failures"] += 1
            continue
        try:
            found["check_failures"] += int(bool(ws.store.check()))
            found["verify_failures"] += int(not audit.verify(ws).ok)
        finally:
            ws.lock()
    return found


def rekey_kills(kills: int = 50, seed: int = 1, max_delay: float = 1.5) -> dict[str, Any]:
    """Kill a child that rekeys over and over ``kills`` times; after every kill each user
    must still open the database, ``check`` must pass and the chain must verify."""
    from casework.core import users

    rng = random.Random(seed)
    totals = {"open_failures": 0, "check_failures": 0, "verify_failures": 0}
    rekeys = 0
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "rekey.db"
        ws = fast_database(path)
        users.add_user(ws, "cm", PASSWORD, "case_manager")
        ws.lock()
        env = {**os.environ, "CASEWORK_PASSWORD": PASSWORD,
               "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
        for _ in range(kills):
            proc = subprocess.Popen([sys.executable, "-c", REKEY_CHILD, str(path)], cwd=ROOT,
                                    env=env, stdout=subprocess.PIPE,
                                    stderr=subprocess.DEVNULL, text=True)
            assert proc.stdout is not None
            ready = threading.Event()
            lines: list[str] = []

            def read(stream: Any = proc.stdout, out: list[str] = lines,
                     flag: threading.Event = ready) -> None:
                for line in stream:
                    if line == "ready\n":
                        flag.set()
                    else:
                        out.append(line)
                flag.set()

            reader = threading.Thread(target=read, daemon=True)
            reader.start()
            ready.wait(60)
            time.sleep(rng.uniform(0.0, max_delay))
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            reader.join(10)
            rekeys += sum(1 for x in lines if x == "rekeyed\n")
            found = _after_rekey_kill(path)
            for k in totals:
                totals[k] += found[k]
    return _row("SIGKILL during rekey", kills, time.perf_counter() - t0,
                rekeys_completed=rekeys, **totals,
                ok=not any(totals.values()) and rekeys > 0)


# -- full disk during a backup and an export --------------------------------------------

def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _subject_database(path: Path, cases: int = 40) -> tuple[Workspace, int]:
    ws = fast_database(path)
    with ws.as_actor(SYSTEM).uow() as session:
        person = Person(given_name="Synthia", family_name="Testperson", phone="07700900999")
        session.add(person)
        session.flush()
        for i in range(cases):
            case = Case(reference=f"ASB-2025-{i:06d}", case_type="asb",
                        opened_on=date(2025, 1, 1), summary="synthetic summary " * 40)
            session.add(case)
            session.flush()
            session.add(CaseParty(case_id=case.id, person_id=person.id, role="victim"))
            session.add(Note(case_id=case.id, body="synthetic note text " * 200))
        pid = person.id
    conn = ws.store.raw_connection()
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    return ws, pid


@contextlib.contextmanager
def _tmpfs(size_bytes: int) -> Any:
    """A small tmpfs mount, or None when this process may not mount one."""
    point = Path(tempfile.mkdtemp(prefix="casework-full-"))
    size_kib = max(64, size_bytes // 1024)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kib}k", "tmpfs",
                           str(point)], capture_output=True, check=False)
    try:
        yield point if done.returncode == 0 else None
    finally:
        if done.returncode == 0:
            subprocess.run(["umount", str(point)], capture_output=True, check=False)
        shutil.rmtree(point, ignore_errors=True)


def _fill(folder: Path, leave: int = 2048) -> Path:
    filler = folder / "filler"
    with open(filler, "wb") as fh, contextlib.suppress(OSError):
        while True:
            fh.write(b"\0" * 4096)
            fh.flush()
    st = os.statvfs(folder)
    free = st.f_bavail * st.f_frsize
    if free < leave:
        with open(filler, "r+b") as fh:
            fh.truncate(max(0, filler.stat().st_size - (leave - free)))
    return filler


def _enospc(*_a: Any, **_k: Any) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def _leftovers(folder: Path, keep: set[str]) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name not in keep)


def _backup_case(ws: Workspace, folder: Path, real: bool) -> dict[str, Any]:
    prev = folder / "previous.db"
    ws.store.backup(prev)
    before = _sha(prev)
    failed = False
    try:
        if real:
            _fill(folder)
            ws.store.backup(folder / "new.db")
        else:
            with mock.patch("db.store.os.fsync", _enospc):
                ws.store.backup(folder / "new.db")
    except OSError:
        failed = True
    except Exception as exc:  # sqlite reports a full disk as its own error
        failed = "full" in str(exc).lower() or "disk" in str(exc).lower()
    with contextlib.suppress(FileNotFoundError):
        (folder / "filler").unlink()
    intact = _sha(prev) == before and not check_connection(connect_raw(prev, ws.store._key
                                                                        or b""))
    source_ok = not ws.store.check()
    left = _leftovers(folder, {prev.name, slot_path(prev).name})
    return {"failed_as_expected": failed, "previous_intact": intact, "database_ok": source_ok,
            "partial_files": left, "ok": failed and intact and source_ok and not left}


def _export_case(ws: Workspace, pid: int, folder: Path, real: bool) -> dict[str, Any]:
    ws = ws.as_actor(SYSTEM)  # subject access is information governance's, not the admin's
    first = sar.export(ws, pid, folder, date(2026, 6, 15))
    before = {f.name: _sha(f) for f in first.files}
    failed = False
    try:
        if real:
            _fill(folder)
            sar.export(ws, pid, folder, date(2026, 6, 15))
        else:
            with mock.patch("db.keyslots.os.fsync", _enospc):
                sar.export(ws, pid, folder, date(2026, 6, 15))
    except OSError:
        failed = True
    with contextlib.suppress(FileNotFoundError):
        (folder / "filler").unlink()
    intact = {n: _sha(folder / n) for n in before} == before
    left = _leftovers(folder, set(before))
    return {"failed_as_expected": failed, "previous_intact": intact, "partial_files": left,
            "ok": failed and intact and not left}


def disk_full(real: bool | None = None, cases: int = 40) -> list[dict[str, Any]]:
    """A backup and an export (of a person in ``cases`` cases) onto a full disk: a tmpfs
    (if this process may mount one and ``real`` is not False) and an injected ENOSPC."""
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        ws, pid = _subject_database(Path(tmp) / "full.db", cases)
        try:
            size = Path(ws.store.path).stat().st_size
            modes = [False]
            with _tmpfs(size) as probe:
                if probe is not None and real is not False:
                    modes.append(True)
            for is_real in modes:
                how = "tmpfs" if is_real else "injected ENOSPC"
                t = time.perf_counter()
                with _tmpfs(int(size * 1.6) + 262144) as mnt:
                    folder = mnt if is_real else Path(tempfile.mkdtemp(dir=tmp))
                    assert folder is not None
                    b = _backup_case(ws, folder, is_real)
                rows.append(_row(f"disk full during backup ({how})", size,
                                 time.perf_counter() - t, **b))
                t = time.perf_counter()
                with _tmpfs(2 * 1024 * 1024) as mnt:
                    folder = mnt if is_real else Path(tempfile.mkdtemp(dir=tmp))
                    assert folder is not None
                    e = _export_case(ws, pid, folder, is_real)
                rows.append(_row(f"disk full during export ({how})", cases,
                                 time.perf_counter() - t, **e))
        finally:
            ws.lock()
    return rows


# -- byte flips -------------------------------------------------------------------------

def _flip_database(path: Path) -> tuple[bytes, int, int]:
    ws, _pid = _subject_database(path)
    with ws.uow() as session:  # free some pages so that flips also land on the free list
        session.query(Note).filter(Note.id % 2 == 0).delete()
    key = bytes(ws.store._key or b"")
    ws.lock()
    conn = connect_raw(path, key)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        free = conn.execute("PRAGMA freelist_count").fetchone()[0]
    finally:
        conn.close()
    return key, int(pages), int(free)


def detected(path: Path, key: bytes) -> str:
    """How damage shows: "open" (refused), "check" (a problem reported), "crash" (check
    raised instead of reporting), or "" when nothing was noticed."""
    try:
        conn = connect_raw(path, key)
    except (NotADatabase, DatabaseCorrupt):  # a damaged first page is refused on open
        return "open"
    try:
        return "check" if check_connection(conn) else ""
    except Exception:  # e.g. MemoryError from SQLite reading a damaged page
        return "crash"


def byte_flips(flips: int = 200, seed: int = 1) -> dict[str, Any]:
    """Flip one random byte (random bit mask) in a fresh copy, ``flips`` times."""
    rng = random.Random(seed)
    t0 = time.perf_counter()
    missed: list[int] = []
    how: dict[str, int] = {"open": 0, "check": 0, "crash": 0}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "flip.db"
        key, pages, free = _flip_database(path)
        clean = path.read_bytes()
        if detected(path, key):
            raise AssertionError("the untouched copy already fails its check")
        page_size = len(clean) // pages
        copy = Path(tmp) / "copy.db"
        for _ in range(flips):
            data = bytearray(clean)
            offset = rng.randrange(len(data))
            data[offset] ^= rng.randrange(1, 256)
            copy.write_bytes(bytes(data))
            for extra in (Path(f"{copy}-wal"), Path(f"{copy}-shm")):
                with contextlib.suppress(FileNotFoundError):
                    extra.unlink()
            found = detected(copy, key)
            if found:
                how[found] += 1
            else:
                missed.append(offset // page_size + 1)
    return _row("byte flips detected", flips, time.perf_counter() - t0,
                detected=flips - len(missed), refused_on_open=how["open"],
                reported_by_check=how["check"], check_raised=how["crash"],
                missed_pages=missed, pages=pages, free_pages=free, ok=not missed)


def run(size: int = 200) -> list[dict[str, Any]]:
    """All scenarios: ``size`` kills and ``size`` byte flips."""
    return [sigkill(size), *disk_full(), byte_flips(size)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.reliability")
    parser.add_argument("--kills", type=int, default=200)
    parser.add_argument("--flips", type=int, default=200)
    parser.add_argument("--rekey-kills", type=int, default=50)
    parser.add_argument("--only", choices=["rekey"], help="run one scenario only")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.only == "rekey":
        rows = [rekey_kills(args.rekey_kills, args.seed)]
    else:
        rows = [sigkill(args.kills, args.seed), rekey_kills(args.rekey_kills, args.seed),
                *disk_full(), byte_flips(args.flips, args.seed)]
    for row in rows:
        facts = ", ".join(f"{k}={v}" for k, v in row.items()
                          if k not in ("scenario", "size", "seconds", "baseline_seconds"))
        print(f"{row['scenario']}: size={row['size']} in {row['seconds']} s: {facts}",
              flush=True)
    return 0 if all(r["ok"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
