"""Start-up: a new process to the unlock dialog shown, and to the case list's first page
shown after signing in, against a bare PySide6 window shown by a new process in the same
run (the interpreter's and Qt's own start-up, which casework cannot make faster).

Each measure is a fresh ``python`` process (offscreen Qt); the time runs from just before
the process is started until it prints that the window is on screen. The database is the
UI benchmark's demo database of ``size`` cases.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from typing import Any

UNLOCK_TARGET_S = 1.5
CASE_LIST_TARGET_S = 3.0
REPEATS = 3
TYPING_S = 2.0  # how long the password takes to type, for the Enter-to-list figure

BARE = """
from PySide6.QtWidgets import QApplication, QWidget
app = QApplication([])
w = QWidget(); w.resize(400, 300); w.show(); app.processEvents()
print("SHOWN", flush=True)
"""

UNLOCK = """
import sys
from ui.shell.app import make_app
from ui.shell.session import Session
app = make_app()
s = Session(sys.argv[1], "asb1")
d = s.start(); app.processEvents()
assert d.isVisible()
print("SHOWN", flush=True)
print("MODULES", " ".join(m for m in ("sqlalchemy", "reportlab", "casework.sharing",
      "casework.asb", "ui.cases.caselist") if m in sys.modules), flush=True)
"""

CASE_LIST = """
import sys, time
from ui.shell.app import make_app
from ui.shell.session import Session
from ui.common.qt import QEventLoop
app = make_app()
s = Session(sys.argv[1], "asb1", idle_ms=0)
d = s.start(); app.processEvents()
typing = float(sys.argv[3]) if len(sys.argv) > 3 else 0.0
until = time.perf_counter() + typing
while time.perf_counter() < until:  # the user types the password
    app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
    time.sleep(0.01)
entered = time.perf_counter()
d.password.setText(sys.argv[2]); d.try_unlock()
while s.window is None:
    app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
    time.sleep(0.002)
s.window.show_page("cases")
view = s.window.page("cases").list_view
while not (view.model.loaded_once and view.model.rowCount() > 0):
    app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
    time.sleep(0.002)
app.processEvents()
print("SHOWN", flush=True)
print("AFTER_ENTER", f"{time.perf_counter() - entered:.3f}", flush=True)
s.ws.lock()
"""


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _launch(code: str, *args: str) -> tuple[float, str, float]:
    """Seconds from starting a process until it prints SHOWN, what else it said, and the
    process's CPU seconds (all of its run: it exits just after SHOWN)."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    cpu = _children_cpu()
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, env=env)
    assert proc.stdout is not None
    seconds, rest = float("nan"), ""
    for line in proc.stdout:
        if line.startswith("SHOWN") and seconds != seconds:
            seconds = time.perf_counter() - start
        elif line.startswith(("MODULES", "AFTER_ENTER")):  # what else the probe says
            rest = line.split(" ", 1)[1].strip() if " " in line else ""
    proc.wait(timeout=120)
    if seconds != seconds:
        raise RuntimeError(f"the start-up probe exited {proc.returncode} without a window")
    return seconds, rest, _children_cpu() - cpu


def _median(code: str, *args: str, repeats: int = REPEATS) -> tuple[float, str, float]:
    runs = [_launch(code, *args) for _ in range(repeats)]
    return (statistics.median(r[0] for r in runs), runs[-1][1],
            statistics.median(r[2] for r in runs))


def _compile_bytecode() -> None:
    """Compile the program's modules first, as an installed build ships them: a checkout
    run with PYTHONDONTWRITEBYTECODE would otherwise compile every module at each launch
    and time the compiler, not the start-up."""
    import compileall
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    for package in ("casework", "db", "ui"):
        compileall.compile_dir(root / package, quiet=1)


def run(size: int) -> list[dict[str, Any]]:
    """Launch to the unlock dialog and to the case list, with the bare window as baseline."""
    from benchmarks.bench_ui import database

    path, _user, password = database(size)
    _compile_bytecode()
    bare, _, bare_cpu = _median(BARE)
    unlock, heavy, unlock_cpu = _median(UNLOCK, str(path))
    listed, _, listed_cpu = _median(CASE_LIST, str(path), password)
    # A user takes a moment to type the password: the storage and the screens load
    # meanwhile, and what they wait for is Enter to the case list.
    typed = [_launch(CASE_LIST, str(path), password, str(TYPING_S)) for _ in range(REPEATS)]
    after_enter = statistics.median(float(r[1]) for r in typed)
    return [
        dict(scenario="bare PySide6 window shown (new process)", size=size,
             seconds=round(bare, 3), cpu_seconds=round(bare_cpu, 3), baseline_seconds=None),
        dict(scenario="launch to the unlock dialog" + (f" (loaded: {heavy})" if heavy else ""),
             size=size, seconds=round(unlock, 3), cpu_seconds=round(unlock_cpu, 3),
             baseline_seconds=round(bare, 3), target_seconds=UNLOCK_TARGET_S),
        dict(scenario="launch, sign in, case list first page shown", size=size,
             seconds=round(listed, 3), cpu_seconds=round(listed_cpu, 3),
             baseline_seconds=round(bare, 3), target_seconds=CASE_LIST_TARGET_S),
        dict(scenario=f"Enter to case list first page shown, password typed in {TYPING_S:g} s",
             size=size, seconds=round(after_enter, 3), baseline_seconds=None),
    ]
