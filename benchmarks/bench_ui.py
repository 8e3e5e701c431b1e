"""Desktop benchmarks: the case list's first page, memory, and search as you type.

``run(size)`` returns one dict per scenario (scenario, size, seconds, baseline_seconds,
target, ok); ``benchmarks/run.py`` calls it. The database is a demo database of ``size``
synthetic cases, made once at ``/tmp/casework-ui-bench-<size>.db`` (or taken from
``CASEWORK_BENCH_DB``), signed in as the demo ASB officer.
"""

from __future__ import annotations

import os
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

FIRST_PAGE_TARGET_S = 0.200
RSS_TARGET_MB = 400
SEARCH_P95_TARGET_S = 0.100
QUERIES = ("AS", "ASB-2026-0001", "Smi", "Jon", "OX4", "Hig", "Cow", "ASB-20", "Ros", "Mar",
           "Bro", "Lee", "ST", "Wil", "CT-2026", "SAN-2", "Kel", "Ald", "Pat", "Gre")


def database(size: int) -> tuple[Path, str, str]:
    """A demo database of ``size`` cases (built once), its user and password."""
    from casework import demo

    env = os.environ.get("CASEWORK_BENCH_DB")
    path = Path(env) if env else Path(f"/tmp/casework-ui-bench-{size}.db")
    if not path.exists():
        demo.create_demo_database(path, cases=size)
    return path, "asb1", demo.DEMO_PASSWORD


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _row(scenario: str, size: int, seconds: float, target: float | str, ok: bool,
         **extra: Any) -> dict[str, Any]:
    return dict(scenario=scenario, size=size, seconds=round(seconds, 4), baseline_seconds=None,
                target=target, ok=ok, **extra)


def bench_case_list(ws: Any, size: int, repeats: int = 5) -> list[dict[str, Any]]:
    """Open the case list: the model's first page is in the view (through the real
    widgets and the background helper), then memory after scrolling 5 pages."""
    from ui.cases.caselist import CaseListView
    from ui.common.ops import active_count
    from ui.shell.app import make_app

    app = make_app()
    times = []
    view = None
    for _ in range(repeats):
        start = time.perf_counter()
        view = CaseListView(ws)
        view.resize(1400, 800)
        view.show()
        while not (view.model.loaded_once and view.model.rowCount() > 0):
            app.processEvents()
            time.sleep(0.0005)
        times.append(time.perf_counter() - start)
        # Let this opening's count and filter choices finish before the next one.
        while active_count():
            app.processEvents()
            time.sleep(0.001)
        view.hide()
        view.deleteLater()
        app.processEvents()
    first = statistics.median(times)
    assert view is not None
    view = CaseListView(ws)
    view.show()
    for _ in range(5):
        while view.model.busy or not view.model.loaded_once:
            app.processEvents()
        view.table.scrollToBottom()
        app.processEvents()
    while view.model.busy:
        app.processEvents()
    rss = _rss_mb()
    return [_row("ui.case_list.first_page", size, first, FIRST_PAGE_TARGET_S,
                 first < FIRST_PAGE_TARGET_S),
            _row("ui.process peak RSS after the list and 5 more pages", size, rss,
                 f"< {RSS_TARGET_MB} MB", rss < RSS_TARGET_MB, unit="MB")]


def bench_search(ws: Any, size: int) -> list[dict[str, Any]]:
    """Search as you type: each prefix of each query, as the debounced box would send it."""
    from casework.cases.search import search

    times = []
    for q in QUERIES:
        for n in range(2, len(q) + 1):
            start = time.perf_counter()
            search(ws, q[:n], 20)
            times.append(time.perf_counter() - start)
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    return [_row("ui.search_as_you_type.p95", size, p95, SEARCH_P95_TARGET_S,
                 p95 < SEARCH_P95_TARGET_S, samples=len(times))]


def run(size: int = 100_000) -> list[dict[str, Any]]:
    """Every desktop scenario on a database of ``size`` cases."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from casework.core.context import open_workspace

    path, user, password = database(size)
    ws = open_workspace(path, user, password)
    try:
        return bench_case_list(ws, size) + bench_search(ws, size)
    finally:
        ws.lock()


if __name__ == "__main__":
    for row in run(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000):
        print(row)
