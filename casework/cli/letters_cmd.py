"""casework-cli letters: the letter templates an administrator edits (list, show, set)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from casework.cases import letter_templates
from casework.cli.common import CliError, out, signed_in

CAPABILITY = letter_templates.CAPABILITY


def register(sub: Any) -> None:
    """Add the ``letters`` command group to the parser."""
    r = sub.add_parser("letters", help="letter templates (administrators)")
    acts = r.add_subparsers(dest="action", required=True, metavar="ACTION")
    ls = acts.add_parser("list", help="every template and its current version")
    ls.set_defaults(func=cmd_list)
    show = acts.add_parser("show", help="a template's text, placeholders and versions")
    show.add_argument("name", metavar="NAME", help="the template, e.g. cpw")
    show.add_argument("--version", type=int, default=None,
                      help="an older version (0: the built-in text)")
    show.set_defaults(func=cmd_show)
    st = acts.add_parser("set", help="save a new version of a template from a text file")
    st.add_argument("name", metavar="NAME", help="the template, e.g. cpw")
    st.add_argument("--file", required=True, type=Path, metavar="F",
                    help="the new text (UTF-8): a 'title:' line, a blank line, the body")
    st.add_argument("--reason", required=True, metavar="R",
                    help="why it changed (recorded in the audit trail)")
    st.set_defaults(func=cmd_set)


def cmd_list(args: argparse.Namespace) -> int:
    with signed_in(args, CAPABILITY) as ws:
        items = letter_templates.list_templates(ws)
    out(f"{'name':<28} {'version':>7}  title")
    for t in items:
        out(f"{t.key:<28} {t.version if t.version else 'built-in':>7}  {t.title}")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    with signed_in(args, CAPABILITY) as ws:
        detail = letter_templates.template_detail(ws, args.name)
    wanted = detail.version if args.version is None else args.version
    chosen = next((v for v in detail.history if v.version == wanted), None)
    if chosen is None:
        raise CliError(f"{args.name} has no version {args.version}.")
    out(chosen.text.rstrip("\n"))
    out()
    out("-- placeholders: " + ", ".join(f"${name}" for name, _ in detail.fields))
    out("-- must keep: " + "; ".join(detail.required))
    out("-- versions:")
    for v in detail.history:
        when = v.created_at.replace("T", " ") if v.created_at else "packaged"
        mark = "*" if v.version == detail.version else " "
        out(f"{mark} {v.version:>3}  {when:<19}  {v.created_by or '-':<12} {v.reason}")
    return 0


def cmd_set(args: argparse.Namespace) -> int:
    with signed_in(args, CAPABILITY) as ws:
        try:
            text = args.file.read_text(encoding="utf-8")
        except OSError as exc:
            raise CliError(f"Cannot read {args.file}: {exc.strerror}.") from None
        except UnicodeDecodeError:
            raise CliError(f"{args.file} is not UTF-8 text.") from None
        saved = letter_templates.save_template(ws, args.name, text, args.reason)
    out(f"Saved {saved.key} version {saved.version}.")
    return 0
