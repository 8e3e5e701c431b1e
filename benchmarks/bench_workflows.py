"""Benchmarks for the case workflows at scale (targets from the "case workflows" issue):

- saving a case change with its audit entry, at 100,000 cases: p95 under 50 ms;
- computing every KPI for a quarter: under 2 s at 100,000 cases, under 3 s at a million.

Wall-clock figures are the targets; the median CPU time of the process is reported too,
because wall time on a shared machine includes waiting for other work.

``run(size)`` copies the foundation benchmarks' cached demo database of that size (made
once per schema by ``bench_foundation.database``), or ``reuse`` (a demo database made
with the demo password, e.g. /tmp/demo100k.db), so the original is never written to.
Standalone::

    .venv/bin/python -m benchmarks.bench_workflows [SIZE] [--reuse PATH]
"""

from __future__ import annotations

import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select

from benchmarks.bench_foundation import loadavg, peak_rss_mb
from casework.cases import lifecycle as cases
from casework.core import clock
from casework.core.context import open_workspace
from casework.core.permissions import visible_cases
from casework.reporting import kpis
from casework.trigger import figures
from db.keyslots import slot_path
from db.models import Case

SAVE_TARGET = 0.050
KPI_TARGET = 2.0
KPI_TARGET_1M = 3.0
SAVE_SAMPLES = 300
KPI_RUNS = 5
CASE_MANAGER = "asb1"
COORDINATOR = "coord"


def previous_quarter(today: date) -> str:
    """The last complete quarter before ``today`` (the one a coordinator reports on)."""
    q = (today.month - 1) // 3  # 0..3: the current quarter's index
    return f"{today.year - 1}Q4" if q == 0 else f"{today.year}Q{q}"


def build(path: Path, size: int, reuse: Path | None = None) -> tuple[str, float]:
    """A demo database at ``path`` (made, or copied from ``reuse``); returns its password
    and the seconds it took."""
    from casework.demo import DEMO_PASSWORD, create_demo_database

    t = time.perf_counter()
    if reuse is not None:
        shutil.copy2(reuse, path)
        shutil.copy2(slot_path(reuse), slot_path(path))
        counter = reuse.with_name(reuse.name + ".lockout")  # else the first unlock waits 30 s
        if counter.exists():
            shutil.copy2(counter, path.with_name(path.name + ".lockout"))
    else:
        create_demo_database(path, cases=size, seed=2026, password=DEMO_PASSWORD)
    return DEMO_PASSWORD, time.perf_counter() - t


def save_case_change(path: Path, password: str, size: int) -> dict[str, Any]:
    """p95 of saving one change to a case (a note, with its permission check and audit
    entry, committed with BEGIN IMMEDIATE and synchronous=FULL)."""
    ws = open_workspace(path, CASE_MANAGER, password)
    try:
        with ws.uow() as session:
            ids = list(session.scalars(select(Case.id).where(
                visible_cases(ws.actor), Case.case_type == "asb", Case.status == "open")))
        rng = random.Random(7)
        picks = [rng.choice(ids) for _ in range(SAVE_SAMPLES + 10)]
        timings, cpu = [], []
        for i, case_id in enumerate(picks):
            t, c = time.perf_counter(), time.process_time()
            cases.add_note(ws, case_id, "Benchmark: spoke to the complainant; no change.")
            if i >= 10:  # the first few warm the page cache
                timings.append(time.perf_counter() - t)
                cpu.append(time.process_time() - c)
    finally:
        ws.lock()
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    return {"scenario": "save case change (note + audit)", "size": size,
            "seconds": round(p95, 4), "baseline_seconds": None, "statistic": "p95",
            "p50_seconds": round(statistics.median(timings), 4),
            "max_seconds": round(timings[-1], 4), "samples": len(timings),
            "cpu_seconds": round(sorted(cpu)[int(len(cpu) * 0.95) - 1], 4),  # p95 too
            "target_seconds": SAVE_TARGET, "ok": p95 < SAVE_TARGET}


def quarter_kpis(path: Path, password: str, size: int, period: str) -> dict[str, Any]:
    """Every KPI for one quarter as the coordinator runs them (median of several runs)."""
    ws = open_workspace(path, COORDINATOR, password)
    try:
        timings, cpu = [], []
        for _ in range(KPI_RUNS):
            t, c = time.perf_counter(), time.process_time()
            result = kpis.compute_kpis(ws, period)
            timings.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
        t = time.perf_counter()
        figures.trigger_return(ws, int(period[:4]))
        trigger_seconds = time.perf_counter() - t
    finally:
        ws.lock()
    median = statistics.median(timings)
    return {"scenario": f"all KPIs for a quarter ({period})", "size": size,
            "seconds": round(median, 3), "baseline_seconds": None, "statistic": "median",
            "first_seconds": round(timings[0], 3), "max_seconds": round(max(timings), 3),
            "cpu_seconds": round(statistics.median(cpu), 3),
            "trigger_return_seconds": round(trigger_seconds, 3),
            "asb_cases_opened": result.asb.cases_opened,
            "target_seconds": kpi_target(size), "ok": max(timings) < kpi_target(size)}


def kpi_target(size: int) -> float:
    """2 s up to 100,000 cases; 3 s beyond (the scale issue's target at a million)."""
    return KPI_TARGET if size <= 100_000 else KPI_TARGET_1M


def run(size: int = 100_000, reuse: Path | None = None) -> list[dict[str, Any]]:
    """Copy a ``size``-case demo database and time both scenarios on the copy.

    Without ``reuse`` the copy is of the foundation benchmarks' cached database of that
    size (``bench_foundation.database``: generated once per schema and shared by every
    module), so a run at a million cases generates one database, not two.
    """
    if reuse is None:
        from benchmarks.bench_foundation import database

        reuse = database(size)[0]
    with tempfile.TemporaryDirectory(dir=reuse.parent) as tmp:
        path = Path(tmp) / "bench.db"
        password, build_seconds = build(path, size, reuse)
        rows = [save_case_change(path, password, size),
                quarter_kpis(path, password, size, previous_quarter(clock.today()))]
    for row in rows:
        row["build_seconds"] = round(build_seconds, 1)
        row["peak_rss_mb"] = peak_rss_mb()
        row["loadavg"] = loadavg()
    return rows


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else list(argv)
    reuse = None
    if "--reuse" in args:
        at = args.index("--reuse")
        reuse = Path(args[at + 1])
        del args[at:at + 2]
    size = int(args[0]) if args else 100_000
    for row in run(size, reuse):
        print(f"{row['scenario']}: {row['size']:,} cases, {row['statistic']} "
              f"{row['seconds'] * 1000:.1f} ms (max {row['max_seconds'] * 1000:.1f} ms; "
              f"CPU {row['cpu_seconds'] * 1000:.1f} ms; "
              f"target < {row['target_seconds'] * 1000:.0f} ms; database built in "
              f"{row['build_seconds']} s) {'PASS' if row['ok'] else 'FAIL'}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
