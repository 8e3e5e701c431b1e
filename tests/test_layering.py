"""The desktop talks to casework services only: no ORM models, no SQL, in ``ui``."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import ui

UI_ROOT = Path(ui.__file__).parent
FORBIDDEN = ("db.models", "sqlalchemy")


def _imports(path: Path) -> list[tuple[int, str]]:
    """Every module a file imports (at any depth: local imports count too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, a.name) for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            if node.module == "db":
                found.extend((node.lineno, f"db.{a.name}") for a in node.names)
    return found


def _forbidden(module: str) -> bool:
    return any(module == f or module.startswith(f + ".") for f in FORBIDDEN)


def test_no_ui_module_imports_models_or_sqlalchemy() -> None:
    files = sorted(UI_ROOT.rglob("*.py"))
    assert len(files) > 20
    offenders = [f"{p.relative_to(UI_ROOT.parent)}:{line} imports {mod}"
                 for p in files for line, mod in _imports(p) if _forbidden(mod)]
    assert offenders == []


def test_the_check_catches_an_offender(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from db.models import Case\n    import sqlalchemy.orm\n"
                   "from db import models\n")
    assert sorted(m for _l, m in _imports(bad) if _forbidden(m)) == [
        "db.models", "db.models", "sqlalchemy.orm"]


def test_no_gateway_or_dynamic_service_lookup() -> None:
    assert not (UI_ROOT / "gateway.py").exists()
    import ui.common.services as services

    assert not hasattr(services, "available") and not hasattr(services, "svc")


def test_meetings_imports_on_its_own() -> None:
    """casework.panels.meetings and casework.panels no longer import each other at import time."""
    for first in ("casework.panels.meetings", "casework.panels.swip", "casework.panels.mart"):
        done = subprocess.run([sys.executable, "-c", f"import {first}"],
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr[-2000:]
