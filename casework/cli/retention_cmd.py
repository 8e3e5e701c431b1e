"""casework-cli retention: list cases past their retention period; anonymise or delete."""

from __future__ import annotations

import argparse
from typing import Any

from sqlalchemy import select

from casework.cli.common import CliError, out, signed_in
from casework.core.errors import NotFound
from casework.safeguards import retention
from db.models import Case


def register(sub: Any) -> None:
    """Add the ``retention`` command group to the parser."""
    r = sub.add_parser("retention", help="closed cases past their retention period")
    acts = r.add_subparsers(dest="action", required=True, metavar="ACTION")
    ls = acts.add_parser("list", help="list the cases past their retention period")
    ls.set_defaults(func=cmd_list)
    for name, helptext in (("anonymise", "anonymise overdue cases (keeps statistics)"),
                           ("delete", "delete overdue cases and people left unreferenced")):
        p = acts.add_parser(name, help=helptext)
        p.add_argument("references", nargs="*", metavar="REF", help="case references")
        p.add_argument("--all-overdue", action="store_true", help="every case on the list")
        p.add_argument("--confirm", action="store_true",
                       help="required: this cannot be undone")
        p.add_argument("--reason", default="", help="why (recorded in the audit trail)")
        p.set_defaults(func=cmd_apply, mode=name)


def cmd_list(args: argparse.Namespace) -> int:
    with signed_in(args, "admin.retention") as ws:
        items = retention.review_list(ws)
    out(f"{len(items)} case(s) past their retention period.")
    if items:
        out(f"{'reference':<18} {'type':<10} {'closed':<10} {'kept until':<10} "
            f"{'overdue':>8}  state")
    for i in items:
        out(f"{i.reference:<18} {i.case_type:<10} {i.closed_on:%Y-%m-%d} "
            f"{i.retain_until:%Y-%m-%d} {i.days_overdue:>6} d  "
            f"{'anonymised' if i.anonymised else '-'}")
    return 0


def cmd_apply(args: argparse.Namespace) -> int:
    if not args.confirm:
        raise CliError("This cannot be undone: add --confirm to go ahead.")
    if bool(args.references) == bool(args.all_overdue):
        raise CliError("Give case references or --all-overdue (not both).")
    with signed_in(args, "admin.retention") as ws:
        if args.all_overdue:
            ids = [i.case_id for i in retention.review_list(ws)
                   if not (args.mode == "anonymise" and i.anonymised)]
        else:
            with ws.uow() as session:
                found = dict(session.execute(select(Case.reference, Case.id).where(
                    Case.reference.in_(args.references))).all())
            missing = [r for r in args.references if r not in found]
            if missing:
                raise NotFound(f"No case with reference {missing[0]}.")
            ids = [found[r] for r in args.references]
        if not ids:
            out("Nothing to do: no case is past its retention period.")
            return 0
        act = retention.anonymise_cases if args.mode == "anonymise" else retention.delete_cases
        result = act(ws, ids, confirmed=True, reason=args.reason)
    verb = "Anonymised" if args.mode == "anonymise" else "Deleted"
    rows = ", ".join(f"{k} {v}" for k, v in sorted(result.rows.items())) or "none"
    out(f"{verb} {len(result.case_ids)} case(s); rows removed: {rows}; people removed "
        f"{len(result.people_removed)}, anonymised {len(result.people_anonymised)}.")
    return 0
