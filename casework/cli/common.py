"""What every command shares: finding the database, asking for the password, signing in
(``signed_in``), printing."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from casework.core.context import Workspace, open_workspace
from casework.core.errors import CaseworkError
from casework.core.permissions import require


class CliError(CaseworkError):
    """A problem with the command line itself."""


def db_path(args: argparse.Namespace) -> Path:
    value = getattr(args, "db", None) or os.environ.get("CASEWORK_DB")
    if not value and (getattr(args, "server", None) or os.environ.get("CASEWORK_SERVER")):
        raise CliError("This command works on a database file (--db PATH). On a team "
                       "server this is done by the server's administrator (casework-cli "
                       "server ..., or the database's own backups).")
    if not value:
        raise CliError("No database given: use --db PATH or set CASEWORK_DB.")
    return Path(value).expanduser()


def username(args: argparse.Namespace) -> str:
    value = getattr(args, "user", None) or os.environ.get("CASEWORK_USER")
    if not value:
        raise CliError("No user given: use --user NAME or set CASEWORK_USER.")
    return str(value)


def password(prompt: str = "Password: ", env: str = "CASEWORK_PASSWORD",
             confirm: bool = False) -> str:
    """From the environment (automation) or a prompt that does not echo."""
    value = os.environ.get(env)
    if value is not None:
        return value
    if not sys.stdin or not sys.stdin.isatty():
        raise CliError(f"No password: set {env} or run in a terminal to be asked.")
    first = getpass.getpass(prompt)
    if confirm and getpass.getpass("Again: ") != first:
        raise CliError("The two passwords differ.")
    return first


@contextmanager
def signed_in(args: argparse.Namespace, capability: str | None = None, *,
              user: str | None = None, secret: str | None = None) -> Iterator[Workspace]:
    """The signed-in workspace of the command's user, locked again when the block ends.

    ``capability`` is required first, so a role that may not run the command is refused
    before any file named on the command line is looked at. ``user`` and ``secret`` sign
    in someone other than ``--user`` or with a password already asked for.
    """
    server = getattr(args, "server", None) or os.environ.get("CASEWORK_SERVER")
    if server:
        from casework.server import profiles, session  # local: file mode needs neither

        ws = session.open_profile(profiles.get(server), user or username(args),
                                  password() if secret is None else secret)
    else:
        ws = open_workspace(db_path(args), user or username(args),
                            password() if secret is None else secret)
    try:
        if capability is not None:
            require(ws.actor, capability)
        _recover_exports(ws)
        yield ws
    finally:
        ws.lock()


def _recover_exports(ws: Workspace) -> None:
    """Tidy what an export killed part-way left behind, and say so."""
    from casework.sharing.pipeline import recover_exports

    removed = recover_exports(ws)
    if removed:
        print(f"casework: removed {removed} unfinished export(s) left by an interrupted "
              "run; the audit trail shows them as incomplete.", file=sys.stderr)


def out(line: str = "") -> None:
    """One line on standard output. A reader that has gone (``| head``) is no error: the
    rest of the output is dropped and the command finishes its work."""
    try:
        print(line, flush=True)
    except BrokenPipeError:
        discard_stdout()


def discard_stdout() -> None:
    """Send whatever is still written to standard output to the null device (after EPIPE),
    so that neither a later write nor the flush at exit fails again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass  # stdout has no descriptor (captured in tests): nothing left to protect
