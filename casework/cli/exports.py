"""casework-cli export: every output of the information-sharing protocol.

``export pack``, ``export quarterly``, ``export trigger-return``, ``export kpi-report`` go
through the ISP pipeline (field rules, disclosure control, atomic files, audited);
``export protocol`` writes a protocol version's readable JSON (it holds no personal data).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from casework.cli.common import CliError, out, signed_in
from casework.sharing.pipeline import ExportResult


def register(sub: Any) -> None:
    """Add the ``export`` command group."""
    p = sub.add_parser("export", help="outputs under the information-sharing protocol")
    es = p.add_subparsers(dest="output", required=True, metavar="OUTPUT")

    pk = es.add_parser("pack", help="anonymised meeting pack (PDF), one copy per recipient")
    which = pk.add_mutually_exclusive_group(required=True)
    which.add_argument("--meeting", type=int, help="a SWIP or MART meeting id")
    which.add_argument("--trigger-review", type=int, metavar="CASE_ID",
                       help="a Community Trigger application (its review meeting)")
    pk.add_argument("--recipient", help="who this copy is for (an attendee of the meeting)")
    pk.add_argument("--agency", help="the recipient's body, for a trigger review pack "
                                     "(council, police, icb, housing_provider, other)")
    pk.add_argument("--all-attendees", action="store_true",
                    help="one PDF per attendee of the meeting, written into --out-dir")
    pk.add_argument("--out", type=Path, help="the PDF to write")
    pk.add_argument("--out-dir", type=Path, help="folder for --all-attendees")
    pk.set_defaults(func=cmd_pack)

    q = es.add_parser("quarterly", help="depersonalised quarterly dataset (CSV and XLSX)")
    q.add_argument("--quarter", required=True, help="for example 2026Q3")
    q.add_argument("--out", required=True, type=Path, help="folder to write the files into")
    q.add_argument("--recipient", help="a recipient the protocol names (default: the first)")
    q.set_defaults(func=cmd_quarterly)

    t = es.add_parser("trigger-return", help="Community Trigger annual return (PDF/CSV/XLSX)")
    t.add_argument("--year", required=True, type=int)
    t.add_argument("--out", required=True, type=Path, help="FILE.pdf, FILE.csv or FILE.xlsx")
    t.add_argument("--recipient", help="a recipient the protocol names (default: the first)")
    t.set_defaults(func=cmd_trigger_return)

    k = es.add_parser("kpi-report", help="KPI report (PDF with charts, CSV or XLSX)")
    k.add_argument("--period", required=True, help="2026Q3, 2026 or 2026-07")
    k.add_argument("--out", required=True, type=Path,
                   help="FILE.pdf, FILE.csv or FILE.xlsx (the suffix picks the format)")
    k.add_argument("--recipient", help="a recipient the protocol names (default: the first)")
    k.set_defaults(func=cmd_kpi_report)

    pr = es.add_parser("protocol", help="write the sharing protocol (a version) as JSON")
    pr.add_argument("--version", type=int, help="a version number (default: the latest)")
    pr.add_argument("--out", required=True, type=Path)
    pr.set_defaults(func=cmd_protocol)


def _report(result: ExportResult) -> None:
    for path in result.files:
        digest = result.sha256.get(path.name, "")
        out(f"Wrote {path} (sha256 {digest[:16]}...)")
    out(f"Sharing protocol v{result.protocol_version}; recipient: {result.recipient}; "
        "recorded in the audit trail.")


def cmd_pack(args: argparse.Namespace) -> int:
    from casework.panels import pack
    from casework.trigger import review_pack

    review = args.trigger_review is not None
    with signed_in(args, "export.trigger_pack" if review else "export.pack") as ws:
        if review:
            if not (args.recipient and args.agency and args.out):
                raise CliError("A trigger review pack needs --recipient, --agency and --out.")
            _report(review_pack.export_review_pack(ws, args.trigger_review, args.recipient,
                                                   args.agency, args.out))
            return 0
        if args.all_attendees:
            if not args.out_dir:
                raise CliError("--all-attendees writes into --out-dir DIR.")
            names = pack.attendees(ws, args.meeting)
            if not names:
                raise CliError("The meeting has no attendance list yet.")
            args.out_dir.mkdir(exist_ok=True)
            for i, name in enumerate(names, 1):
                target = args.out_dir / f"meeting-{args.meeting}-pack-copy-{i}.pdf"
                _report(pack.export_pack(ws, args.meeting, name, target))
            return 0
        if not (args.recipient and args.out):
            raise CliError("A meeting pack needs --recipient NAME and --out FILE.pdf.")
        _report(pack.export_pack(ws, args.meeting, args.recipient, args.out))
    return 0


def cmd_quarterly(args: argparse.Namespace) -> int:
    from casework.sharing import quarterly

    with signed_in(args, "export.quarterly") as ws:
        result = quarterly.export_quarterly(ws, args.quarter, args.out, args.recipient)
    _report(result)
    f = result.facts
    out(f"{f['rows']} record-level rows (k={f['k']}): {f['generalised']} generalised further, "
        f"{f['withheld']} withheld; {f['suppressed']} table entries suppressed.")
    return 0


def cmd_trigger_return(args: argparse.Namespace) -> int:
    from casework.trigger import annual_return as trigger_return

    with signed_in(args, "export.trigger_return") as ws:
        result = trigger_return.export_trigger_return(ws, args.year, args.out, args.recipient)
    _report(result)
    if not result.facts.get("reconciles", True):
        out("Warning: the figures do not reconcile; see the file.")
    return 0


def cmd_kpi_report(args: argparse.Namespace) -> int:
    from casework.reporting import kpi_report

    with signed_in(args, "report.kpis") as ws:
        result = kpi_report.export_kpi_report(ws, args.period, args.out, args.recipient)
    _report(result)
    return 0


def cmd_protocol(args: argparse.Namespace) -> int:
    from casework.sharing import protocol
    from casework.sharing.safety import PendingFile

    with signed_in(args) as ws:
        version, definition = protocol.definition_of(ws, args.version)
    pending = PendingFile(args.out)
    try:
        pending.path.write_text(json.dumps(definition, indent=2) + "\n", encoding="utf-8")
        pending.commit()
    finally:
        pending.discard()
    out(f"Wrote sharing protocol version {version} to {args.out}.")
    return 0
