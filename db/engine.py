"""The SQLCipher engine: raw 256-bit key first, then the pragmas, on every connection.

The key never appears in a URL: SQLAlchemy is given a ``creator`` function and an empty
``sqlite://`` URL, so neither the key nor the path is in the engine's ``repr``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import sqlcipher3
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import QueuePool

from db import batches
from db.errors import (
    DatabaseCorrupt,
    DatabaseMissing,
    NotADatabase,
    StoreError,
    classify,
)

BUSY_TIMEOUT_MS = 10000
PAGE_SIZE = 4096  # SQLCipher 4's default; casework never changes it
_busy_timeout_ms = BUSY_TIMEOUT_MS

# Values bound directly through the driver (bulk loads that bypass SQLAlchemy's bind
# processing) are stored as SQLAlchemy stores them: a date as ISO text (the driver's
# default adapter does the same through a Python function), a boolean as 0/1 (without an
# adapter the driver gets there only after failed attribute lookups on every value).
sqlcipher3.register_adapter(date, date.isoformat)
sqlcipher3.register_adapter(bool, int)


def set_busy_timeout(seconds: float) -> float:
    """How long a connection waits for another one's write lock before ``DatabaseBusy``
    (for connections opened from now on). Returns the previous value, in seconds."""
    global _busy_timeout_ms
    previous = _busy_timeout_ms / 1000
    _busy_timeout_ms = max(0, int(seconds * 1000))
    return previous


SQLCIPHER_MAJOR = "4"  # the file format casework writes: SQLCipher 4's defaults


def cipher_version() -> str | None:
    """The SQLCipher version of the library ``sqlcipher3`` loaded (e.g. ``"4.12.0
    community"``), or None when it is plain SQLite, which ignores the pragma and would
    write an unencrypted file."""
    conn = sqlcipher3.connect(":memory:")
    try:
        row = conn.execute("PRAGMA cipher_version").fetchone()
    finally:
        conn.close()
    return str(row[0]) if row and row[0] else None


def is_sqlcipher4(version: str | None) -> bool:
    return version is not None and version.split(".", 1)[0] == SQLCIPHER_MAJOR


def busy_timeout() -> float:
    """How long, in seconds, a writer waits for others (``--wait``)."""
    return _busy_timeout_ms / 1000


def _key_pragma(data_key: bytes) -> str:
    # A raw key (x'...') skips SQLCipher's own PBKDF2 on every connection open.
    return f"PRAGMA key = \"x'{data_key.hex()}'\""


def connect_raw(path: Path, data_key: bytes, *, create: bool = False) -> Any:
    """Open a DB-API connection to an encrypted file with the pragmas set, key first.

    Raises NotADatabase if the key does not open the file (or the file is not SQLCipher),
    DatabaseCorrupt if it is the file's key but pages fail their HMAC (or SQLite finds the
    file malformed), DatabaseBusy or DiskFull as ``classify`` says.
    """
    if not create and not path.exists():
        raise DatabaseMissing()
    timeout_ms = _busy_timeout_ms
    conn = sqlcipher3.connect(str(path), isolation_level=None, check_same_thread=False,
                              timeout=timeout_ms / 1000)
    try:
        # SQLCipher's own log lines (e.g. page HMAC failures) would reach stderr beside our
        # one-line errors; the failures surface as exceptions instead.
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(_key_pragma(data_key))
        # cipher_memory_security stays at SQLCipher's default (off): SQLCipher wipes its own
        # key material either way, while wiping every SQLite allocation nearly doubled CPU
        # time for the same work, and Python-side copies of values are not wiped anyway.
        # The first read proves the key; a wrong key or a foreign file fails here.
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA journal_mode = WAL").fetchone()
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute(f"PRAGMA busy_timeout = {timeout_ms}")
        # 64 MB of page cache: SQLCipher decrypts every page read from outside it, and the
        # default 2 MB made each search and report re-decrypt the same index pages.
        conn.execute("PRAGMA cache_size = -65536")
    except sqlcipher3.DatabaseError as exc:
        problem = classify(exc)
        if isinstance(problem, DatabaseCorrupt) and "not a database" in str(exc).lower():
            # A wrong key and a damaged first page look alike; the other pages tell.
            problem = DatabaseCorrupt() if _some_pages_sound(conn, path) else NotADatabase()
        conn.close()
        raise (problem or NotADatabase()) from None
    return conn


def _some_pages_sound(conn: Any, path: Path) -> bool:
    """True when some but not all pages pass their HMAC under this key: the key is the
    file's and the file is damaged. A wrong key fails every page."""
    try:
        failed = len(conn.execute("PRAGMA cipher_integrity_check").fetchall())
        pages = -(-path.stat().st_size // PAGE_SIZE)
    except (sqlcipher3.Error, OSError, MemoryError):
        return False
    return 0 < failed < pages


def make_engine(path: Path, data_key: bytes, *, create: bool = False) -> Engine:
    """An SQLAlchemy engine over the encrypted file.

    Transactions are begun explicitly as ``BEGIN IMMEDIATE``: almost every unit of work
    writes (reads of identifiable records are audited), and taking the write lock up front
    keeps the audit chain's read-then-append race-free across processes.
    """
    path = Path(path)
    if not create and not path.exists():
        raise DatabaseMissing()
    key = bytes(data_key)

    def creator() -> Any:
        return connect_raw(path, key, create=create)

    engine = create_engine(
        "sqlite://",
        creator=creator,
        poolclass=QueuePool,
        pool_size=2,
        max_overflow=4,
        pool_pre_ping=False,
        hide_parameters=True,
    )
    # SQLAlchemy's own multi-row INSERTs stay within the bound every statement keeps.
    engine.dialect.insertmanyvalues_max_parameters = batches.MAX_VARIABLES
    _install_transaction_hooks(engine)
    _install_error_translation(engine)
    return engine


def _install_error_translation(engine: Engine) -> None:
    """Every failure of a statement, a BEGIN or a COMMIT is raised as the ``StoreError``
    that ``classify`` gives (busy, disk full, damaged, a fault), when it gives one."""

    @event.listens_for(engine, "handle_error")
    def _translate(context: Any) -> StoreError | None:
        problem = classify(context.original_exception)
        return None if problem is context.original_exception else problem


# An execution option for the first statement of a unit of work that loads many rows
# whose references are right by construction (the demo generator): its transaction runs
# without foreign-key enforcement, which costs a parent lookup per reference per row; the
# connection has it back before anyone else uses it, and ``check`` verifies the result.
BULK_LOAD = "sqlite_bulk_load"
_FOREIGN_KEYS_OFF = "casework_foreign_keys_off"


def _install_transaction_hooks(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _no_pysqlite_begin(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        options = conn.get_execution_options()
        if options.get(BULK_LOAD):
            # SQLite switches foreign keys only outside a transaction; the connection's
            # pool record remembers, so that checking it in switches them back on
            conn.exec_driver_sql("PRAGMA foreign_keys = OFF")
            conn.connection.info[_FOREIGN_KEYS_OFF] = True
        conn.exec_driver_sql(f"BEGIN {options.get('sqlite_begin', 'IMMEDIATE')}")

    @event.listens_for(engine, "checkin")
    def _foreign_keys_back_on(dbapi_conn: Any, record: Any) -> None:
        if record.info.pop(_FOREIGN_KEYS_OFF, False) and dbapi_conn is not None:
            dbapi_conn.execute("PRAGMA foreign_keys = ON")


def dispose(engine: Engine | None) -> None:
    """Close every pooled connection (used by lock)."""
    if engine is not None:
        engine.dispose()


ConnectFn = Callable[[], Any]
