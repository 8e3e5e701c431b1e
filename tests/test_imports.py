"""Every module imports on its own: no import cycle hides behind a lucky import order."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

# Alembic runs these itself, by file: they are scripts for its runner, not modules.
SKIP = ("db.migrations.env", "db.migrations.versions.")

CHECK = textwrap.dedent("""
    import importlib, pkgutil, sys, traceback
    tops, skip = sys.argv[1].split(","), tuple(sys.argv[2].split(","))
    names = []
    for top in tops:
        package = importlib.import_module(top)
        names.append(top)
        names += [m.name for m in pkgutil.walk_packages(package.__path__, top + ".")]
    names = [n for n in names if not n.startswith(skip)]
    failed = []
    for name in names:
        # As if in a fresh interpreter, but for the packages of the layers below (given
        # first): the layers contract (lint-imports) keeps a lower layer from importing a
        # higher one, so no cycle runs through them, and they need not be imported again.
        above = tops[tops.index(name.split(".")[0]):] + ["casework_resources"]
        for loaded in [m for m in sys.modules if m.split(".")[0] in above]:
            del sys.modules[loaded]
        try:
            importlib.import_module(name)
        except Exception:
            failed.append(name + ": " + traceback.format_exc(limit=1).strip().splitlines()[-1])
    print(len(names))
    print("\\n".join(failed))
""")


def _check(tops: str, cwd: Path | None = None) -> tuple[int, list[str]]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-c", CHECK, tops, ",".join(SKIP)],
                          capture_output=True, text=True, timeout=300, env=env, cwd=cwd)
    assert done.returncode == 0, done.stderr[-3000:]
    count, *failed = done.stdout.strip().splitlines()
    return int(count), [f for f in failed if f]


def test_every_module_imports_on_its_own() -> None:
    count, failed = _check("db,casework,ui")  # lowest layer first
    assert count > 100
    assert failed == []


def test_the_check_catches_a_module_that_needs_another_imported_first(tmp_path: Path) -> None:
    (tmp_path / "cyc").mkdir()
    (tmp_path / "cyc" / "__init__.py").write_text("")
    (tmp_path / "cyc" / "a.py").write_text("import cyc.b\nA = 1\n")
    (tmp_path / "cyc" / "b.py").write_text("from cyc.a import A\nB = A\n")
    count, failed = _check("cyc", cwd=tmp_path)
    assert count == 3
    assert [f.split(":")[0] for f in failed] == ["cyc.a"]
