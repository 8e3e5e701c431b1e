"""casework-cli import cases FILE.csv: people and ASB cases from a spreadsheet
(layout in docs/IMPORT.md). All or nothing: a bad row rejects the whole file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from casework.asb import importer
from casework.cli.common import CliError, out, signed_in


def register(sub: Any) -> None:
    """Add the ``cases`` source to the ``import`` parser."""
    p = sub.add_parser("cases", help="people and ASB cases from a CSV (see docs/IMPORT.md)")
    p.add_argument("file", type=Path, help="the CSV file (UTF-8, header row first)")
    p.add_argument("--dry-run", action="store_true",
                   help="check every row and report, importing nothing")
    p.set_defaults(func=cmd_import_cases)


def cmd_import_cases(args: argparse.Namespace) -> int:
    try:
        with signed_in(args, "import.cases") as ws:
            path: Path = args.file.expanduser()
            if not path.is_file():
                raise CliError("No such file.")
            result = importer.import_cases(ws, path.read_bytes(), dry_run=args.dry_run)
    except importer.ImportRejected as exc:
        for error in exc.errors:
            print(f"casework-cli: {error}", file=sys.stderr)
        print(f"casework-cli: error: the file was rejected ({len(exc.errors)} problem(s)); "
              "nothing was imported.", file=sys.stderr)
        return 2
    if result.dry_run:
        out(f"Checked {result.rows} row(s): all valid. Nothing was imported (dry run).")
        return 0
    out(f"Imported {result.cases} case(s) from {result.rows} row(s): {result.open_cases} open, "
        f"{result.closed_cases} closed.")
    out(f"People: {result.people_created} created, {result.people_matched} matched to "
        f"existing records. Incidents: {result.incidents}.")
    return 0
