"""casework-cli init, user, team, panel, check, backup, restore, rekey."""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path
from typing import Any

from casework.admin import backups, newdb
from casework.cli.common import CliError, db_path, out, password, signed_in, username
from casework.core import audit, lockout, users
from casework.core.context import Workspace, finish_unlock
from casework.core.errors import PermissionDenied, ValidationError
from db.errors import DatabaseCorrupt
from db.keyslots import RECOVERY_SLOT, slot_path
from db.store import check_connection


def register(sub: Any) -> None:
    p = sub.add_parser("init", help="create a new encrypted database and its first administrator")
    p.add_argument("--name", default="", help="the administrator's display name")
    p.set_defaults(func=cmd_init)

    u = sub.add_parser("user", help="add, list, disable users or change a password")
    us = u.add_subparsers(dest="action", required=True, metavar="ACTION")
    a = us.add_parser(
        "add", help="add a user (their password from CASEWORK_NEW_PASSWORD or a prompt)")
    a.add_argument("name")
    a.add_argument("--role", required=True,
                   choices=["case_manager", "panel_member", "panel_chair", "coordinator",
                            "administrator", "information_governance"])
    a.add_argument("--display-name", default="")
    a.add_argument("--team")
    a.add_argument("--panel", action="append", default=[], help="panel membership (repeatable)")
    a.set_defaults(func=cmd_user_add)
    ls = us.add_parser("list", help="list users")
    ls.set_defaults(func=cmd_user_list)
    d = us.add_parser("disable", help="disable a user and revoke their key slot")
    d.add_argument("name")
    d.add_argument("--rekey", action="store_true",
                   help="rekey at once (without asking), so their old key opens nothing")
    d.set_defaults(func=cmd_user_disable)
    pw = us.add_parser("passwd", help="change your password, or (administrator) reset another's")
    pw.add_argument("name", nargs="?")
    pw.set_defaults(func=cmd_user_passwd)

    t = sub.add_parser("team", help="add a team")
    t.add_argument("name")
    t.add_argument("--kind", default="asb", choices=["asb", "community_trigger", "sanctuary",
                                                     "coordination", "administration"])
    t.set_defaults(func=cmd_team)
    pn = sub.add_parser("panel", help="add a SWIP or MART panel")
    pn.add_argument("name")
    pn.add_argument("--kind", required=True, choices=["swip", "mart"])
    pn.set_defaults(func=cmd_panel)

    c = sub.add_parser("check", help="integrity, SQLCipher page HMAC and schema version check")
    c.add_argument("--rebuild-counts", action="store_true",
                   help="first recount the case list's counters from the cases")
    c.set_defaults(func=cmd_check)
    b = sub.add_parser("backup", help="write an encrypted, consistent copy (safe while in use)")
    b.add_argument("dest", type=Path)
    b.set_defaults(func=cmd_backup)
    rs = sub.add_parser("restore", help="check a backup, keep the database as a backup, and "
                        "put the backup in its place")
    rs.add_argument("backup", type=Path, help="the backup file (its .keys and .head beside it)")
    rs.set_defaults(func=cmd_restore)
    r = sub.add_parser("rekey", help="replace the data key and re-encrypt the database")
    r.set_defaults(func=cmd_rekey)
    k = sub.add_parser("key", help="key slots: make a new recovery key")
    ks = k.add_subparsers(dest="key_cmd", required=True)
    nr = ks.add_parser("new-recovery", help="replace the recovery key (the old one stops "
                                            "working); prints the new one once")
    nr.add_argument("--rekey", action="store_true",
                    help="rekey at once, so old copies of the key file and the old recovery "
                         "key open nothing")
    nr.set_defaults(func=cmd_key_new_recovery)


def cmd_init(args: argparse.Namespace) -> int:
    path = db_path(args)
    name = username(args)
    pw = password("New administrator password: ", confirm=True)
    ws, recovery = newdb.init_database(path, name, pw, args.name)
    ws.lock()
    out(f"Created {path} (and its key slots {slot_path(path).name}).")
    out(f"Administrator: {name}")
    out("RECOVERY KEY (shown once; print it and keep it in a safe):")
    out(f"  {recovery}")
    return 0


def cmd_user_add(args: argparse.Namespace) -> int:
    with signed_in(args, "admin.users") as ws:
        new_pw = password(f"Password for {args.name}: ", env="CASEWORK_NEW_PASSWORD",
                          confirm=True)
        users.add_user(ws, args.name, new_pw, args.role, display_name=args.display_name,
                       team=args.team, panels=tuple(args.panel))
    out(f"Added {args.name} ({args.role}).")
    return 0


def cmd_user_list(args: argparse.Namespace) -> int:
    with signed_in(args, "admin.users") as ws:
        rows = users.list_users(ws)
        slots = {n: state for n, _k, state in ws.store.slot_names()}
    out(f"{'user':<20} {'role':<22} {'team':<20} {'status':<9} {'key slot':<9} panels")
    for r in rows:
        out(f"{r.username:<20} {r.role:<22} {(r.team or '-'):<20} "
            f"{'active' if r.active else 'disabled':<9} {slots.get(r.username, 'none'):<9} "
            f"{', '.join(r.panels) or '-'}")
    return 0


def cmd_user_disable(args: argparse.Namespace) -> int:
    with signed_in(args, "admin.users") as ws:
        users.disable_user(ws, args.name)
        out(f"Disabled {args.name}; their key slot is revoked.")
        out(f"A rekey is needed: until then a copy of the data key {args.name} may have "
            "kept still opens this file.")
        if args.rekey or _ask("Rekey now? [y/N] "):
            _rekey(ws)
        else:
            out("Run 'casework-cli rekey' when no one else has the database open.")
    return 0


def _ask(prompt: str) -> bool:
    """A yes from a terminal (never from a script: no terminal means no)."""
    if not sys.stdin or not sys.stdin.isatty():
        return False
    try:
        return input(prompt).strip().lower() in ("y", "yes")
    except EOFError:
        return False


def cmd_user_passwd(args: argparse.Namespace) -> int:
    me = username(args)
    target = args.name or me
    old = password("Current password: ")
    with signed_in(args, None if target == me else "admin.users", user=me, secret=old) as ws:
        new_pw = password(f"New password for {target}: ", env="CASEWORK_NEW_PASSWORD",
                          confirm=True)
        users.change_password(ws, target, new_pw, old if target == me else None)
    out(f"Password changed for {target}.")
    return 0


def cmd_team(args: argparse.Namespace) -> int:
    with signed_in(args, "admin.users") as ws:
        users.ensure_team(ws, args.name, args.kind)
    out(f"Team {args.name} ({args.kind}) is ready.")
    return 0


def cmd_panel(args: argparse.Namespace) -> int:
    with signed_in(args, "admin.users") as ws:
        users.ensure_panel(ws, args.name, args.kind)
    out(f"Panel {args.name} ({args.kind}) is ready.")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    path = db_path(args)
    if getattr(args, "rebuild_counts", False):
        from casework.cases import caselist, search

        with signed_in(args, "admin.users") as ws:
            caselist.rebuild_case_counts(ws)
            search.rebuild_index(ws)
        out("The case list's counters were recounted from the cases and the address "
            "search index rebuilt from the addresses.")
    name = username(args)
    try:
        store, _failed = lockout.open_store(path, name, password())
    except DatabaseCorrupt as exc:
        out(f"FAIL {exc}")
        return 1
    try:
        problems = check_connection(store.raw_connection())
        if not problems:
            # a sound database: the unlock is settled (failures audited) like any other
            with contextlib.suppress(PermissionDenied):
                finish_unlock(store, path, name, login=False)
    except DatabaseCorrupt as exc:
        problems = [str(exc)]
    finally:
        store.lock()
    if problems:
        for p in problems:
            out(f"FAIL {p}")
        return 1
    out("OK: integrity, SQLCipher page HMACs and schema version are sound.")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    with signed_in(args, "admin.backup") as ws:
        try:
            written = backups.backup(ws, args.dest)
        except ValidationError as exc:
            raise CliError(str(exc)) from None
    out(f"Backup written to {written.path} (with {written.slots.name} and the signed audit "
        f"head {written.head.name}).")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    secret = password()
    with signed_in(args, "admin.backup", secret=secret) as ws:
        result = backups.restore(ws, args.backup, secret)
    for line in result.lines():
        out(line)
    out("Sign in again to use the restored database.")
    return 0


def cmd_key_new_recovery(args: argparse.Namespace) -> int:
    with signed_in(args, "admin.users") as ws:
        recovery = users.new_recovery_key(ws)
        out("New recovery key (shown once; print it and keep it in a safe):")
        out(f"  {recovery}")
        out("The old recovery key no longer opens this database.")
        if args.rekey or _ask("Rekey now, so it opens no old copy of the key file "
                              "either? [y/N] "):
            _rekey(ws)
        else:
            out("Until a rekey ('casework-cli rekey'), the old recovery key still opens an "
                "old copy of the key file.")
    return 0


def cmd_rekey(args: argparse.Namespace) -> int:
    with signed_in(args, "admin.users") as ws:
        _rekey(ws)
    return 0


def _rekey(ws: Workspace) -> None:
    refused = ws.store.rekey()
    ws2 = Workspace(ws.store, ws.actor)
    with ws2.uow() as session:
        audit.record(ws2, session, "database.rekey",
                     detail={"refused_slots": sorted(refused)} if refused else None)
    out("The database has a new data key; every active key slot the database registered "
        "was updated.")
    for name, why in sorted(refused.items()):
        shown = "the recovery slot" if name == RECOVERY_SLOT else f"the slot '{name}'"
        out(f"Refused {shown}: it {why}. It was not given the new key.")
    if RECOVERY_SLOT in refused:
        out("The recovery key printed at init no longer opens the database.")
