"""Importing a large ASB register: 100,000 rows in under 60 s with peak memory (RSS)
under 500 MB.

    .venv/bin/python -m benchmarks.bench_imports 100000

prints the wall and CPU seconds of the import, the rows per second and the process's peak
resident memory (``getrusage``: the whole process, the generated file included). The file
is synthetic: random names, dates of birth, addresses, a mix of open and closed cases.
"""

from __future__ import annotations

import random
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from benchmarks.bench_audit import PASSWORD, fast_database
from casework.core import clock, users
from casework.core.context import Workspace, open_workspace

TODAY = date(2026, 12, 1)
HEADER = ("reference_external,opened_on,category,subcategory,risk_level,lsoa_code,status,"
          "closed_on,outcome,first_contact_on,incident_count,summary,complainant_given_name,"
          "complainant_family_name,complainant_dob,complainant_address,complainant_postcode,"
          "subject_given_name,subject_family_name,subject_dob\n")
GIVEN = ("Alex", "Sam", "Jo", "Chris", "Pat", "Robin", "Jamie", "Morgan", "Casey", "Drew")
FAMILY = ("Smith", "Jones", "Taylor", "Brown", "Wilson", "Evans", "Thomas", "Roberts",
          "Walker", "Wright", "Green", "Hall", "Wood", "Clarke", "Hughes")


def register(rows: int, seed: int = 13) -> bytes:
    """A synthetic ASB register of ``rows`` cases in the layout of docs/IMPORT.md."""
    rnd = random.Random(seed)
    out = [HEADER]
    for i in range(rows):
        opened = TODAY - timedelta(days=rnd.randrange(30, 1500))
        closed = rnd.random() < 0.6
        dob = date(1940, 1, 1) + timedelta(days=rnd.randrange(0, 25000))
        sdob = date(1950, 1, 1) + timedelta(days=rnd.randrange(0, 20000))
        out.append(",".join((
            f"EXT-{i:07d}", opened.isoformat(), rnd.choice(("personal", "nuisance",
                                                            "environmental")),
            "noise", rnd.choice(("standard", "medium", "high")), "",
            "closed" if closed else "open",
            (opened + timedelta(days=20)).isoformat() if closed else "",
            "resolved" if closed else "", "", str(rnd.randrange(0, 4)), "Synthetic row",
            rnd.choice(GIVEN), rnd.choice(FAMILY), dob.isoformat(),
            f"{rnd.randrange(1, 200)} High Street", "ZZ1 1ZZ",
            rnd.choice(GIVEN), rnd.choice(FAMILY), sdob.isoformat())) + "\n")
    return "".join(out).encode()


def importer_workspace(folder: Path) -> Workspace:
    path = folder / "bench-import.db"
    ws = fast_database(path)
    users.ensure_team(ws, "ASB Team", "asb")
    users.add_user(ws, "cm", PASSWORD, "case_manager", team="ASB Team")
    ws.lock()
    return open_workspace(path, "cm", PASSWORD)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(rows: int) -> dict[str, Any]:
    from casework.asb import importer

    with tempfile.TemporaryDirectory() as tmp, clock.frozen(TODAY):
        ws = importer_workspace(Path(tmp))
        try:
            content = register(rows)
            start, cpu = time.perf_counter(), time.process_time()
            result = importer.import_cases(ws, content)
            seconds = time.perf_counter() - start
            cpu_seconds = time.process_time() - cpu
        finally:
            ws.lock()
    assert result.cases == rows
    return {"rows": rows, "seconds": seconds, "cpu_seconds": cpu_seconds,
            "peak_rss_mb": peak_rss_mb()}


def run(size: int) -> list[dict[str, Any]]:
    rows = min(size, 100_000)
    m = measure(rows)
    return [
        {"scenario": "[imports] ASB register import", "size": rows, "seconds": m["seconds"],
         "baseline_seconds": None, "target": "< 60 s at 100,000",
         "target_seconds": 60.0 * rows / 100_000, "ok": m["seconds"] < 60.0 * rows / 100_000},
        {"scenario": "[imports] peak memory (MB, RSS) of that import", "size": rows,
         "seconds": m["peak_rss_mb"], "baseline_seconds": None, "target": "< 500 MB",
         "target_seconds": 500.0, "ok": m["peak_rss_mb"] < 500},
    ]


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    m = measure(n)
    print(f"{n} rows imported in {m['seconds']:.1f} s wall, {m['cpu_seconds']:.1f} s CPU "
          f"({n / m['seconds']:.0f} rows/s); peak RSS {m['peak_rss_mb']:.0f} MB")
