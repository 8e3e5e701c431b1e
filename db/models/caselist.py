"""What keeps the case list's cost tied to the page rather than the table.

``case_counts`` holds one row per combination of the list's grouping columns
(``GROUP_COLUMNS``: type, team, panel, status, risk, owner) with how many cases have it.
SQLite triggers created by migration ``0004_scale`` keep it exact on every insert,
update and delete of ``cases``, so a count for
any filter over those columns is a sum over a few hundred rows, and the list can page
each group through its own index. ``case_list_state.version`` moves on every change a
list could show, so a remembered page boundary is used only while nothing has changed.

The indexes: every group column equal, then the sort column (the rowid, ``id``, ends
every index, so the group index alone serves "ORDER BY id" inside a group); the same
again led by ``lsoa_code`` for the area filter.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base
from db.models.cases import Case

GROUP_COLUMNS = ("case_type", "team_id", "panel_id", "status", "risk_level", "owner_id")
# Sort columns with an index of their own after the group columns (the others are group
# columns themselves, ordered group by group).
INDEXED_SORTS = {"opened_on": "opened", "next_review_on": "review", "reference": "ref"}
# Columns whose change can move a row in some sorted, filtered list.
LIST_COLUMNS = (*GROUP_COLUMNS, "opened_on", "next_review_on", "reference", "lsoa_code")


class CaseCount(Base):
    """How many cases share one combination of the group columns (kept by triggers)."""

    __tablename__ = "case_counts"
    __table_args__ = (Index("ix_case_counts_group", *GROUP_COLUMNS),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_type: Mapped[str] = mapped_column(String(12))
    team_id: Mapped[int | None] = mapped_column(Integer)
    panel_id: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10))
    risk_level: Mapped[str] = mapped_column(String(10))
    owner_id: Mapped[int | None] = mapped_column(Integer)
    n: Mapped[int] = mapped_column(Integer, default=0)


class CaseListState(Base):
    """One row: ``version`` moves whenever a case is added, removed or changed in a
    column the list shows or sorts by (kept by triggers)."""

    __tablename__ = "case_list_state"
    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)


_cols = [getattr(Case, c) for c in GROUP_COLUMNS]
CASE_LIST_INDEXES = (
    Index("ix_cases_grp", *_cols),
    *(Index(f"ix_cases_grp_{short}", *_cols, getattr(Case, sort))
      for sort, short in INDEXED_SORTS.items()),
    Index("ix_cases_area", Case.lsoa_code, *_cols),
    *(Index(f"ix_cases_area_{short}", Case.lsoa_code, *_cols, getattr(Case, sort))
      for sort, short in INDEXED_SORTS.items()),
)


# Rebuilds the counters from the cases (after a bulk load with the triggers dropped, or
# by the check command); the triggers are created by migration 0004_scale.
REBUILD_COUNTS = (
    "DELETE FROM case_counts",
    f"INSERT INTO case_counts ({', '.join(GROUP_COLUMNS)}, n) "
    f"SELECT {', '.join(GROUP_COLUMNS)}, count(*) FROM cases GROUP BY {', '.join(GROUP_COLUMNS)}",
    "INSERT INTO case_list_state (id, version) SELECT 1, 0 "
    "WHERE NOT EXISTS (SELECT 1 FROM case_list_state WHERE id = 1)",
    "UPDATE case_list_state SET version = version + 1",
)


def counter_problems(conn: Any) -> list[str]:
    """Where ``case_counts`` disagrees with a straightforward GROUP BY over ``cases``
    (empty when every group agrees). ``conn`` is a DB-API connection."""
    cols = ", ".join(GROUP_COLUMNS)
    kept = {tuple(r[:-1]): int(r[-1]) for r in conn.execute(
        f"SELECT {cols}, sum(n) FROM case_counts GROUP BY {cols}") if r[-1]}
    real = {tuple(r[:-1]): int(r[-1]) for r in conn.execute(
        f"SELECT {cols}, count(*) FROM cases GROUP BY {cols}")}
    problems = []
    for group in sorted(set(kept) | set(real), key=repr):
        if kept.get(group, 0) != real.get(group, 0):
            problems.append(f"case counter {dict(zip(GROUP_COLUMNS, group, strict=True))}: "
                            f"kept {kept.get(group, 0)}, counted {real.get(group, 0)}")
    return problems
