"""Aggregate and depersonalised queries that work the same on a file and on a team server.

On a file database every role's queries read the tables directly (the application
enforces the roles). On a team server the coordinator's role sees no identifiable table
(row-level security), so the same queries run inside ``SECURITY DEFINER`` functions that
``server init`` creates from them: owned by the schema's owner role (no one logs in as
it), with a pinned ``search_path``, EXECUTE granted only to the group roles named here,
and returning the query's rows only: counts, codes, dates of events and areas, never a
name, a date of birth, an address or free text.

A query is registered once, as a function of its period (``Params``); ``rows`` is the
one entry point: on a server session whose login may execute the query's function it
calls the function, otherwise it runs the statement itself (under the login's own
policies on a server). Either way the statement is the same SQL, so the figures are the
same.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Date, Select, func, literal_column, select, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from db.dialects import on_server
from db.errors import StoreError
from db.server.policies import ACL, SCHEMA, Names, ident

PARAMS = ("p_start", "p_end", "p_today")
SIGNATURE = "(date, date, date)"


@dataclass(frozen=True)
class Params:
    """A query's period: Python dates when it runs here, the function's arguments when it
    is compiled into a server function. ``server`` is true in the latter case (a query
    may then give a coarser column than it reads, e.g. an age for a date of birth)."""

    start: Any
    end: Any
    today: Any
    server: bool = False


Builder = Callable[[Params], "Select[*tuple[Any, ...]]"]


@dataclass(frozen=True)
class Aggregate:
    """One registered query and the casework roles that may call its server function."""

    name: str
    build: Builder
    roles: frozenset[str]

    @property
    def function(self) -> str:
        return f"{ACL}.agg_{self.name}"


REGISTRY: dict[str, Aggregate] = {}


def aggregate(name: str, roles: Iterable[str]) -> Callable[[Builder], Aggregate]:
    """Register ``build`` under ``name`` (a lower-case identifier, unique)."""

    def register(build: Builder) -> Aggregate:
        if not name.isidentifier() or name.lower() != name or name in REGISTRY:
            raise ValueError("aggregate names are unique lower-case identifiers")
        agg = Aggregate(name, build, frozenset(roles))
        REGISTRY[name] = agg
        return agg

    return register


class ServerAggregatesMissing(StoreError):
    message = ("This team server has not got the reporting functions of this version of "
               "casework: the server's administrator runs casework-cli server init again "
               "to install them.")


def via_definer(session: Session, agg: Aggregate) -> bool:
    """Whether ``rows`` calls the server function: on a server, when the login may."""
    if not on_server(session):
        return False
    cache: dict[str, bool] = session.info.setdefault("casework.aggregates", {})
    if agg.name not in cache:
        got = session.execute(text(
            "SELECT to_regprocedure(:f) IS NOT NULL, CASE WHEN to_regprocedure(:f) IS NULL "
            "THEN false ELSE has_function_privilege(to_regprocedure(:f), 'EXECUTE') END"),
            {"f": agg.function + SIGNATURE}).one()
        if not got[0]:
            raise ServerAggregatesMissing()
        cache[agg.name] = bool(got[1])
    return cache[agg.name]


def _convert(types: Sequence[Any], row: Sequence[Any]) -> tuple[Any, ...]:
    return tuple(date.fromisoformat(v) if isinstance(t, Date) and isinstance(v, str) else v
                 for t, v in zip(types, row, strict=True))


def rows(session: Session, agg: Aggregate, start: date, end: date,
         today: date | None = None) -> list[tuple[Any, ...]]:
    """The query's rows for the period (dates as ``date``), wherever the data is."""
    day = today or end
    if via_definer(session, agg):
        types = [c.type for c in agg.build(Params(start, end, day, server=True))
                 .selected_columns]
        got = session.execute(text(f"SELECT r FROM {agg.function}(:s, :e, :t) AS r"),
                              {"s": start, "e": end, "t": day}).scalars()
        return [_convert(types, json.loads(r) if isinstance(r, str) else r) for r in got]
    return [tuple(r) for r in session.execute(agg.build(Params(start, end, day)))]


def compiled(agg: Aggregate) -> str:
    """The query as PostgreSQL, reading the function's arguments, one JSON array a row."""
    start, end, today = (literal_column(p, Date()) for p in PARAMS)
    args = Params(start, end, today, server=True)
    sub = agg.build(args).subquery("q")
    outer = select(func.jsonb_build_array(*sub.c))
    return str(outer.compile(dialect=postgresql.dialect(),  # type: ignore[no-untyped-call]
                             compile_kwargs={"literal_binds": True}))


def ddl(names: Names, aggregates: Iterable[Aggregate], granted: dict[str, str]) -> list[str]:
    """The definer functions, run as the schema owner. ``granted`` maps a casework role to
    its group role; EXECUTE goes to the groups of the roles each query names, and to no
    one else (not PUBLIC, not every casework login)."""
    out: list[str] = []
    for agg in aggregates:
        fn = agg.function
        sig = fn + SIGNATURE
        body = compiled(agg)
        if "$$" in body:
            raise ValueError("an aggregate's SQL may not contain $$")
        out += [
            f"CREATE OR REPLACE FUNCTION {fn}(p_start date, p_end date, p_today date) "
            f"RETURNS SETOF jsonb STABLE SECURITY DEFINER "
            f"SET search_path = pg_catalog, {SCHEMA}, pg_temp LANGUAGE sql AS $$ {body} $$",
            f"REVOKE ALL ON FUNCTION {sig} FROM PUBLIC",
            f"REVOKE ALL ON FUNCTION {sig} FROM {ident(names.user)}",
        ]
        groups = [granted[r] for r in sorted(agg.roles) if r in granted]
        if groups:
            out.append(f"GRANT EXECUTE ON FUNCTION {sig} TO "
                       f"{', '.join(ident(g) for g in groups)}")
    return out
