"""Run every benchmark module and print one table with the targets.

    .venv/bin/python -m benchmarks.run                  # everything at 100,000 cases
    .venv/bin/python -m benchmarks.run --only foundation --size 20000
    .venv/bin/python -m benchmarks.run --quick          # small sizes: a smoke run for CI

Each module, when present, exposes ``run(size) -> list[dict]`` with the keys
``scenario``, ``size``, ``seconds``, ``baseline_seconds`` (or None), and optionally
``target`` (text, or seconds as a number), ``target_seconds``, ``ok`` and ``unit`` (for a
measure that is not seconds, e.g. "MB": ``seconds`` then holds that value). ``ratio`` is
``seconds / baseline_seconds`` from the same run. ``peak_rss_mb`` (the process's peak
resident memory when the figure was taken), ``loadavg`` (the machine's load averages
then) and ``cpu_seconds`` (the process's CPU time for the figure: on a shared machine wall
time includes waiting for other work) are shown beside each figure when a row has them. A
module that cannot be imported or fails is reported with its error and the others still
run.
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Runner = Callable[[int], Any]


def _foundation() -> Runner:
    from benchmarks import bench_foundation
    return bench_foundation.run


def _workflows() -> Runner:
    from benchmarks import bench_workflows
    return bench_workflows.run


def _exports() -> Runner:
    from benchmarks import bench_exports
    return bench_exports.run


def _audit() -> Runner:
    from benchmarks import bench_audit
    return bench_audit.run


def _ui() -> Runner:
    from benchmarks import bench_ui
    return bench_ui.run


def _startup() -> Runner:
    from benchmarks import bench_startup
    return bench_startup.run


def _imports() -> Runner:
    from benchmarks import bench_imports
    return bench_imports.run


def _reliability() -> Runner:
    from benchmarks import reliability
    return reliability.run


# short name -> (the module's run function, imported when needed; size in a full run
# (None: --size); size in a --quick run)
MODULES: dict[str, tuple[Callable[[], Runner], int | None, int]] = {
    "foundation": (_foundation, None, 300),
    "workflows": (_workflows, None, 300),
    "exports": (_exports, None, 300),
    "audit": (_audit, 1_000_000, 2_000),  # size = audit entries
    "ui": (_ui, None, 300),
    "startup": (_startup, None, 300),
    "imports": (_imports, 100_000, 300),  # size = ASB rows
    "reliability": (_reliability, 200, 3),  # size = kills and byte flips
}
COLUMNS = ("scenario", "size", "seconds", "CPU", "baseline", "ratio", "target", "peak RSS",
           "load", "result")


@dataclass
class Outcome:
    """What one module produced: rows, or why there are none."""

    name: str
    rows: list[dict[str, Any]]
    problem: str = ""
    seconds: float = 0.0


def run_module(name: str, size: int) -> Outcome:
    """Import and run one module; a missing module or a failure becomes ``problem``."""
    try:
        runner = MODULES[name][0]()
    except ImportError as exc:
        return Outcome(name, [], f"cannot import: {exc}")
    start = time.perf_counter()
    try:
        rows = list(runner(size))
    except Exception as exc:  # noqa: BLE001 - one failing module must not stop the table
        traceback.print_exc(file=sys.stderr)
        return Outcome(name, [], f"failed: {type(exc).__name__}: {exc}",
                       time.perf_counter() - start)
    return Outcome(name, rows, "", time.perf_counter() - start)


def _target(row: dict[str, Any]) -> tuple[str, bool | None]:
    """The target as text and whether it was met (None when there is no target)."""
    target = row.get("target")
    seconds = row.get("target_seconds")
    if isinstance(target, int | float) and not isinstance(target, bool):
        seconds, target = target, None
    if target is None and isinstance(seconds, int | float):
        target = f"< {seconds * 1000:.0f} ms" if seconds < 1 else f"< {seconds:g} s"
    ok = row.get("ok")
    if ok is None and isinstance(seconds, int | float) and isinstance(row.get("seconds"),
                                                                      int | float):
        ok = row["seconds"] < seconds
    return ("" if target is None else str(target)), (None if ok is None else bool(ok))


def _fmt_seconds(value: Any) -> str:
    if not isinstance(value, int | float):
        return "" if value is None else str(value)
    return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"


def table_rows(outcomes: list[Outcome]) -> list[tuple[str, ...]]:
    """One line per scenario, and one per module that produced none."""
    lines: list[tuple[str, ...]] = []
    for outcome in outcomes:
        if outcome.problem:
            lines.append((f"[{outcome.name}] {outcome.problem}", "", "", "", "", "", "", "", "",
                          "MISSING" if outcome.problem == "not present" else "ERROR"))
        for row in outcome.rows:
            base = row.get("baseline_seconds")
            secs = row.get("seconds")
            ratio = (f"{secs / base:.2f}x" if isinstance(base, int | float) and base
                     and isinstance(secs, int | float) else "")
            target, ok = _target(row)
            size = row.get("size", "")
            unit = row.get("unit")
            measured = (f"{secs:.1f} {unit}" if unit and isinstance(secs, int | float)
                        else _fmt_seconds(secs))
            rss = row.get("peak_rss_mb")
            lines.append((f"[{outcome.name}] {row.get('scenario', '?')}",
                           f"{size:,}" if isinstance(size, int) else str(size),
                           measured, _fmt_seconds(row.get("cpu_seconds")), _fmt_seconds(base),
                           ratio, target,
                           f"{rss:.0f} MB" if isinstance(rss, int | float) else "",
                           str(row.get("loadavg", "")),
                           "" if ok is None else ("PASS" if ok else "FAIL")))
    return lines


def render(lines: list[tuple[str, ...]]) -> str:
    """A plain-text table (pipes, so that it pastes into Markdown too)."""
    widths = [max(len(c), *(len(line[i]) for line in lines)) if lines else len(c)
              for i, c in enumerate(COLUMNS)]
    def fmt(cells: tuple[str, ...]) -> str:
        return "| " + " | ".join(cell.ljust(w) for cell, w in zip(cells, widths, strict=True)) \
            + " |"
    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([fmt(COLUMNS), rule, *(fmt(line) for line in lines)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run",
                                     description="Run the benchmarks and print one table.")
    parser.add_argument("--size", type=int, default=None,
                        help="cases for the case-count scenarios (default 100000)")
    parser.add_argument("--only", action="append", default=[], metavar="NAME",
                        help=f"run only these modules (repeatable): {', '.join(MODULES)}")
    parser.add_argument("--quick", action="store_true",
                        help="small sizes: checks that the benchmarks still run (CI smoke)")
    args = parser.parse_args(argv)
    names = [n for part in args.only for n in part.split(",") if n] or list(MODULES)
    unknown = [n for n in names if n not in MODULES]
    if unknown:
        parser.error(f"unknown module(s): {', '.join(unknown)}; choose from "
                     f"{', '.join(MODULES)}")
    outcomes = []
    for name in names:
        _module, full, quick = MODULES[name]
        if args.quick:
            size = min(quick, args.size) if args.size else quick
        else:
            size = args.size if args.size is not None and full is None else (full or 100_000)
        print(f"running {name} at size {size:,} ...", file=sys.stderr, flush=True)
        outcomes.append(run_module(name, size))
    print(render(table_rows(outcomes)), flush=True)
    failed = [o for o in outcomes if o.problem and o.problem != "not present"]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
