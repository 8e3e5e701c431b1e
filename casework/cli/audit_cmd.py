"""casework-cli audit: verify the chain, print its head, and who saw what."""

from __future__ import annotations

import argparse
from typing import Any

from casework.cli.common import CliError, out, signed_in
from casework.core import audit
from casework.safeguards import who_saw

EXIT_BROKEN = 1


def register(sub: Any) -> None:
    """Add the ``audit`` command group to the parser."""
    a = sub.add_parser("audit", help="verify the audit chain, print its head, who saw what")
    acts = a.add_subparsers(dest="action", required=True, metavar="ACTION")
    v = acts.add_parser("verify", help="recompute the chain; OK with count and head, or the "
                                       "first entry that breaks it")
    v.add_argument("--head", metavar="H",
                   help="a head printed earlier by 'audit head' (seq:hash:user:signature, "
                        "or seq:hash) or kept with a backup (<backup>.head): also prove "
                        "that nothing was cut off the end")
    v.set_defaults(func=cmd_verify)
    h = acts.add_parser("head", help="print the latest signed head (keep it off this laptop)")
    h.set_defaults(func=cmd_head)
    w = acts.add_parser("who-saw", help="every access and change of a person or a case")
    which = w.add_mutually_exclusive_group(required=True)
    which.add_argument("--person", type=int, metavar="ID", help="a person's id")
    which.add_argument("--case", metavar="REF", help="a case reference (or id)")
    w.add_argument("--no-cases", action="store_true",
                   help="for a person: leave out entries about the cases they are in")
    w.set_defaults(func=cmd_who_saw)


def cmd_verify(args: argparse.Namespace) -> int:
    head: audit.Head | str | None = None
    if args.head:
        try:
            head = audit.parse_head(args.head)
        except ValueError as exc:
            raise CliError(str(exc)) from None
    with signed_in(args, "audit.verify") as ws:
        result = audit.verify(ws, head)
        with ws.uow() as session:
            audit.record(ws, session, "audit.verify", detail={
                "ok": result.ok, "count": result.count, "with_head": head is not None,
                **({"first_bad": result.first_bad_seq} if not result.ok else {})})
    if result.ok:
        extra = "; the recorded head is in it" if head is not None else ""
        out(f"OK: {result.count} entries, chain intact{extra}.")
        if result.signed_seq:
            out(f"latest signed head checked: entry {result.signed_seq}, signed by "
                f"{result.signed_by} (the latest heads of {result.signers} signer(s) "
                f"checked against their registered keys)")
        out(f"head {result.head_text}")
        return 0
    out(f"FAIL: {result.problem} (the {result.count} entries before it are sound).")
    out(f"first bad entry: {result.first_bad_seq}")
    return EXIT_BROKEN


def cmd_head(args: argparse.Namespace) -> int:
    with signed_in(args, "audit.verify") as ws:
        head = audit.current_head(ws)
    out(str(head))
    return 0


def cmd_who_saw(args: argparse.Namespace) -> int:
    with signed_in(args, "audit.who_saw") as ws:
        if args.person is not None:
            report = who_saw.for_person(ws, args.person, include_cases=not args.no_cases)
            title = f"person {report.subject_id}"
        else:
            report = who_saw.for_case(ws, args.case)
            title = f"case {report.reference or report.subject_id}"
    out(f"Who saw {title}: {len(report.entries)} entries by {len(report.users)} user(s).")
    out(f"{'seq':>8}  {'when (UTC)':<19}  {'user':<16} {'kind':<6} {'action':<22} "
        f"{'record':<14} {'via':<24} reason")
    for e in report.entries:
        record = f"{e.record_type}:{e.record_id}" if e.record_type else "-"
        out(f"{e.seq:>8}  {e.when:%Y-%m-%d %H:%M:%S}  {e.username:<16} {e.kind:<6} "
            f"{e.action:<22} {record:<14} {e.via or '-':<24} {e.reason}")
    return 0
