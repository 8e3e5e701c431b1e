"""The service suite on the team server (``--backend=postgresql`` or
``CASEWORK_TEST_BACKEND=postgresql``): the ``db`` fixture hands out workspaces signed in as
PostgreSQL login roles (SCRAM passwords), one per user of the roster, never a superuser.

Each pytest process builds one database (``server init``, the roster's teams, panels and
login roles, as ``build_template`` does for a file) and puts it back as built before every
test: a copy of its tables is restored in one transaction (a fresh ``CREATE DATABASE``
per test costs seconds on a busy machine, a restore tens of milliseconds). Roles are
cluster-wide: their names carry a per-process prefix, and they are dropped at the end.

The synthetic data some fixtures write straight into the tables (the ``SYSTEM`` actor of a
file database) goes in over the set-up connection, as ``tests/server`` seeds its cases.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from casework.core.context import SYSTEM, Actor, Workspace
from casework.core.errors import NotFound, PermissionDenied
from db.server.policies import ACL, SCHEMA
from tests.conftest import CliLogin

ADMIN_URL = os.environ.get("CASEWORK_TEST_PG",
                           "postgresql://postgres@127.0.0.1:5432/postgres?sslmode=disable")
BACKENDS = ("file", "postgresql")

# Team and panel kinds of the roster's teams (tests/conftest.py builds the same on a file).
TEAM_KINDS = {"ASB Team": "asb", "North ASB Team": "asb", "Sanctuary Team": "sanctuary",
              "Partnership Team": "coordination"}
PANEL_KINDS = {"SWIP Panel": "swip", "MART Panel": "mart"}


def roster_name(username: str) -> str:
    """The roster's name for a user: a login role's name without its per-process prefix
    (``cws123_cm`` -> ``cm``); a file database's names are the roster's already."""
    head, sep, rest = username.partition("_")
    return rest if sep and head.startswith("cws") and head[3:].isdigit() else username


def try_connect(url: str = ADMIN_URL) -> str | None:
    """None when the set-up connection works, else the error's class name."""
    try:
        psycopg.connect(url, connect_timeout=3).close()
        return None
    except psycopg.Error as exc:
        return type(exc).__name__


def start_server() -> None:
    """One try at starting the local cluster (as .ci/run does)."""
    if not shutil.which("pg_ctlcluster") or not Path("/etc/postgresql").is_dir():
        return
    for version in sorted(os.listdir("/etc/postgresql")):
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main",
                        "start"], capture_output=True, timeout=60, check=False)
    for _ in range(30):
        if try_connect() is None:
            return
        time.sleep(0.5)


def reachable() -> str | None:
    """None when a server answers (after one start if needed), else why not."""
    problem = try_connect()
    if problem is not None:
        start_server()
        problem = try_connect()
    return problem


def with_db(url: str, database: str) -> str:
    return make_url(url).set(database=database).render_as_string(hide_password=False)


def user_url(admin_url: str, database: str) -> str:
    """The URL a casework login connects with: host, port and database, no user."""
    u = make_url(admin_url)
    return f"postgresql://{u.host}:{u.port or 5432}/{database}?sslmode=disable"


def drop(admin_url: str, databases: list[str], roles: list[str]) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        for database in databases:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        for role in roles:
            conn.execute(f'DROP ROLE IF EXISTS "{role}"')


SNAPSHOT = "cw_test_snapshot"


@dataclass
class PgTemplate:
    """The per-process database, the roles made for it, and how to put it back as it was
    built: a copy of every casework table in a schema no login may use, restored before
    each test in one transaction over the set-up connection."""

    admin_url: str
    prefix: str
    name: str
    roles: list[str] = field(default_factory=list)
    _reset_sql: str = ""
    _conn: psycopg.Connection | None = None

    def login(self, short: str) -> str:
        return f"{self.prefix}_{short}"

    def _set_up(self) -> psycopg.Connection:
        if self._conn is None or self._conn.closed:
            self._conn = psycopg.connect(with_db(self.admin_url, self.name), autocommit=True)
        return self._conn

    def snapshot(self) -> None:
        """Keep the database as it is now, to come back to with ``reset``."""
        conn = self._set_up()
        tables = conn.execute(
            "SELECT schemaname, tablename FROM pg_tables WHERE schemaname IN (%s, %s) "
            "ORDER BY 1, 2", (SCHEMA, ACL)).fetchall()
        sequences = conn.execute(
            "SELECT schemaname, sequencename, last_value FROM pg_sequences "
            "WHERE schemaname IN (%s, %s)", (SCHEMA, ACL)).fetchall()
        conn.execute(f"DROP SCHEMA IF EXISTS {SNAPSHOT} CASCADE")
        conn.execute(f"CREATE SCHEMA {SNAPSHOT}")
        conn.execute(f"REVOKE ALL ON SCHEMA {SNAPSHOT} FROM PUBLIC")
        # Under session_replication_role = replica no trigger fires: not the audit
        # guard, the change log or the foreign-key checks (every table is restored).
        steps = ["SET LOCAL session_replication_role = replica"]
        for i, (schema, table) in enumerate(tables):
            copy = f"{SNAPSHOT}.t{i}"
            conn.execute(f'CREATE TABLE {copy} AS SELECT * FROM {schema}."{table}"')
            steps += [f'DELETE FROM {schema}."{table}"',
                      f'INSERT INTO {schema}."{table}" OVERRIDING SYSTEM VALUE '
                      f"SELECT * FROM {copy}"]
        for schema, sequence, last in sequences:
            value = "1, false" if last is None else f"{last}, true"
            steps.append(f"SELECT setval('{schema}.\"{sequence}\"', {value})")
        self._reset_sql = ";\n".join(steps)
        # Planner statistics for the tables as built: a table never analysed is planned
        # as if it held thousands of rows, and the policies' subqueries then take seconds.
        conn.execute("ANALYZE")

    def reset(self) -> None:
        """Back to the snapshot: every row and sequence as built."""
        conn = self._set_up()
        with conn.transaction():
            conn.execute(self._reset_sql.encode())
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                     "WHERE datname = %s AND pid <> pg_backend_pid() "
                     "AND usename <> current_user", (self.name,))

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
        drop(self.admin_url, [self.name], self.roles)


def build_template(admin_url: str, prefix: str, roster: dict[str, tuple[str, str | None,
                   tuple[str, ...]]], password: str) -> PgTemplate:
    """``server init`` and the roster (plus ``admin``) as login roles, on a new database."""
    from casework.server import setup
    from casework.server.roles import SERVER_ROLES

    name = f"{prefix}_db"
    everyone = {"admin": ("administrator", None, ()), **roster}
    tmpl = PgTemplate(admin_url, prefix, name)
    tmpl.roles = [*(tmpl.login(s) for s in everyone),
                  *(f"{prefix}_r_{r}" for r in SERVER_ROLES), f"{prefix}_user",
                  f"{prefix}_owner"]
    drop(admin_url, [name], tmpl.roles)  # what a killed run of a process of this id left
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = with_db(admin_url, name)
    try:
        setup.init(url, prefix=prefix)
        for short, (role, team, panels) in everyone.items():
            kinds = {PANEL_KINDS[p] for p in panels} or {"swip"}
            setup.add_user(url, tmpl.login(short), password, role,
                           display_name=short.title(), team=team,
                           team_kind=TEAM_KINDS.get(team or "", "asb"), panels=panels,
                           panel_kind=kinds.pop(), prefix=prefix)
        # The teams and panels no user names yet (every roster team has one today).
        _ensure_teams(url)
        tmpl.snapshot()
    except BaseException:
        tmpl.close()
        raise
    return tmpl


def _ensure_teams(url: str) -> None:
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from db.models import Panel, Team
    from db.server.connect import server_engine

    engine = server_engine(url)
    try:
        with Session(engine) as s, s.begin():
            for team, kind in TEAM_KINDS.items():
                if s.scalar(select(Team.id).where(Team.name == team)) is None:
                    s.add(Team(name=team, kind=kind))
            for panel, kind in PANEL_KINDS.items():
                if s.scalar(select(Panel.id).where(Panel.name == panel)) is None:
                    s.add(Panel(name=panel, kind=kind))
    finally:
        engine.dispose()


class PgWorkspace(Workspace):
    """A login role's workspace whose ``as_actor(SYSTEM)`` (a test's way of writing rows
    straight into the tables) is the set-up connection's: no login role may do that."""

    def __init__(self, ws: Workspace, system: Callable[[], Workspace]) -> None:
        super().__init__(ws.store, ws.actor)
        self._system = system

    def as_actor(self, actor: Actor) -> Workspace:
        return self._system() if actor == SYSTEM else super().as_actor(actor)


class FileOnly(AssertionError):
    """A test reached for the database file, which a team server does not have."""


@dataclass
class PgTestDb:
    """The ``db`` fixture's face on a team server: ``ws(name)`` signs the roster's user in
    as their own login role."""

    template: PgTemplate
    database: str
    password: str
    state: Path
    _open: dict[str, Workspace] = field(default_factory=dict)
    _system: Workspace | None = None
    backend: str = "postgresql"
    # A record the login's policies hide does not exist for it (see tests/conftest.py).
    hidden: type[Exception] = NotFound
    refused: tuple[type[Exception], ...] = (PermissionDenied, NotFound)

    @property
    def url(self) -> str:
        return user_url(self.template.admin_url, self.database)

    @property
    def path(self) -> Path:
        raise FileOnly("this test uses the database file (db.path); mark it file_only")

    def login(self, username: str) -> str:
        return self.template.login(username)

    def cli(self, username: str = "cm", password: str | None = None) -> CliLogin:
        """casework-cli as a roster user (or 'admin') signed in to this server as their
        login role, through a connection profile in a servers file of the test's own
        (CASEWORK_SERVERS_FILE); the laptop's server state goes in the test's folder too
        (XDG_STATE_HOME: platformdirs)."""
        import json
        from dataclasses import asdict

        from casework.server.profiles import Profile

        u = make_url(self.url)
        profile = Profile(name="test-server", host=u.host or "127.0.0.1",
                          port=u.port or 5432, database=self.database, sslmode="disable")
        self.state.mkdir(parents=True, exist_ok=True)
        servers = self.state / "servers.json"
        servers.write_text(json.dumps({profile.name: asdict(profile)}), encoding="utf-8")
        return CliLogin(("--server", profile.name, "--user", self.login(username)),
                        {"CASEWORK_PASSWORD": self.password if password is None
                         else password,
                         "CASEWORK_SERVERS_FILE": str(servers),
                         "XDG_STATE_HOME": str(self.state / "xdg-state")})

    @property
    def setup_url(self) -> str:
        """The set-up connection's URL (``casework-cli server ... --url``)."""
        return with_db(self.template.admin_url, self.database)

    def server_options(self) -> list[str]:
        """What ``casework-cli server user ...`` needs to reach this database."""
        return ["--url", self.setup_url, "--prefix", self.template.prefix]

    def add_user(self, username: str, password: str, role: str, *,
                 display_name: str = "", team: str | None = None,
                 panels: tuple[str, ...] = ()) -> None:
        """The server's administrator adds a user and their login role (``server user
        add``); the login roles a test makes are dropped when it ends."""
        from casework.server import setup

        setup.add_user(self.setup_url, self.login(username), password, role,
                       display_name=display_name, team=team, panels=panels,
                       prefix=self.template.prefix)

    def sign_in(self, username: str, password: str) -> Workspace:
        """A new sign-in with this password (not kept: the caller locks it)."""
        from casework.server import session

        return session.open_url(self.url, self.login(username), password, state=self.state)

    def tamper(self, sql: str) -> None:
        """Change the tables behind the application's back: the superuser of the set-up
        connection with triggers off (the malicious database administrator of
        docs/SERVER.md), table names resolved in the casework schema."""
        with psycopg.connect(self.setup_url, autocommit=True) as conn:
            conn.execute(f"SET search_path = {SCHEMA}")
            conn.execute("SET session_replication_role = replica")
            conn.execute(sql.encode())

    def ws(self, username: str = "cm") -> Workspace:
        from casework.server import session

        if username not in self._open:
            ws = session.open_url(self.url, self.login(username), self.password,
                                  state=self.state)
            self._open[username] = PgWorkspace(ws, self.system)
        return self._open[username]

    def system(self) -> Workspace:
        """The SYSTEM actor for writing synthetic rows straight into the tables (test
        set-up: over the set-up connection, under no policy)."""
        if self._system is None:
            from casework.core import audit
            from db.server.store import ServerStore

            url = with_db(self.template.admin_url, self.database)
            user = make_url(url).username or "postgres"
            store = ServerStore.connect(url, user, None, self.state)
            ws = Workspace(store, SYSTEM)
            with ws.uow() as s:
                # its signing key registered in the trail, as a sign-in's is (else
                # ``audit verify`` finds heads signed by a key it never registered)
                owner, fp = store.enrol(s)
                audit.register_key(ws, s, owner, fp)
            self._system = ws
        return self._system

    def close(self) -> None:
        for ws in self._open.values():
            ws.lock()
        self._open.clear()
        if self._system is not None:
            self._system.lock()
            self._system = None
        self._drop_new_logins()

    def _drop_new_logins(self) -> None:
        """Roles are cluster-wide, the reset puts back only the tables: a login role the
        test made (``server user add``) goes now, or the next test could not make it."""
        built = set(self.template.roles)
        with psycopg.connect(self.setup_url, autocommit=True) as conn:
            names = [r for (r,) in conn.execute(
                "SELECT rolname FROM pg_roles WHERE starts_with(rolname, %s)",
                (f"{self.template.prefix}_",)) if r not in built]
            for name in names:
                conn.execute(f'DROP OWNED BY "{name}"')
                conn.execute(f'DROP ROLE "{name}"')
