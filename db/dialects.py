"""Which kind of database a session, connection or engine works on: the encrypted file
(SQLite through SQLCipher) or a team server (PostgreSQL). The one test for it, wherever
the two behave differently."""

from __future__ import annotations

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

SERVER = "postgresql"


def on_server(where: Session | Connection | Engine) -> bool:
    """Whether ``where`` is on a team server (PostgreSQL) rather than a database file."""
    bind = where.get_bind() if isinstance(where, Session) else where
    return bool(bind.dialect.name == SERVER)
