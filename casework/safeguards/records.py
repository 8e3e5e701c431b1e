"""How records hang together, read from the schema itself.

Retention, subject access and "who saw what" all need to know which rows belong to a
case and which columns point at a person. Rather than keep lists that go stale when a
table is added, these helpers walk the foreign keys in ``Base.metadata``.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Column, ColumnElement, Table, or_, select
from sqlalchemy.orm import Session

from db.models import Base

CASES = "cases"
PEOPLE = "people"


ForeignKeys = tuple[tuple[Table, Column[Any], str], ...]


@functools.lru_cache(maxsize=4)
def _schema(table_count: int) -> tuple[tuple[Table, ...], ForeignKeys]:
    """Tables in dependency order and every foreign key (table, column, target table),
    computed once per schema (``sorted_tables`` is slow to recompute)."""
    del table_count  # the cache key: a model added later means a new schema
    tables = tuple(Base.metadata.sorted_tables)
    fks = tuple((t, fk.parent, fk.column.table.name) for t in tables for fk in t.foreign_keys
                if fk.parent.table is t)
    return tables, fks


def sorted_tables() -> tuple[Table, ...]:
    """``Base.metadata.sorted_tables``, cached."""
    return _schema(len(Base.metadata.tables))[0]


def _fk_columns(target: str) -> Iterator[tuple[Table, Column[Any]]]:
    for table, col, to in _schema(len(Base.metadata.tables))[1]:
        if to == target:
            yield table, col


def case_dependents() -> list[tuple[Table, Column[Any], Table]]:
    """Every (table, foreign-key column, parent table) below ``cases``, parents first.

    Includes grandchildren (e.g. breaches under escalation steps)."""
    return list(_case_dependents(len(Base.metadata.tables)))


@functools.lru_cache(maxsize=4)
def _case_dependents(table_count: int) -> tuple[tuple[Table, Column[Any], Table], ...]:
    del table_count
    out: list[tuple[Table, Column[Any], Table]] = []
    frontier = [Base.metadata.tables[CASES]]
    seen = {CASES}
    while frontier:
        parent = frontier.pop(0)
        for table, col in _fk_columns(parent.name):
            if table.name == parent.name:
                continue
            out.append((table, col, parent))
            if table.name not in seen:
                seen.add(table.name)
                frontier.append(table)
    return tuple(out)


def case_id_column(table: Table) -> Column[Any] | None:
    """The column of ``table`` that names its case directly, if any."""
    if table.name == CASES:
        return table.c.id
    for fk in table.foreign_keys:
        if fk.column.table.name == CASES:
            return fk.parent
    return None


def person_columns() -> list[tuple[Table, Column[Any]]]:
    """Every column that refers to a person, except a person's own merge pointer."""
    return [(t, c) for t, c in _fk_columns(PEOPLE) if t.name != PEOPLE]


def case_person_columns() -> list[tuple[Table, Column[Any], Column[Any]]]:
    """(table, person column, case column) for every person reference held by a case."""
    out = []
    for table, col in person_columns():
        case_col = case_id_column(table)
        if case_col is not None:
            out.append((table, col, case_col))
    return out


def cases_of_person(session: Session, person_id: int) -> set[int]:
    """Ids of every case that refers to the person in any role or detail."""
    ids: set[int] = set()
    for _table, col, case_col in case_person_columns():
        ids.update(int(v) for v in session.scalars(select(case_col).where(col == person_id))
                   if v is not None)
    return ids


def people_of_case(session: Session, case_id: int) -> set[int]:
    """Ids of every person a case refers to (parties, subjects, reporters ...)."""
    ids: set[int] = set()
    for _table, col, case_col in case_person_columns():
        ids.update(int(v) for v in session.scalars(select(col).where(case_col == case_id))
                   if v is not None)
    return ids


def person_in_use(session: Session, person_id: int, ignore_cases: set[int]) -> bool:
    """Whether anything other than the cases in ``ignore_cases`` (and the person's own
    aliases and addresses) still refers to the person."""
    for table, col in person_columns():
        if table.name in ("person_aliases", "person_addresses"):
            continue
        query = select(col).where(col == person_id)
        case_col = case_id_column(table)
        if case_col is not None and ignore_cases:
            query = query.where(case_col.not_in(sorted(ignore_cases)))
        if session.execute(query.limit(1)).first() is not None:
            return True
    merged = Base.metadata.tables[PEOPLE]
    return session.execute(
        select(merged.c.id).where(merged.c.merged_into_id == person_id).limit(1)
    ).first() is not None


def case_tables() -> list[Table]:
    """Tables below ``cases``, children before parents (the order to delete in)."""
    names = {t.name for t, _c, _p in case_dependents()}
    return [t for t in reversed(sorted_tables()) if t.name in names]


def belongs_to_cases(table: Table, case_ids: list[int]) -> ColumnElement[bool]:
    """A condition selecting the rows of ``table`` that belong to the cases."""
    if table.name == CASES:
        return table.c.id.in_(case_ids)
    names = {t.name for t, _c, _p in case_dependents()}
    conds = []
    for fk in table.foreign_keys:
        parent = fk.column.table
        if parent.name == CASES:
            conds.append(fk.parent.in_(case_ids))
        elif parent.name in names and parent.name != table.name:
            conds.append(fk.parent.in_(select(fk.column).where(belongs_to_cases(parent, case_ids))))
    return or_(*conds)
