"""A ``Store`` on the team server: the same face as the file store (``engine``, ``lock``,
signing the audit heads, a raw connection for ``audit verify``), signed in as the user's
own PostgreSQL login role, so every statement is under that role's policies.

There is no data key and no key slot: the server authenticates the user (SCRAM, TLS,
client certificates) and enforces who sees what. Each session makes a fresh signing key
and registers it (``enrol``) before it writes; it lives in memory only.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from db import registry
from db.errors import StoreError
from db.keyslots import fingerprint
from db.server.connect import (
    ServerNotInitialised,
    checked_url,
    server_engine,
    translated,
)
from db.server.policies import SCHEMA
from db.store import NotEnrolled, Store

CONNECT_TIMEOUT_S = 10


class NotOnServer(StoreError):
    message = ("On a team server this is done by the server's administrator "
               "(casework-cli server ..., or the database's own backups).")


class ServerStore(Store):
    """An open server connection for one user. Create with ``ServerStore.connect``."""

    def __init__(self, engine: Engine, who: str, where: Path) -> None:  # noqa: D107
        self.path = where
        self.unlocked_as = who
        self._server: Engine | None = engine
        self._signing: Ed25519PrivateKey | None = None
        self.signing_key_id: int | None = None
        self._checked_head: tuple[int, str, str] | None = None
        self.refused = {}
        self.registry_empty = False
        self.final_path = None

    def __repr__(self) -> str:
        return f"ServerStore(locked={self._server is None})"

    @classmethod
    def connect(cls, url: str, username: str, password: str | None,
                where: Path) -> ServerStore:
        """Connect as ``username`` (``url`` carries host, database, TLS settings; the
        password is given here or by libpq: a client certificate, ~/.pgpass)."""
        u = checked_url(url).set(username=username)
        if "connect_timeout" not in u.query:  # a server that does not answer is said soon
            u = u.update_query_dict({"connect_timeout": str(CONNECT_TIMEOUT_S)})
        engine = server_engine(u, password=password, pool_size=2, max_overflow=2)
        try:
            with translated(), engine.connect() as conn:
                # The catalogue is readable by every role, so a database without the
                # casework tables is told apart from a role the policies refuse.
                made = conn.scalar(text(
                    "SELECT count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace"
                    " n ON n.oid = c.relnamespace WHERE n.nspname = :schema"
                    " AND c.relname = 'users'"), {"schema": SCHEMA})
            if not made:
                raise ServerNotInitialised()
        except BaseException:
            engine.dispose()
            raise
        return cls(engine, username, where)

    @property
    def dialect(self) -> str:
        return "postgresql"

    @property
    def engine(self) -> Engine:
        if self._server is None:
            raise StoreError("The database is locked.")
        return self._server

    @property
    def is_locked(self) -> bool:
        return self._server is None

    def lock(self) -> None:
        if self._server is not None:
            self._server.dispose()
            self._server = None
        self._signing = None

    def raw_connection(self) -> Any:
        """A DB-API connection speaking the file store's dialect to ``audit_chain``."""
        return _RawServer(self.engine.raw_connection())

    def derived_key(self, purpose: str) -> bytes:
        raise NotOnServer()

    def enrol(self, session: Session) -> tuple[str, str]:
        """Register this session's fresh signing key (as the login role itself)."""
        key = Ed25519PrivateKey.generate()
        public = base64.b64encode(key.public_key().public_bytes_raw()).decode("ascii")
        self.signing_key_id = registry.signing_key_id(session, self.unlocked_as, public,
                                                      create=True)
        self._signing = key
        return self.unlocked_as, fingerprint(public)

    def sign(self, message: bytes) -> tuple[int, bytes]:
        if self._signing is None or self.signing_key_id is None:
            raise NotEnrolled()
        return self.signing_key_id, self._signing.sign(message)

    def registered_keys(self) -> list[tuple[str, str]]:
        return []

    def slot_names(self) -> list[tuple[str, str, str]]:
        return []

    def _refuse(self, *_a: Any, **_k: Any) -> Any:
        raise NotOnServer()

    add_user_slot = revoke_slot = change_password = reset_password = _refuse
    new_recovery_key = rekey = backup = check = publish = discard = _refuse


class _Rows:
    def __init__(self, rows: list[tuple[Any, ...]]) -> None:
        self._rows = rows

    def fetchone(self) -> tuple[Any, ...] | None:
        return self._rows[0] if self._rows else None

    def fetchall(self) -> list[tuple[Any, ...]]:
        return self._rows


class _Cursor:
    def __init__(self, cur: Any) -> None:
        self._cur = cur

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> _Cursor:
        self._cur.execute(sql.replace("?", "%s"), params)
        return self

    def fetchone(self) -> Any:
        return self._cur.fetchone()

    def fetchall(self) -> Any:
        return self._cur.fetchall()

    def fetchmany(self, n: int) -> Any:
        return self._cur.fetchmany(n)

    def __iter__(self) -> Any:
        return iter(self._cur)


class _RawServer:
    """Enough of sqlite3's connection for the chain check: ``?`` parameters, ``execute``
    on the connection, and no SQLite JSON fast path."""

    text_factory: Any = str

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        if "json_array(" in sql:
            return _Rows([(None,)])  # not SQLite: the plain Python path checks the chain
        if sql in ("BEGIN", "ROLLBACK"):
            if sql == "ROLLBACK":
                self._conn.rollback()
            return _Rows([])
        cur = _Cursor(self._conn.cursor())
        cur.execute(sql, params)
        return cur

    def cursor(self) -> _Cursor:
        return _Cursor(self._conn.cursor())

    def close(self) -> None:
        self._conn.close()
