"""The SQLCipher engine: raw 256-bit key first, then the pragmas, on every connection.

The key never appears in a URL: SQLAlchemy is given a ``creator`` function and an empty
``sqlite://`` URL, so neither the key nor the path is in the engine's ``repr``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlcipher3
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import QueuePool

from db.errors import DatabaseMissing, NotADatabase

BUSY_TIMEOUT_MS = 10000


def _key_pragma(data_key: bytes) -> str:
    # A raw key (x'...') skips SQLCipher's own PBKDF2 on every connection open.
    return f"PRAGMA key = \"x'{data_key.hex()}'\""


def connect_raw(path: Path, data_key: bytes, *, create: bool = False) -> Any:
    """Open a DB-API connection to an encrypted file with the pragmas set, key first.

    Raises NotADatabase if the key does not open the file (or the file is not SQLCipher).
    """
    if not create and not path.exists():
        raise DatabaseMissing()
    conn = sqlcipher3.connect(str(path), isolation_level=None, check_same_thread=False,
                              timeout=BUSY_TIMEOUT_MS / 1000)
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
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    except sqlcipher3.DatabaseError:
        conn.close()
        raise NotADatabase() from None
    return conn


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
    _install_transaction_hooks(engine)
    return engine


def _install_transaction_hooks(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _no_pysqlite_begin(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        conn.exec_driver_sql(f"BEGIN {mode}")


def dispose(engine: Engine | None) -> None:
    """Close every pooled connection (used by lock)."""
    if engine is not None:
        engine.dispose()


ConnectFn = Callable[[], Any]
