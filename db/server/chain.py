"""The last statement of a team-server transaction that wrote audit entries: the entries,
their signed head, and the commit, sent to the server as one message.

Audit sequence numbers are taken under one lock held from reading the chain's tail to the
end of the transaction (``casework_acl.audit_tail()``), so every writer on the server
queues behind the one holding it. Sending the entries and ``COMMIT`` together keeps one
round trip (and one wait for this desktop to be scheduled) out of that queue. The values
are rendered as literals by psycopg's own quoting (the simple query protocol, which
carries two statements, takes no parameters); psycopg then sees the transaction ended and
its own commit does nothing more.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy import exc as sa_exc

ENTRY_COLUMNS = ("seq", "ts", "user_id", "username", "action", "record_type", "record_id",
                 "reason", "detail", "hash")


def statement(conn: Any, entries: Sequence[Mapping[str, Any]],
              head: tuple[int, int, str]) -> str:
    """The message that inserts ``entries`` (``ENTRY_COLUMNS``) and the head (seq, key id,
    signature) and commits, its values quoted for psycopg connection ``conn``."""
    if not entries:
        raise ValueError("no audit entries to append")
    values = sql.SQL(", ").join(
        sql.SQL("({})").format(sql.SQL(", ").join(sql.Literal(e[c]) for c in ENTRY_COLUMNS))
        for e in entries)
    message = sql.SQL(
        "WITH e AS (INSERT INTO audit_entries ({cols}) VALUES {values}) "
        "INSERT INTO audit_heads (seq, key_id, signature) VALUES ({s}, {k}, {g}); COMMIT"
    ).format(cols=sql.SQL(", ").join(sql.Identifier(c) for c in ENTRY_COLUMNS),
             values=values, s=sql.Literal(int(head[0])), k=sql.Literal(int(head[1])),
             g=sql.Literal(str(head[2])))
    return message.as_string(conn)


def append_and_commit(dbapi_conn: Any, entries: Sequence[Mapping[str, Any]],
                      head: tuple[int, int, str]) -> None:
    """Insert ``entries`` (``ENTRY_COLUMNS``) and the head (seq, key id, signature), then
    commit: on ``dbapi_conn`` (the transaction's own psycopg connection)."""
    conn = getattr(dbapi_conn, "driver_connection", dbapi_conn)
    text = statement(conn, entries, head)
    try:
        with conn.cursor() as cur:
            cur.execute(text)  # no parameters: simple query protocol
    except psycopg.Error as exc:
        # As SQLAlchemy would have raised it (the callers classify those), without the
        # statement: it holds the entries' values.
        raise sa_exc.DBAPIError.instance("INSERT INTO audit_entries ... ; COMMIT", None,
                                         exc, psycopg.Error) from exc
