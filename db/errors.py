"""Errors raised by the storage layer, and the one place a low-level failure is classified.

Messages are fixed sentences: they never carry a password, a key, a path fragment chosen
by an attacker, an SQL statement or parameter, or any value read from the database.

``classify`` turns what SQLCipher (its exceptions mirror ``sqlite3``'s), SQLAlchemy or the
operating system raised into one of the classes below, from the exception's type, the
SQLite result code and its message. The engine applies it to every statement
(``db.engine``), the store to its raw connections (``translated``), and the command line
to anything else that reaches it.
"""

from __future__ import annotations

import errno
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import sqlcipher3


class StoreError(Exception):
    """Base class: something is wrong with the database or the way it was opened."""

    message = "The database could not be opened."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.message)


class WrongPassword(StoreError):
    message = "Wrong password for that user."


class UnknownUser(StoreError):
    message = "No user of that name on this database."


class RevokedUser(StoreError):
    message = "That user's access to this database has been revoked."


class EmptyPassword(StoreError):
    message = "The password is empty."


class NotADatabase(StoreError):
    message = ("The file is not a casework database, or its key-slot file belongs to "
               "another database.")


class DatabaseMissing(StoreError):
    message = "No database file at that path."


class DatabaseExists(StoreError):
    message = "A database already exists at that path."


class KeySlotsMissing(StoreError):
    message = "The key-slot file beside the database is missing."


class KeySlotsCorrupt(StoreError):
    message = "The key-slot file beside the database is damaged."


class DatabaseCorrupt(StoreError):
    """SQLCipher's page HMAC check or SQLite's own checks found damage."""

    message = ("The database is damaged (SQLCipher's page check or SQLite's integrity "
               "check failed). Run 'casework-cli check'; if it fails, restore the latest "
               "backup.")


class DatabaseBusy(StoreError):
    """Another connection holds the write lock for longer than the busy timeout."""

    message = ("Another casework process is writing to the database (for example a long "
               "import, a backup or a rekey). Nothing was changed: wait until it finishes "
               "and retry.")


class DiskFull(StoreError):
    """SQLite's SQLITE_FULL, or ENOSPC when a file was written."""

    message = "No space left on the disk. Nothing was changed: free some space and retry."


class StoreFault(StoreError):
    """A fault in the program, not in the data or the disk: a constraint violated, a
    statement SQLite refuses. The transaction was rolled back."""

    message = ("A database constraint was violated. Nothing was changed (the transaction "
               "was rolled back). This is a fault in casework: please report it.")


class TooManyValues(StoreFault):
    message = ("A statement bound more values than SQLite allows. Nothing was changed (the "
               "transaction was rolled back). This is a fault in casework: please report it.")


# SQLite's primary result codes (https://www.sqlite.org/rescode.html).
SQLITE_BUSY, SQLITE_LOCKED, SQLITE_CORRUPT, SQLITE_FULL = 5, 6, 11, 13
SQLITE_CONSTRAINT, SQLITE_NOTADB = 19, 26

_DISK_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})


def _sqlite_error(exc: BaseException) -> BaseException | None:
    """The SQLite exception behind ``exc`` (SQLAlchemy wraps it as ``orig``), if any."""
    orig = getattr(exc, "orig", None)
    if isinstance(orig, BaseException):
        exc = orig
    return exc if isinstance(exc, sqlcipher3.Error | sqlite3.Error) else None


def classify(exc: BaseException) -> StoreError | None:
    """The storage error ``exc`` stands for, or None when it is none of them.

    A ``StoreError`` is returned as it is. Constraint violations and too many SQL
    variables are faults (``StoreFault``), never damage; locks are ``DatabaseBusy``; a
    full disk is ``DiskFull``; only SQLite's ``SQLITE_CORRUPT`` / ``SQLITE_NOTADB`` (an
    HMAC failure reads as either) are ``DatabaseCorrupt``.
    """
    if isinstance(exc, StoreError):
        return exc
    if isinstance(exc, OSError) and exc.errno in _DISK_FULL_ERRNOS:
        return DiskFull()
    err = _sqlite_error(exc)
    if err is None:
        return None
    code = getattr(err, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    text = str(err).lower()
    if primary in (SQLITE_BUSY, SQLITE_LOCKED) or "database is locked" in text \
            or "database table is locked" in text:
        return DatabaseBusy()
    if primary == SQLITE_FULL or "database or disk is full" in text:
        return DiskFull()
    if primary == SQLITE_CONSTRAINT or isinstance(err, sqlcipher3.IntegrityError
                                                  | sqlite3.IntegrityError):
        return StoreFault()
    if "too many sql variables" in text:
        return TooManyValues()
    if primary in (SQLITE_CORRUPT, SQLITE_NOTADB) or "malformed" in text \
            or "file is not a database" in text:
        return DatabaseCorrupt()
    return None


@contextmanager
def translated() -> Iterator[None]:
    """Raise the classified ``StoreError`` in place of a low-level failure."""
    try:
        yield
    except StoreError:
        raise
    except Exception as exc:
        problem = classify(exc)
        if problem is None:
            raise
        raise problem from exc
