"""Shared fixtures: a real encrypted database with one user of every role.

The template database is built once per test session (Argon2id at full strength is slow
enough to matter) and copied, with its key slots, for every test that asks for ``db``.
"""

from __future__ import annotations

import functools
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings as hypothesis_settings

from casework.admin import newdb
from casework.core import clock, users
from casework.core.context import SYSTEM, Workspace, open_workspace
from casework.core.errors import PermissionDenied
from db import keyslots
from db.keyslots import slot_path

PASSWORD = "correct horse battery staple"

# The day the suite runs as, unless ``--today`` says otherwise. A Tuesday: panels meet on
# Tuesdays. CI runs the date-sensitive tests (marker ``dates``) again on other days: a
# bank holiday, Easter Monday, the last day of a quarter (see the Makefile).
DEFAULT_TODAY = date(2026, 12, 1)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--today", default=None,
                     help=f"run as of this date (YYYY-MM-DD); default {DEFAULT_TODAY}")
    parser.addoption("--backend", default=None, choices=("file", "postgresql"),
                     help="where the db fixture's database lives: an encrypted file "
                          "(default) or a team server on PostgreSQL (tests/pg_backend.py); "
                          "also CASEWORK_TEST_BACKEND")


# No property test is timed: a slow example on a busy machine is not a failure (speed
# targets live in benchmarks/).
hypothesis_settings.register_profile("casework", deadline=None)
hypothesis_settings.load_profile("casework")


# Every test's database is a copy of one template, key slots and salts included, so the
# same Argon2id derivation (password, salt, parameters) comes back in thousands of
# sign-ins. The suite derives each one in full once and keeps the result: the function is
# pure, and another password or salt still costs a full derivation. Calibration
# (``calibrate_kdf``) times Argon2id itself, not this.
_full_derivation = keyslots.derive_kek


@functools.lru_cache(maxsize=1024)
def _derived(secret: str, salt: bytes, kdf: tuple[tuple[str, int], ...]) -> bytes:
    return _full_derivation(secret, salt, dict(kdf))


def _derive_once(secret: str, salt: bytes, kdf: dict[str, int]) -> bytes:
    return _derived(secret, salt, tuple(sorted(kdf.items())))


keyslots.derive_kek = _derive_once


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "dates: depends on what day it is (CI runs it on "
                                       "several days)")
    config.addinivalue_line("markers", "file_only(reason): exercises what only a database "
                                       "file has (key slots, the file itself, its backups); "
                                       "not collected with --backend=postgresql")
    config.addinivalue_line("markers", "server_gap(reason): behaviour the team server does "
                                       "not have yet (docs/SERVER.md, Known gaps); with "
                                       "--backend=postgresql the test runs and must fail "
                                       "(strict xfail), so the day it passes is noticed")


def backend(config: pytest.Config) -> str:
    """The ``db`` fixture's backend: ``--backend``, else CASEWORK_TEST_BACKEND, else file."""
    import os

    value = config.getoption("--backend") or os.environ.get("CASEWORK_TEST_BACKEND") or "file"
    if value not in ("file", "postgresql"):
        raise pytest.UsageError(f"CASEWORK_TEST_BACKEND must be file or postgresql, not "
                                f"{value!r}")
    return value


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On the team server, tests of the file's own machinery are left out (deselected, and
    counted as such), each marked with its reason; so are the tests that use no database
    of the ``db`` fixture (pure functions, files of their own): they would only run the
    same thing twice."""
    if backend(config) != "postgresql":
        return
    kept, left = [], []
    for item in items:
        gap = item.get_closest_marker("server_gap")
        if gap is not None:
            item.add_marker(pytest.mark.xfail(strict=True, reason=gap.kwargs.get(
                "reason", gap.args[0] if gap.args else "a known gap of the team server")))
        uses_db = "db" in getattr(item, "fixturenames", ())
        (left if item.get_closest_marker("file_only") or not uses_db else kept).append(item)
    if left:
        config.hook.pytest_deselected(items=left)
        items[:] = kept


def run_date(config: pytest.Config) -> date:
    value = config.getoption("--today")
    return date.fromisoformat(value) if value else DEFAULT_TODAY


@pytest.fixture(autouse=True)
def fixed_today(request: pytest.FixtureRequest) -> Iterator[date]:
    """Every test runs on a fixed day from the project's one clock (``--today``)."""
    day = run_date(request.config)
    with clock.frozen(day):
        yield day

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
    "ig": ("information_governance", None, ()),
}


@dataclass(frozen=True)
class CliLogin:
    """How a test runs casework-cli as a user of the ``db`` fixture, on either backend:
    the global options (``--db PATH --user NAME`` for a file; ``--server PROFILE --user
    LOGIN`` for a team server) and the environment they need (the password, and on a
    server the profiles file and the laptop's state folder, both in the test's own
    folder). ``argv`` goes before the command; ``env`` goes in the environment, by
    ``use`` (in-process, with ``monkeypatch``) or merged into a subprocess's."""

    argv: tuple[str, ...]
    env: dict[str, str]

    def use(self, monkeypatch: pytest.MonkeyPatch) -> list[str]:
        """Put ``env`` in this process's environment; the global options to prepend."""
        monkeypatch.delenv("CASEWORK_SERVER", raising=False)
        monkeypatch.delenv("CASEWORK_DB", raising=False)
        for key, value in self.env.items():
            monkeypatch.setenv(key, value)
        return list(self.argv)

    def subprocess_env(self) -> dict[str, str]:
        """This process's environment without its CASEWORK_ variables, plus ``env``."""
        import os

        env = {k: v for k, v in os.environ.items() if not k.startswith("CASEWORK_")}
        return {**env, **self.env}


@dataclass
class TestDb:
    path: Path
    _open: dict[str, Workspace]
    backend = "file"
    # What a user is told of a record their role may not see: refused (the application
    # checks the row it read). On a team server the database hides it: not found.
    hidden: type[Exception] = PermissionDenied
    # Refused by the role, or (on a team server) hidden by the policies.
    refused: tuple[type[Exception], ...] = (PermissionDenied,)

    def ws(self, username: str = "cm") -> Workspace:
        """A signed-in workspace for a user of the roster (or 'admin')."""
        if username not in self._open:
            self._open[username] = open_workspace(self.path, username, PASSWORD)
        return self._open[username]

    def system(self) -> Workspace:
        """The SYSTEM actor, for synthetic rows written straight into the tables."""
        return self.ws("admin").as_actor(SYSTEM)

    def login(self, username: str) -> str:
        """The name a roster user signs in with (on a file: the roster's own)."""
        return username

    def cli(self, username: str = "cm", password: str = PASSWORD) -> CliLogin:
        """casework-cli as a roster user (or 'admin') on this database file."""
        return CliLogin(("--db", str(self.path), "--user", username),
                        {"CASEWORK_PASSWORD": password})

    def add_user(self, username: str, password: str, role: str, **kwargs: Any) -> None:
        """The administrator adds a user (on a file: their key slot)."""
        users.add_user(self.ws("admin"), username, password, role, **kwargs)

    def sign_in(self, username: str, password: str) -> Workspace:
        """A new sign-in with this password (not kept: the caller locks it)."""
        return open_workspace(self.path, username, password)

    def tamper(self, sql: str) -> None:
        """Change the tables behind the application's back (raw SQL on the file)."""
        conn = self.ws("admin").store.raw_connection()
        try:
            conn.execute(sql)
        finally:
            conn.close()

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
def template_db(tmp_path_factory: pytest.TempPathFactory,
                pytestconfig: pytest.Config) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    with clock.frozen(run_date(pytestconfig)):
        build_template(path)
    return path


def copy_db(src: Path, dest: Path) -> Path:
    """A database with its key slots and its failed-unlock counter (a copy without the
    counter would wait the full unlock delay once: see casework.core.lockout)."""
    from casework.core.lockout import lockout_path

    shutil.copy2(src, dest)
    shutil.copy2(slot_path(src), slot_path(dest))
    if lockout_path(src).exists():
        shutil.copy2(lockout_path(src), lockout_path(dest))
    return dest


@pytest.fixture
def file_db(template_db: Path, tmp_path: Path) -> Iterator[TestDb]:
    """A fresh copy of the template database file for one test."""
    t = TestDb(copy_db(template_db, tmp_path / "case.db"), {})
    yield t
    t.close()


@pytest.fixture(scope="session")
def pg_template(pytestconfig: pytest.Config) -> Iterator[Any]:
    """The team-server template of this process (built on first use, dropped at the end)."""
    import os

    from tests import pg_backend

    problem = pg_backend.reachable()
    if problem is not None:
        pytest.skip(f"--backend=postgresql: no PostgreSQL server could be reached or "
                    f"started at {pg_backend.ADMIN_URL} ({problem}); set CASEWORK_TEST_PG")
    with clock.frozen(run_date(pytestconfig)):
        tmpl = pg_backend.build_template(pg_backend.ADMIN_URL, f"cws{os.getpid()}", ROSTER,
                                         PASSWORD)
    try:
        yield tmpl
    finally:
        tmpl.close()


@pytest.fixture
def db(request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh database with the roster for one test: a copy of the template file, or
    (``--backend=postgresql``) the process's team-server database, as built."""
    if backend(request.config) == "file":
        yield request.getfixturevalue("file_db")
        return
    from tests import pg_backend

    tmpl = request.getfixturevalue("pg_template")
    tmpl.reset()
    t = pg_backend.PgTestDb(tmpl, tmpl.name, PASSWORD, request.getfixturevalue("tmp_path")
                            / "server-state")
    try:
        yield t
    finally:
        t.close()
