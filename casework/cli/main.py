"""Entry point of casework-cli. Errors are one clear line and a distinct exit code.

Failures are classified once, in the storage layer (``db.errors.classify``: busy, disk
full, damaged, a fault); ``FAILURES`` maps each class to its exit code and to the words
the user sees, in order (the first class that matches wins).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from casework.cli import (
    admin,
    audit_cmd,
    demo,
    exports,
    imports,
    letters_cmd,
    reports,
    retention_cmd,
    sar_cmd,
    server_cmd,
)
from casework.cli.common import discard_stdout
from casework.core import resources
from casework.core.errors import CaseworkError, PermissionDenied
from db import engine
from db.errors import (
    DatabaseBusy,
    DatabaseCorrupt,
    DatabaseExists,
    DiskFull,
    StoreError,
    StoreFault,
    classify,
)

MODULES = (admin, demo, reports, imports, exports, audit_cmd, sar_cmd, retention_cmd,
           server_cmd, letters_cmd)

EXIT_OK = 0
EXIT_CHECK_FAILED = 1
EXIT_USAGE = 2
EXIT_REFUSED = 3
EXIT_STORE = 4
EXIT_DAMAGED = 5
EXIT_BUSY = 6
EXIT_DISK_FULL = 7
EXIT_INSTALL = 8
EXIT_INTERNAL = 70
EXIT_INTERRUPTED = 130

# (class, exit code, label): the first class the error is an instance of decides.
FAILURES: tuple[tuple[type[BaseException], int, str], ...] = (
    (resources.MissingResource, EXIT_INSTALL, "installation incomplete"),
    (PermissionDenied, EXIT_REFUSED, "refused"),
    (CaseworkError, EXIT_USAGE, "error"),
    (DatabaseExists, EXIT_USAGE, "error"),
    (DatabaseCorrupt, EXIT_DAMAGED, "damaged"),
    (DatabaseBusy, EXIT_BUSY, "busy"),
    (DiskFull, EXIT_DISK_FULL, "disk full"),
    (StoreFault, EXIT_INTERNAL, "internal error"),
    (StoreError, EXIT_STORE, "error"),
)

EXIT_CODES = f"""\
exit codes:
  {EXIT_OK}   success
  {EXIT_CHECK_FAILED}   a check failed (check, audit verify)
  {EXIT_USAGE}   bad input (a missing or wrong argument, file or value; nothing was changed)
  {EXIT_REFUSED}   refused: your role does not allow this
  {EXIT_STORE}   the database could not be opened (wrong password, unknown or revoked user,
      missing file or key slots, not a casework database)
  {EXIT_DAMAGED}   the database is damaged (SQLCipher's page check or SQLite's integrity
      check failed): run 'casework-cli check', restore a backup if it fails
  {EXIT_BUSY}   busy: another casework process is writing; nothing was changed, wait and
      retry (--wait sets how long to wait for it)
  {EXIT_DISK_FULL}   disk full: nothing was changed; free some space and retry
  {EXIT_INSTALL}   casework is not installed completely: reinstall it
  {EXIT_INTERNAL}  internal error: a fault in casework (nothing was changed); please report it
  {EXIT_INTERRUPTED} interrupted
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="casework-cli",
        description="Administer a casework database, import data and export through the "
                    "information-sharing protocol.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--db", help="database file (default: $CASEWORK_DB)")
    parser.add_argument("--server", metavar="PROFILE",
                        help="work on a team server through a connection profile "
                             "(casework-cli server profile add; default: $CASEWORK_SERVER) "
                             "instead of a database file")
    parser.add_argument("--user", help="your user name (default: $CASEWORK_USER)")
    parser.add_argument("--wait", type=float, default=engine.BUSY_TIMEOUT_MS / 1000,
                        metavar="SECONDS",
                        help="how long to wait while another casework process is writing "
                             "before giving up as busy (default: %(default)s)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in MODULES:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    parser = build_parser()
    args = parser.parse_args(argv)
    previous_wait = engine.set_busy_timeout(args.wait)
    try:
        resources.check_installed()
        return int(args.func(args) or 0)
    except BrokenPipeError:
        # The reader went away (``| head``): stop writing, quietly.
        discard_stdout()
        return EXIT_OK
    except KeyboardInterrupt:
        print("casework-cli: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # noqa: BLE001 - never show a traceback with data in it
        return report(exc)
    finally:
        engine.set_busy_timeout(previous_wait)


def report(exc: Exception) -> int:
    """Print the one line for a failure and return its exit code."""
    error: BaseException = classify(exc) or exc
    for cls, code, label in FAILURES:
        if isinstance(error, cls):
            print(f"casework-cli: {label}: {error}", file=sys.stderr)
            return code
    if isinstance(exc, OSError):
        print(f"casework-cli: error: {exc.strerror or 'a file could not be written'}.",
              file=sys.stderr)
        return EXIT_USAGE
    print(f"casework-cli: internal error ({type(exc).__name__}): nothing was changed by the "
          "failed step (its transaction was rolled back). This is a fault in casework: "
          "please report it.", file=sys.stderr)
    return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
