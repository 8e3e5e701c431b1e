"""casework-cli demo: create a NEW encrypted database full of synthetic cases."""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Any

from casework import demo
from casework.cli.common import db_path, out

DEFAULT_CASES = 2000
DEFAULT_SEED = 2026


def register(sub: Any) -> None:
    """Add this module's subcommands to the parser."""
    p = sub.add_parser(
        "demo", help="create a new database of synthetic cases and demo users (never real data)",
        description="Create a NEW encrypted database at --db with demo users of every role "
                    "and synthetic cases of every type. Refuses an existing file. The demo "
                    "users' password is $CASEWORK_PASSWORD if set, else a fixed demo-only "
                    "password that is printed.")
    p.add_argument("--cases", type=int, default=DEFAULT_CASES,
                   help=f"how many cases to generate (default {DEFAULT_CASES})")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED,
                   help=f"random seed: the same seed gives the same data (default {DEFAULT_SEED})")
    p.set_defaults(func=cmd_demo)


def _progress() -> demo.Progress | None:
    if not sys.stderr.isatty():
        return None

    def show(fraction: float) -> None:
        sys.stderr.write(f"\r  generating ... {fraction:4.0%}")
        if fraction >= 1.0:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return show


def cmd_demo(args: argparse.Namespace) -> int:
    path = db_path(args)
    from_env = os.environ.get("CASEWORK_PASSWORD")
    password = from_env or demo.DEMO_PASSWORD
    started = time.perf_counter()
    info = demo.create_demo_database(path, cases=args.cases, seed=args.seed,
                                     password=password, progress=_progress())
    seconds = time.perf_counter() - started
    out(f"Created {path} with {info.stats.cases:,} synthetic cases "
        f"({info.stats.rows:,} rows, seed {args.seed}) in {seconds:.1f} s.")
    out("Demo users (synthetic data only):")
    for u in info.users:
        where = u.team or ", ".join(u.panels) or "-"
        out(f"  {u.username:<10} {u.role:<14} {where}")
    if from_env:
        out("Password for every demo user: the value of CASEWORK_PASSWORD.")
    else:
        out(f"Password for every demo user: {info.password}")
    out(f"Recovery key: {info.recovery_key}")
    return 0
