"""casework-cli server: set up a PostgreSQL team server and manage its login roles.

These commands use a set-up connection (``--url``): a PostgreSQL role that may create
roles, usually the council's database administrator. Its password comes from libpq
(``PGPASSWORD``, ``~/.pgpass``, a client certificate), never from the URL.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from casework.cli.common import CliError, out, password, username
from casework.server import importer, profiles, setup
from casework.server.roles import SERVER_ROLES
from db.server.connect import translated


def register(sub: Any) -> None:
    """Add the ``server`` command group to the parser."""
    s = sub.add_parser("server", help="set up a PostgreSQL team server and its users")
    acts = s.add_subparsers(dest="action", required=True, metavar="ACTION")
    i = acts.add_parser("init", help="create the schema, its owner and group roles, and the "
                                     "row-level security policies (again: bring them up to "
                                     "date)")
    _url(i)
    i.set_defaults(func=cmd_init)
    u = acts.add_parser("user", help="add, disable a server user or set their password")
    us = u.add_subparsers(dest="user_action", required=True, metavar="ACTION")
    a = us.add_parser("add", help="a casework user and their login role (SCRAM-SHA-256)")
    a.add_argument("name")
    a.add_argument("--role", required=True, choices=sorted(SERVER_ROLES))
    a.add_argument("--display-name", default="")
    a.add_argument("--team", help="team name (created when missing)")
    a.add_argument("--team-kind", default="asb",
                   choices=["asb", "community_trigger", "sanctuary", "coordination",
                            "administration"])
    a.add_argument("--panel", action="append", default=[],
                   help="panel membership (repeatable; created when missing)")
    a.add_argument("--panel-kind", default="swip", choices=["swip", "mart"])
    _url(a)
    a.set_defaults(func=cmd_user_add)
    d = us.add_parser("disable", help="the user can no longer log in; their sessions end")
    d.add_argument("name")
    _url(d)
    d.set_defaults(func=cmd_user_disable)
    p = us.add_parser("passwd", help="set a user's password")
    p.add_argument("name")
    _url(p)
    p.set_defaults(func=cmd_user_passwd)
    im = acts.add_parser("import-file", help="move a file database into a new, empty server "
                                             "database (one transaction: all or nothing)")
    im.add_argument("file", type=Path, help="the .db file (its administrator signs in with "
                                             "--user)")
    im.add_argument("--login-prefix", default="",
                    help="put this before every user name to make the login role names")
    _url(im)
    im.set_defaults(func=cmd_import_file)
    pr = acts.add_parser("profile", help="connection profiles of this laptop (no passwords)")
    prs = pr.add_subparsers(dest="profile_action", required=True, metavar="ACTION")
    pa = prs.add_parser("add", help="add or replace a profile")
    pa.add_argument("name")
    pa.add_argument("--host", required=True)
    pa.add_argument("--port", type=int, default=5432)
    pa.add_argument("--database", required=True)
    pa.add_argument("--db-user", default="", help="the login role (default: --user)")
    pa.add_argument("--sslmode", default="require", choices=list(profiles.SSL_MODES),
                    help="TLS (default: require; disable only for 127.0.0.1)")
    pa.add_argument("--sslrootcert", default="", help="CA certificate to verify the server")
    pa.add_argument("--sslcert", default="", help="client certificate")
    pa.add_argument("--sslkey", default="", help="client certificate's key")
    pa.set_defaults(func=cmd_profile_add)
    pl = prs.add_parser("list", help="list the profiles")
    pl.set_defaults(func=cmd_profile_list)


def _url(p: argparse.ArgumentParser) -> None:
    p.add_argument("--url", required=True, metavar="URL",
                   help="set-up connection, postgresql://admin@host:5432/database "
                        "(TLS required: sslmode=require by default; sslmode=disable only "
                        "for a server on this machine)")
    p.add_argument("--prefix", default="casework",
                   help="prefix of the cluster-wide role names (default: %(default)s)")


def _checked(url: str) -> str:
    try:
        has_password = make_url(url).password is not None
    except Exception:  # noqa: BLE001 - a malformed URL is the user's input
        raise CliError("The URL looks like postgresql://user@host:5432/database") from None
    if has_password:
        raise CliError("Put no password in the URL (it would stay in the shell history): "
                       "use PGPASSWORD, ~/.pgpass or a client certificate.")
    return url


def cmd_init(args: argparse.Namespace) -> int:
    with translated():
        result = setup.init(_checked(args.url), prefix=args.prefix)
    out(f"Team server ready: database {result.database}, {result.tables} tables, schema "
        f"revision {result.revision}, row-level security forced on every case table.")
    out("Next: casework-cli server user add NAME --role ROLE --url ...; allow logins only "
        "over TLS with SCRAM (pg_hba.conf: hostssl ... scram-sha-256).")
    return 0


def cmd_import_file(args: argparse.Namespace) -> int:
    url = _checked(args.url)
    if not args.file.exists():
        raise CliError(f"No database file at {args.file}.")
    with translated():
        result = importer.import_file(url, args.file, username(args), password(),
                                      prefix=args.prefix, login_prefix=args.login_prefix)
    out(f"Imported {result.rows} rows from {result.tables} tables: {result.cases} cases, "
        f"{result.people} people, {result.audit_entries} audit entries (the last records "
        f"the import).")
    out(f"{result.users} users have login roles that cannot log in yet: give each a "
        f"password with 'casework-cli server user passwd NAME --url ...'.")
    return 0


def cmd_user_add(args: argparse.Namespace) -> int:
    url = _checked(args.url)
    new_pw = password(f"Password for {args.name}: ", env="CASEWORK_NEW_PASSWORD",
                      confirm=True)
    with translated():
        setup.add_user(url, args.name, new_pw, args.role, display_name=args.display_name,
                       team=args.team, team_kind=args.team_kind, panels=tuple(args.panel),
                       panel_kind=args.panel_kind, prefix=args.prefix)
    out(f"Added {args.name} ({args.role}) with a login role.")
    return 0


def cmd_user_disable(args: argparse.Namespace) -> int:
    with translated():
        setup.disable_user(_checked(args.url), args.name, prefix=args.prefix)
    out(f"Disabled {args.name}: they can no longer log in, and their sessions were ended.")
    return 0


def cmd_user_passwd(args: argparse.Namespace) -> int:
    url = _checked(args.url)
    new_pw = password(f"New password for {args.name}: ", env="CASEWORK_NEW_PASSWORD",
                      confirm=True)
    with translated():
        setup.set_password(url, args.name, new_pw, prefix=args.prefix)
    out(f"Password set for {args.name}.")
    return 0


def cmd_profile_add(args: argparse.Namespace) -> int:
    path = profiles.save(profiles.Profile(
        name=args.name, host=args.host, port=args.port, database=args.database,
        user=args.db_user, sslmode=args.sslmode, sslrootcert=args.sslrootcert,
        sslcert=args.sslcert, sslkey=args.sslkey))
    out(f"Saved profile {args.name} in {path} (no password is stored). Use it with "
        f"--server {args.name} or CASEWORK_SERVER={args.name}.")
    return 0


def cmd_profile_list(_args: argparse.Namespace) -> int:
    for p in profiles.load().values():
        out(f"{p.name:<16} {p.host}:{p.port}/{p.database} user={p.user or '-'} "
            f"sslmode={p.sslmode}")
    return 0
