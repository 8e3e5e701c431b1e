"""Setting up a team server, and managing its login roles.

``init`` runs over a connection of a PostgreSQL role that may create roles (the council's
database administrator, once): it creates the owner role (NOLOGIN), the casework group
roles, the schema (owned by the owner), runs the migrations as the owner, then installs
the policies. ``add_user``, ``disable_user`` and ``set_password`` manage the login roles
(SCRAM-SHA-256 verifiers computed here, so no password reaches the server in clear).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, select, text
from sqlalchemy.orm import Session

from casework.admin import newdb
from casework.core import passwords
from casework.core.errors import NotFound, ValidationError
from casework.core.users import check_username
from casework.server import reporting, retention, scram
from casework.server.roles import PANEL_TYPES, SERVER_ROLES, TEAM_TYPES
from db import migrate
from db.models import Base, Panel, PanelMembership, Team, User
from db.models.admin import PANEL_KINDS, TEAM_KINDS
from db.server import policies
from db.server import search as server_search
from db.server.connect import server_engine
from db.server.policies import Names, ident, literal

RESERVED = ("pg_", "postgres", "public")


@dataclass(frozen=True)
class InitResult:
    database: str
    tables: int
    revision: str


def _run(conn: Connection, ddl: str) -> None:
    """One DDL statement as written (no parameters: a ``%`` in plpgsql stays as it is)."""
    with conn.connection.dbapi_connection.cursor() as cur:  # type: ignore[union-attr]
        cur.execute(ddl)


def _database(conn: Connection) -> str:
    return str(conn.scalar(text("SELECT current_database()")))


def _require_utf8(conn: Connection) -> None:
    """Names are in every script: the database must hold any character (and the search
    function's prefix ranges are those of UTF-8, ``db.server.search``)."""
    encoding = str(conn.scalar(text("SELECT getdatabaseencoding()")))
    if encoding != "UTF8":
        raise ValidationError(
            f"The database {_database(conn)} is in the {encoding} encoding; casework needs "
            "a UTF8 database (CREATE DATABASE ... ENCODING 'UTF8' TEMPLATE template0).",
            field="url")


def init(url: str, *, prefix: str = "casework") -> InitResult:
    """Create (or bring up to date) the casework schema, roles and policies."""
    names = Names(prefix)
    admin = server_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            _require_utf8(conn)
            for ddl in policies.cluster_roles(names, SERVER_ROLES):
                _run(conn, ddl)
            me = str(conn.scalar(text("SELECT current_user")))
            # The set-up role takes the owner role for the migrations (not to log in).
            conn.exec_driver_sql(f"GRANT {ident(names.owner)} TO {ident(me)}")
            database = _database(conn)
            for ddl in policies.schemas(names, database):
                _run(conn, ddl)
            # pg_trgm is a trusted extension: serves search as you type.
            _run(conn, f"CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA {policies.ACL}")
            trgm = str(conn.scalar(text(
                "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n "
                "ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'")))
    finally:
        admin.dispose()
    owner = server_engine(url, role=names.owner)
    try:
        migrate.upgrade(owner)
        with owner.begin() as conn:
            tables = [str(r[0]) for r in conn.execute(text(
                "SELECT tablename FROM pg_tables WHERE schemaname = :s"),
                {"s": policies.SCHEMA})]
            for ddl in policies.secure(names, SERVER_ROLES, tables, TEAM_TYPES, PANEL_TYPES):
                _run(conn, ddl)
            for ddl in [*reporting.ddl(names), *retention.ddl(names, SERVER_ROLES),
                        *server_search.ddl(names, SERVER_ROLES)]:
                _run(conn, ddl)
            for ddl in policies.trigram_indexes(trgm, tables):
                _run(conn, ddl)
            revision = str(conn.scalar(text("SELECT version_num FROM alembic_version")))
        # The reference data a new file database gets (LSOAs, vocabularies, the sharing
        # protocol's first version): no login may write these tables, so init seeds them.
        with Session(owner) as session, session.begin():
            newdb.seed(session)
    finally:
        owner.dispose()
    return InitResult(database, len(tables), revision)


def _check_login_name(username: str, names: Names) -> None:
    check_username(username)
    low = username.lower()
    if low != username or low.startswith(RESERVED) or low.startswith(names.prefix + "_r_") \
            or low in (names.owner, names.user):
        raise ValidationError("On a team server a user name is lower case and not a name "
                              "PostgreSQL or casework reserves.", field="username")


def _set_up(url: str) -> Engine:
    return server_engine(url)


def add_user(url: str, username: str, password: str, role: str, *, display_name: str = "",
             team: str | None = None, team_kind: str = "asb", panels: Iterable[str] = (),
             panel_kind: str = "swip", prefix: str = "casework") -> None:
    """A casework user and their login role, in one transaction (teams and panels named
    are created when missing)."""
    names = Names(prefix)
    _check_login_name(username, names)
    if role not in SERVER_ROLES:
        raise ValidationError(f"Role must be one of: {', '.join(sorted(SERVER_ROLES))}.",
                              field="role")
    if team_kind not in TEAM_KINDS or panel_kind not in PANEL_KINDS:
        raise ValidationError("Unknown team or panel kind.", field="kind")
    password = passwords.check_new(password, (username, display_name))
    engine = _set_up(url)
    try:
        with Session(engine) as session, session.begin():
            if session.scalar(select(User.id).where(User.username == username)) is not None:
                raise ValidationError("A user of that name already exists.", field="username")
            exists = session.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :n"),
                                    {"n": username})
            if exists:
                raise ValidationError("A PostgreSQL role of that name already exists.",
                                      field="username")
            team_id = None
            if team:
                t = session.scalar(select(Team).where(Team.name == team))
                if t is None:
                    t = Team(name=team, kind=team_kind)
                    session.add(t)
                    session.flush()
                team_id = t.id
            user = User(username=username, display_name=display_name or username, role=role,
                        team_id=team_id)
            session.add(user)
            session.flush()
            for name in panels:
                p = session.scalar(select(Panel).where(Panel.name == name))
                if p is None:
                    p = Panel(name=name, kind=panel_kind)
                    session.add(p)
                    session.flush()
                session.add(PanelMembership(user_id=user.id, panel_id=p.id,
                                            is_chair=role == "panel_chair"))
            _run(session.connection(),
                 f"CREATE ROLE {ident(username)} LOGIN "
                 f"PASSWORD {literal(scram.verifier(password))} "
                 f"IN ROLE {ident(names.user)}, {ident(names.group(role))}")
    finally:
        engine.dispose()


def disable_user(url: str, username: str, *, prefix: str = "casework") -> None:
    """The user can no longer log in (their history stays)."""
    _check_login_name(username, Names(prefix))
    engine = _set_up(url)
    try:
        with Session(engine) as session, session.begin():
            user = session.scalar(select(User).where(User.username == username))
            if user is None:
                raise NotFound("No user of that name.")
            user.active = False
            _run(session.connection(), f"ALTER ROLE {ident(username)} NOLOGIN")
            session.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = :n"),
                {"n": username})
    finally:
        engine.dispose()


def set_password(url: str, username: str, password: str, *, prefix: str = "casework") -> None:
    """Set a login role's password (a SCRAM-SHA-256 verifier)."""
    _check_login_name(username, Names(prefix))
    password = passwords.check_new(password, (username,))
    engine = _set_up(url)
    try:
        with engine.begin() as conn:
            active = conn.scalar(select(User.active).where(User.username == username))
            if active is None:
                raise NotFound("No user of that name.")
            # An active user's role may log in (users moved in from a file start NOLOGIN).
            _run(conn, f"ALTER ROLE {ident(username)} {'LOGIN ' if active else ''}PASSWORD "
                       f"{literal(scram.verifier(password))}")
    finally:
        engine.dispose()


def table_names() -> list[str]:
    """The tables the models declare (what ``init`` secures)."""
    return sorted(Base.metadata.tables)
