"""Shared fixtures: a real encrypted database with one user of every role.

The template database is built once per test session (Argon2id at full strength is slow
enough to matter) and copied, with its key slots, for every test that asks for ``db``.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from casework.admin import newdb
from casework.core import users
from casework.core.context import Workspace, open_workspace
from db.keyslots import slot_path

PASSWORD = "correct horse battery staple"

# user name -> (role, team, panels)
ROSTER: dict[str, tuple[str, str | None, tuple[str, ...]]] = {
    "cm": ("case_manager", "ASB Team", ()),
    "cm2": ("case_manager", "North ASB Team", ()),
    "sanct": ("case_manager", "Sanctuary Team", ()),
    "swip": ("panel_member", None, ("SWIP Panel",)),
    "swipchair": ("panel_chair", None, ("SWIP Panel",)),
    "mart": ("panel_member", None, ("MART Panel",)),
    "martchair": ("panel_chair", None, ("MART Panel",)),
    "coord": ("coordinator", "Partnership Team", ()),
}


@dataclass
class TestDb:
    path: Path
    _open: dict[str, Workspace]

    def ws(self, username: str = "cm") -> Workspace:
        """A signed-in workspace for a user of the roster (or 'admin')."""
        if username not in self._open:
            self._open[username] = open_workspace(self.path, username, PASSWORD)
        return self._open[username]

    def close(self) -> None:
        for ws in self._open.values():
            ws.lock()
        self._open.clear()


def build_template(path: Path) -> None:
    ws, _recovery = newdb.init_database(path, "admin", PASSWORD, "Admin User")
    users.ensure_team(ws, "ASB Team", "asb")
    users.ensure_team(ws, "North ASB Team", "asb")
    users.ensure_team(ws, "Sanctuary Team", "sanctuary")
    users.ensure_team(ws, "Partnership Team", "coordination")
    users.ensure_panel(ws, "SWIP Panel", "swip")
    users.ensure_panel(ws, "MART Panel", "mart")
    for name, (role, team, panels) in ROSTER.items():
        users.add_user(ws, name, PASSWORD, role, display_name=name.title(), team=team,
                       panels=panels)
    ws.lock()


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    build_template(path)
    return path


def copy_db(src: Path, dest: Path) -> Path:
    shutil.copy2(src, dest)
    shutil.copy2(slot_path(src), slot_path(dest))
    return dest


@pytest.fixture
def db(template_db: Path, tmp_path: Path) -> Iterator[TestDb]:
    """A fresh copy of the template database for one test."""
    t = TestDb(copy_db(template_db, tmp_path / "case.db"), {})
    yield t
    t.close()
