"""casework-cli import police-uk (police-recorded ASB) and import protocol (a new version)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from casework.cli.common import CliError, out, signed_in


def register(sub: Any) -> None:
    """Add ``police-uk`` and ``protocol`` to the ``import`` parser."""
    p = sub.add_parser("police-uk", help="police.uk street-level CSV: keep the ASB rows")
    p.add_argument("file", type=Path)
    p.set_defaults(func=cmd_police_uk)
    pr = sub.add_parser("protocol", help="add a sharing protocol version from a JSON file "
                                         "(administrators)")
    pr.add_argument("file", type=Path)
    pr.add_argument("--reason", "--note", dest="note", required=True,
                    help="why the protocol changes (kept with the version and audited)")
    pr.add_argument("--confirm-weaker", action="store_true",
                    help="add the version even though it protects less than the current "
                         "one; every output produced under it will say so")
    pr.add_argument("--dry-run", action="store_true",
                    help="check the file and show the difference; add nothing")
    pr.set_defaults(func=cmd_protocol)


def cmd_police_uk(args: argparse.Namespace) -> int:
    from casework.sharing.police import import_police_uk

    with signed_in(args, "import.police") as ws:
        r = import_police_uk(ws, args.file)
    if r.already_imported:
        out("This file was imported before; nothing changed.")
        return 0
    out(f"Read {r.rows_read} rows: kept {r.rows_kept} anti-social behaviour incidents "
        f"({', '.join(r.months)}), skipped {r.rows_other_crime} other crimes.")
    if r.rows_no_lsoa:
        out(f"{r.rows_no_lsoa} ASB incidents had no LSOA: kept and counted as 'unknown' area.")
    if r.replaced:
        out(f"Replaced {r.replaced} incidents previously held for the same months.")
    return 0


def cmd_protocol(args: argparse.Namespace) -> int:
    from casework.sharing import protocol

    with signed_in(args, "admin.protocol") as ws:
        try:
            definition = json.loads(Path(args.file).read_text(encoding="utf-8"))
        except ValueError:
            raise CliError("The protocol file is not valid JSON.") from None
        if not isinstance(definition, dict):
            raise CliError("The protocol file does not hold a protocol definition.")
        preview = protocol.preview_version(ws, definition)
        lines = preview.lines()
        out(f"Changes from version {preview.current_version} ({len(lines)}):")
        for line in lines or ["(none)"]:
            out(f"  {line}")
        if preview.weaker:
            out(f"Weaker than version {preview.current_version} ({len(preview.weaker)}):")
            for line in preview.weaker:
                out(f"  {line}")
        if args.dry_run:
            out("Dry run: nothing was added.")
            return 0
        version = protocol.new_version(ws, definition, args.note, args.confirm_weaker)
    out(f"Sharing protocol version {version} is now in force; earlier versions are kept.")
    if preview.weaker or preview.still_weaker:
        out("Every output produced under it says that it protects less than the version "
            "before it.")
    return 0
