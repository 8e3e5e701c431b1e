"""casework-cli import: one parser, a subcommand per source (each in its own module)."""

from __future__ import annotations

from typing import Any

from casework.cli import import_cases, import_files, import_police


def register(sub: Any) -> None:
    p = sub.add_parser("import", help="import cases from a spreadsheet or police.uk ASB data")
    isub = p.add_subparsers(dest="source", required=True, metavar="SOURCE")
    import_cases.register(isub)
    import_police.register(isub)
    import_files.register(isub)
