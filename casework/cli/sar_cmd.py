"""casework-cli sar: record a subject access request and export everything held."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import Any

from casework.cli.common import CliError, out, signed_in
from casework.safeguards import sar


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError("use a date like 2026-06-15") from None


def register(sub: Any) -> None:
    """Add the ``sar`` command group to the parser."""
    s = sub.add_parser("sar", help="subject access requests: record one, export the data")
    acts = s.add_subparsers(dest="action", required=True, metavar="ACTION")
    r = acts.add_parser("request", help="record a request (a task due in one calendar month, "
                                        "on a working day)")
    r.add_argument("--person", type=int, required=True, metavar="ID")
    r.add_argument("--received", type=_day, help="date received (default today)")
    r.set_defaults(func=cmd_request)
    e = acts.add_parser("export", help="gather everything held about a person: a redacted "
                                       "copy for disclosure, a review copy and a JSON file")
    e.add_argument("--person", type=int, required=True, metavar="ID")
    e.add_argument("--out", type=Path, required=True, metavar="DIR", help="output folder")
    e.add_argument("--received", type=_day, help="date received, if not recorded already")
    e.set_defaults(func=cmd_export)


def cmd_request(args: argparse.Namespace) -> int:
    with signed_in(args, "sar.export") as ws:
        req = sar.open_request(ws, args.person, args.received)
    out(f"Subject access request for person {req.person_id}: received "
        f"{req.received_on:%Y-%m-%d}, due {req.due_on:%Y-%m-%d} (task {req.task_id}).")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    with signed_in(args, "sar.export") as ws:
        folder: Path = args.out.expanduser()
        if not folder.is_dir():
            raise CliError("The output folder does not exist.")
        result = sar.export(ws, args.person, folder, args.received)
    out(f"Wrote {result.redacted} (for disclosure), {result.review} (review copy) and "
        f"{result.json}: {result.cases} case(s), {result.marks} third-party value(s) "
        f"redacted.")
    out(f"Reply due {result.request.due_on:%Y-%m-%d}; task {result.request.task_id} "
        f"completed.")
    return 0
