"""What every command shares: finding the database, asking for the password, opening it."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from casework.core.context import Workspace, open_workspace
from casework.core.errors import CaseworkError


class CliError(CaseworkError):
    """A problem with the command line itself."""


def db_path(args: argparse.Namespace) -> Path:
    value = getattr(args, "db", None) or os.environ.get("CASEWORK_DB")
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


def open_ws(args: argparse.Namespace) -> Workspace:
    return open_workspace(db_path(args), username(args), password())


def out(line: str = "") -> None:
    print(line, flush=True)
