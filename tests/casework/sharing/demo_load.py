"""The synthetic demo as set-up data, in the ``db`` fixture's database on either backend.

On a file it is ``demo.generate`` as the administrator. The demo generator is a file's
(``casework-cli demo`` makes a new encrypted database; its loader drops SQLite indexes and
sets PRAGMAs), so on a team server the same rows (the generator's own, from the same seed,
count and day) go in over the set-up connection, as ``tests/server`` seeds its cases: the
SYSTEM actor of a file, under no policy. What the tests then do (a coordinator's
quarterly dataset, through the server's aggregate functions) is the product on both.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, select

from casework import demo
from casework.demo import generator
from db.models import Base, Lsoa

_INSERT = re.compile(r'INSERT INTO "(\w+)" \(([^)]*)\) VALUES')


def generate(db: Any, cases: int, seed: int, today: date) -> None:
    """``cases`` demo cases from ``seed`` as of ``today`` (an empty database's)."""
    if db.backend == "file":
        demo.generate(db.ws("admin"), cases, seed, today=today)
    else:
        _load_on_server(db.system(), cases, seed, today)


def _typed(column: Any) -> Callable[[Any], Any]:
    """The value the generator stores as SQLite text or 0/1, as PostgreSQL takes it."""
    kind = column.type
    if isinstance(kind, Boolean):
        return lambda v: None if v is None else bool(v)
    if isinstance(kind, DateTime):
        return lambda v: datetime.fromisoformat(v) if isinstance(v, str) else v
    if isinstance(kind, Date):
        return lambda v: date.fromisoformat(v) if isinstance(v, str) else v
    return lambda v: v


def _load_on_server(ws: Any, cases: int, seed: int, today: date) -> None:
    from casework.server.importer import _reset_sequences

    with ws.uow() as session:
        lsoas = list(session.scalars(select(Lsoa.code).order_by(Lsoa.code)))
        job = generator._Job(seed, cases, today, lsoas, generator._roster(session),
                             generator._contractors(session), generator._first_ids(session))
        conn = session.connection()
        raw = conn.connection.dbapi_connection
        assert raw is not None
        ids = random.Random(f"uuid:{seed}")
        with raw.cursor() as cur:
            for _done, statements in generator._rows(job):
                for sql, values in generator._with_uuids(statements, ids):
                    found = _INSERT.match(sql)
                    assert found is not None, sql
                    table = Base.metadata.tables[found[1]]
                    keys = [k.strip().strip('"') for k in found[2].split(",")]
                    typed = [_typed(table.c[k]) for k in keys]
                    cur.executemany(
                        sql.replace("INSERT INTO ", "INSERT INTO casework.", 1)
                        .replace("?", "%s"),
                        [tuple(f(v) for f, v in zip(typed, row, strict=True))
                         for row in values])
        _reset_sequences(conn)
