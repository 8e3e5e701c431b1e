"""Entry point of casework-cli. Errors are one clear line and a non-zero exit."""

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
    reports,
    retention_cmd,
    sar_cmd,
)
from casework.core.errors import CaseworkError, PermissionDenied
from db.errors import StoreError

MODULES = (admin, demo, reports, imports, exports, audit_cmd, sar_cmd, retention_cmd)

EXIT_USAGE = 2
EXIT_REFUSED = 3
EXIT_STORE = 4
EXIT_DAMAGED = 5
EXIT_INTERNAL = 70


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="casework-cli",
        description="Administer a casework database, import data and export through the "
                    "information-sharing protocol.",
    )
    parser.add_argument("--db", help="database file (default: $CASEWORK_DB)")
    parser.add_argument("--user", help="your user name (default: $CASEWORK_USER)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in MODULES:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except PermissionDenied as exc:
        print(f"casework-cli: refused: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    except CaseworkError as exc:
        print(f"casework-cli: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except StoreError as exc:
        print(f"casework-cli: error: {exc}", file=sys.stderr)
        return EXIT_STORE
    except KeyboardInterrupt:
        print("casework-cli: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - never show a traceback with data in it
        if _is_damage(exc):
            print("casework-cli: error: The database is damaged or could not be read; "
                  "run 'casework-cli check' and restore a backup if it fails.", file=sys.stderr)
            return EXIT_DAMAGED
        if isinstance(exc, OSError):
            print(f"casework-cli: error: {exc.strerror or 'a file could not be written'}.",
                  file=sys.stderr)
            return EXIT_USAGE
        print(f"casework-cli: internal error ({type(exc).__name__}); nothing was changed "
              "by the failed step.", file=sys.stderr)
        return EXIT_INTERNAL


def _is_damage(exc: BaseException) -> bool:
    import sqlcipher3
    from sqlalchemy.exc import DatabaseError

    return isinstance(exc, sqlcipher3.DatabaseError | DatabaseError)


if __name__ == "__main__":
    sys.exit(main())
