"""casework-cli import file FILE [--type TYPE] [--with FILE]: a workbook with a sheet per
case type, or a CSV of one type; casework-cli import template DEST: the template
workbook. Layouts in docs/IMPORT.md. All or nothing: a bad row rejects the whole file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from casework.cli.common import CliError, out, signed_in
from casework.imports import files


def register(sub: Any) -> None:
    p = sub.add_parser("file", help="a workbook (.xlsx, a sheet per case type) or a CSV of "
                                    "one type (see docs/IMPORT.md)")
    p.add_argument("file", type=Path)
    p.add_argument("--type", choices=files.KINDS, dest="kind",
                   help="the case type a CSV holds (a workbook names it by sheet)")
    p.add_argument("--with", type=Path, dest="child", metavar="FILE",
                   help="a second CSV: the incidents of ASB cases, or the complaints of "
                        "Community Trigger applications")
    p.set_defaults(func=cmd_import_file)
    t = sub.add_parser("template", help="write the template workbook (a sheet per layout)")
    t.add_argument("dest", type=Path)
    t.set_defaults(func=cmd_template)


def cmd_import_file(args: argparse.Namespace) -> int:
    try:
        with signed_in(args, "import.cases") as ws:
            paths = [args.file] + ([args.child] if args.child else [])
            for path in paths:
                if not path.expanduser().is_file():
                    raise CliError(f"No such file: {path.name}.")
            summary = files.import_file(
                ws, args.file.expanduser().read_bytes(), args.kind,
                child=args.child.expanduser().read_bytes() if args.child else None)
    except files.ImportRejected as exc:
        for error in exc.errors:
            print(f"casework-cli: {error}", file=sys.stderr)
        print(f"casework-cli: error: the file was rejected ({exc.total} problem(s)); "
              "nothing was imported.", file=sys.stderr)
        return 2
    for line in summary.lines:
        out(f"Imported {line}")
    return 0


def cmd_template(args: argparse.Namespace) -> int:
    dest: Path = args.dest.expanduser()
    if dest.exists():
        raise CliError("A file of that name already exists; choose another name.")
    if not dest.parent.is_dir():
        raise CliError("The folder does not exist.")
    dest.write_bytes(files.template_bytes())
    out(f"Template written to {dest}.")
    return 0
