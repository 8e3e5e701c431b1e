"""The case list: counting, paging, sorting and filtering the cases a user may see.

The desktop's paged table model is built on ``count_cases`` and ``fetch_cases``; exports
and benchmarks stream with ``iter_case_rows``. Rows carry no personal data (no names,
addresses or free text), so paging is not audited row by row: opening a case is.

Queries are SQLAlchemy Core selects, not ORM objects. A page is found in two steps: the
ids of the page are chosen from ``cases`` alone (its indexes serve the filter and the
sort), then only those rows are joined to their owner, team and the detail tables that
give the stage label. Reads begin a deferred transaction so that scrolling never waits
for, or holds, the write lock.
"""

from __future__ import annotations

import heapq
import itertools
import re
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Select,
    String,
    and_,
    exists,
    func,
    select,
    text,
    type_coerce,
)
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql import visitors

from casework.core.context import Workspace
from casework.core.errors import ValidationError
from casework.core.permissions import require, visible_cases
from db.dialects import on_server
from db.models import (
    AsbDetail,
    Case,
    CaseCount,
    CaseListState,
    Lsoa,
    MartDetail,
    NrmDecision,
    Panel,
    Team,
    TriggerApplication,
    User,
)
from db.models.caselist import GROUP_COLUMNS, REBUILD_COUNTS, counter_problems

SORT_KEYS = ("reference", "case_type", "status", "risk_level", "opened_on", "next_review_on",
             "owner")
MAX_PAGE = 5000
RISK_ORDER = {"standard": 0, "medium": 1, "high": 2}


@dataclass(frozen=True)
class CaseRow:
    """One line of the case list. No personal data."""

    id: int
    reference: str
    case_type: str
    status: str
    stage: str  # "Stage 2", "Not escalated", "Threshold met", "RG positive"... or ""
    risk_level: str
    owner: str  # user name, or ""
    team: str  # the team, or for a panel referral the panel; "" if neither
    lsoa_code: str | None
    opened_on: date
    next_review_on: date | None


@dataclass(frozen=True)
class CaseFilter:
    """What the list is narrowed to; ``None`` means any."""

    case_type: str | None = None
    status: str | None = None
    risk_level: str | None = None
    owner_id: int | None = None
    team_id: int | None = None
    lsoa_code: str | None = None
    stage: int | None = None  # ASB escalation stage (implies ASB cases)
    reference_prefix: str | None = None


@dataclass(frozen=True)
class Option:
    """One choice in a filter drop-down: the value to filter on and its label."""

    value: int | str
    label: str


@dataclass(frozen=True)
class FilterOptions:
    """The choices the list's filters offer this user (from the cases they may see)."""

    owners: tuple[Option, ...]
    teams: tuple[Option, ...]
    lsoas: tuple[Option, ...]
    types: tuple[str, ...]


# ---------------------------------------------------------------- reading helpers

@contextmanager
def read_session(ws: Workspace) -> Iterator[Session]:
    """A unit of work that only reads: ``BEGIN DEFERRED`` instead of ``IMMEDIATE``."""
    with ws.uow() as session:
        session.connection(execution_options={"sqlite_begin": "DEFERRED"})
        yield session


def _prefix_range(column: Any, prefix: str) -> ColumnElement[bool]:
    """``column`` starts with ``prefix``, as a range an index can serve (no LIKE escaping)."""
    return and_(column >= prefix, column < prefix + "\U0010ffff")


def _where(ws: Workspace, flt: CaseFilter) -> list[ColumnElement[bool]]:
    """The visibility rule plus the filter, as terms on ``Case`` (and ``AsbDetail``)."""
    terms: list[ColumnElement[bool]] = [visible_cases(ws.actor)]
    if flt.case_type is not None:
        terms.append(Case.case_type == flt.case_type)
    if flt.status is not None:
        terms.append(Case.status == flt.status)
    if flt.risk_level is not None:
        terms.append(Case.risk_level == flt.risk_level)
    if flt.owner_id is not None:
        terms.append(Case.owner_id == flt.owner_id)
    if flt.team_id is not None:
        terms.append(Case.team_id == flt.team_id)
    if flt.lsoa_code is not None:
        terms.append(Case.lsoa_code == flt.lsoa_code)
    if flt.reference_prefix:
        terms.append(_prefix_range(Case.reference, flt.reference_prefix.strip().upper()))
    if flt.stage is not None:
        terms.append(Case.case_type == "asb")
        terms.append(Case.id.in_(select(AsbDetail.case_id).where(AsbDetail.stage == flt.stage)))
    return terms


# Where the last page ended, so that the next page continues from it by key instead of
# seeking again: (store, actor, filter, sort, descending, list version, offset) -> the
# sort key of the row just before ``offset``.
_BOUNDARIES: OrderedDict[tuple[Any, ...], tuple[Any, ...]] = OrderedDict()
_BOUNDARY_SLOTS = 256


NRM_SHORT = {"reasonable_grounds": "RG", "conclusive_grounds": "CG"}


def asb_stage_label(stage: int | None) -> str:
    """How an ASB case's place on the ladder is worded everywhere it is shown: "Stage 2",
    or "Not escalated" for a case not (or no longer) on the ladder."""
    return f"Stage {stage}" if stage else "Not escalated"


def stage_label(case_type: str, asb_stage: int | None, threshold_met: bool | None,
                nrm_kind: str | None, nrm_positive: bool | None,
                nrm_referred: bool | None) -> str:
    """The short progress label the list shows for a case of each type."""
    if case_type == "asb":
        return asb_stage_label(asb_stage)
    if case_type == "trigger":
        if threshold_met is None:
            return "Awaiting decision"
        return "Threshold met" if threshold_met else "Not met"
    if case_type == "mart":
        if nrm_kind is not None:
            short = NRM_SHORT.get(nrm_kind, nrm_kind)
            return f"{short} {'positive' if nrm_positive else 'negative'}"
        return "NRM referred" if nrm_referred else ""
    return ""


def _row_select(ids: Any) -> Select[*tuple[Any, ...]]:
    """The list's columns for the cases whose ids ``ids`` selects."""
    return _rows_where(Case.id.in_(ids))


def _rows_where(*terms: ColumnElement[bool]) -> Select[*tuple[Any, ...]]:
    """The list's columns for the cases the ``terms`` (on ``Case``) select."""
    owner = aliased(User)
    latest_nrm = (select(NrmDecision.id).where(NrmDecision.case_id == Case.id)
                  .order_by(NrmDecision.decided_on.desc(), NrmDecision.id.desc())
                  .limit(1).correlate(Case).scalar_subquery())
    return (
        select(Case.id, Case.reference, Case.case_type, Case.status, Case.risk_level,
               owner.username, func.coalesce(Team.name, Panel.name), Case.lsoa_code,
               type_coerce(Case.opened_on, String), type_coerce(Case.next_review_on, String),
               AsbDetail.stage, TriggerApplication.threshold_met, NrmDecision.kind,
               NrmDecision.positive, MartDetail.nrm_referred)
        .select_from(Case)
        .outerjoin(owner, owner.id == Case.owner_id)
        .outerjoin(Team, Team.id == Case.team_id)
        .outerjoin(Panel, Panel.id == Case.panel_id)
        .outerjoin(AsbDetail, AsbDetail.case_id == Case.id)
        .outerjoin(TriggerApplication, TriggerApplication.case_id == Case.id)
        .outerjoin(MartDetail, MartDetail.case_id == Case.id)
        .outerjoin(NrmDecision, and_(Case.case_type == "mart", NrmDecision.id == latest_nrm))
        .where(*terms)
    )


_new_row = object.__new__
_set = object.__setattr__
_from_iso = date.fromisoformat
_ASB_LABELS = {stage: asb_stage_label(stage) for stage in (None, 0, 1, 2, 3, 4)}


def _to_row(r: Any) -> CaseRow:
    """A ``CaseRow`` from one row of ``_row_select`` (a driver tuple or a result row).

    Streaming the whole list makes this the per-row cost beyond the query itself, so the
    frozen dataclass gets its ``__dict__`` whole (what its ``__init__`` builds one
    ``object.__setattr__`` at a time), the common labels come from a table, and dates,
    selected as text, are parsed with the C parser (several times faster than the generic
    result processor); a driver that gives dates (PostgreSQL) passes them through."""
    case_type, opened, review = r[2], r[8], r[9]
    if case_type == "asb" and r[10] in _ASB_LABELS:
        stage = _ASB_LABELS[r[10]]
    else:
        stage = stage_label(case_type, r[10], r[11], r[12], r[13], r[14])
    row = _new_row(CaseRow)
    _set(row, "__dict__", {
        "id": r[0], "reference": r[1], "case_type": case_type, "status": r[3],
        "stage": stage, "risk_level": r[4], "owner": r[5] or "", "team": r[6] or "",
        "lsoa_code": r[7], "opened_on": _from_iso(opened) if opened.__class__ is str else opened,
        "next_review_on": _from_iso(review) if review.__class__ is str else review})
    return row


# ---------------------------------------------------------------- groups and parts
#
# ``case_counts`` (kept by triggers) lists every combination of the group columns that
# occurs, with its count. The cases the actor may see that match the filter are the
# union of some of those groups; inside a group every group column is fixed, so one
# index (the group columns, then the sort column, then the rowid) gives the group's rows
# in list order, from any key onwards. A page merges the groups' ordered streams and
# stops once it has its rows, so its cost follows the page size and the number of
# groups, never the number of cases.

_FILTER_COLUMNS = ("case_type", "status", "risk_level", "owner_id", "team_id")
_CASES = Case.__table__
_COUNTS = CaseCount.__table__
_ARMS = 400  # parts per UNION ALL (SQLite allows 500 terms in a compound select)


@dataclass(frozen=True)
class _Group:
    values: tuple[Any, ...]  # one per GROUP_COLUMNS
    n: int


@dataclass(frozen=True)
class _Part:
    """Rows of one group (or, sorting by review date, its dated or undated half) that
    share ``head``, the leading part of their sort key."""

    head: tuple[Any, ...]
    where: tuple[str, ...]  # SQL terms on cases, with :named parameters from ``params``
    params: tuple[tuple[str, Any], ...]
    column: str | None  # the sort column inside the part, or None: by id alone
    estimate: int  # the group's count: exact unless the part is half a group
    counted: bool = True


def _on_counts(clause: ColumnElement[bool]) -> ColumnElement[bool]:
    """A WHERE clause on ``Case`` rewritten onto ``case_counts`` (same column names)."""
    def swap(element: visitors.ExternallyTraversible,
             **_kw: Any) -> visitors.ExternallyTraversible | None:
        if isinstance(element, Column) and element.table is _CASES:
            column: visitors.ExternallyTraversible = _COUNTS.c[element.name]
            return column
        return None
    return visitors.replacement_traverse(clause, {}, swap)


def _groups(session: Session, ws: Workspace, flt: CaseFilter) -> list[_Group]:
    """The non-empty groups visible to the actor that the filter's group terms allow."""
    terms = [_on_counts(visible_cases(ws.actor)), CaseCount.n > 0]
    for name in _FILTER_COLUMNS:
        value = getattr(flt, name)
        if value is not None:
            terms.append(getattr(CaseCount, name) == value)
    if flt.stage is not None:
        terms.append(CaseCount.case_type == "asb")
    columns = [getattr(CaseCount, c) for c in GROUP_COLUMNS]
    rows = session.execute(select(*columns, CaseCount.n).where(*terms).order_by(CaseCount.id))
    return [_Group(tuple(r[:-1]), int(r[-1])) for r in rows]


def _exact(flt: CaseFilter) -> bool:
    """Whether the groups' counts are exactly the filter's (no term outside them)."""
    return flt.lsoa_code is None and not flt.reference_prefix and flt.stage is None


def _residual(flt: CaseFilter) -> tuple[list[str], dict[str, Any]]:
    """The filter's terms outside the group columns, as SQL: the area (which leads the
    area indexes), a reference prefix and an ASB stage (checked row by row)."""
    terms: list[str] = []
    params: dict[str, Any] = {}
    if flt.lsoa_code is not None:
        terms.append("cases.lsoa_code = :area")
        params["area"] = flt.lsoa_code
    if flt.reference_prefix:
        prefix = flt.reference_prefix.strip().upper()
        terms.append("cases.reference >= :ref_lo AND cases.reference < :ref_hi")
        params.update(ref_lo=prefix, ref_hi=prefix + "\U0010ffff")
    if flt.stage is not None:
        terms.append("cases.id IN (SELECT case_id FROM asb_details WHERE stage = :stage)")
        params["stage"] = flt.stage
    return terms, params


def _parts(session: Session, groups: list[_Group], flt: CaseFilter, sort: str,
           descending: bool) -> list[_Part]:
    """Each group as one or two parts, with the head that orders the parts.

    Sorting by a group column (type, status, risk, owner), a part's head is that value
    (risk by severity, owner by user name, cases without one last) and the rows inside
    are in id order. Sorting by opened date or reference, every head is empty: the parts
    merge on the column. By review date, undated cases come after dated ones either way.
    The statements are SQL text (built in microseconds): the expression language would
    spend longer building a page's many small terms than SQLite spends running them.
    """
    if sort not in SORT_KEYS:
        raise ValidationError(f"Sort by one of: {', '.join(SORT_KEYS)}.", field="sort")
    rest, rest_params = _residual(flt)
    last, first = (0, 1) if descending else (1, 0)  # nulls last in either direction
    names: dict[int, str] = {}
    if sort == "owner":
        ids = {g.values[GROUP_COLUMNS.index("owner_id")] for g in groups} - {None}
        names = {i: name for i, name in session.execute(
            select(User.id, User.username).where(User.id.in_(ids)))}
    parts: list[_Part] = []
    for g in groups:
        terms = [f"cases.{c} = :{c}" if v is not None else f"cases.{c} IS NULL"
                 for c, v in zip(GROUP_COLUMNS, g.values, strict=True)]
        params = tuple((c, v) for c, v in zip(GROUP_COLUMNS, g.values, strict=True)
                       if v is not None) + tuple(rest_params.items())
        where = (*terms, *rest)
        value = dict(zip(GROUP_COLUMNS, g.values, strict=True))
        if sort in ("opened_on", "reference"):
            parts.append(_Part((), where, params, sort, g.n))
        elif sort == "next_review_on":
            parts.append(_Part((first,), (*where, "cases.next_review_on IS NOT NULL"), params,
                               sort, g.n, counted=False))
            parts.append(_Part((last,), (*where, "cases.next_review_on IS NULL"), params,
                               None, g.n, counted=False))
        elif sort == "risk_level":
            parts.append(_Part((RISK_ORDER.get(value["risk_level"], len(RISK_ORDER)),),
                               where, params, None, g.n))
        elif sort == "owner":
            owner = value["owner_id"]
            head = (first, names.get(owner, "")) if owner is not None else (last, "")
            parts.append(_Part(head, where, params, None, g.n))
        else:  # case_type, status
            parts.append(_Part((value[sort],), where, params, None, g.n))
    return parts


def _arm(part: _Part, n: int, descending: bool, after: tuple[Any, ...] | None,
         params: dict[str, Any]) -> str:
    """The part's rows after the key tail ``after`` ((value, id) or (id,)) as SQL
    selecting (id[, v]); its parameters, suffixed with ``n``, go into ``params``."""
    columns = "cases.id AS id" + (f", cases.{part.column} AS v" if part.column else "")
    where = list(part.where)
    if after is not None:
        op = "<" if descending else ">"
        if part.column is None:
            where.append(f"cases.id {op} :after_id")
        else:
            where.append(f"(cases.{part.column}, cases.id) {op} (:after_v, :after_id)")
            params[f"after_v_{n}"] = after[0]
        params[f"after_id_{n}"] = after[-1]
    for name, value in part.params:
        params[f"{name}_{n}"] = value
    sql = f"SELECT {columns} FROM cases WHERE {' AND '.join(where)}"
    return re.sub(r":([a-z_]+)\b", lambda m: f":{m[1]}_{n}", sql)


def _head_selects(members: list[_Part], descending: bool, after: tuple[Any, ...] | None,
                  limit: int, skip: int = 0, *,
                  bounded: bool = False) -> list[tuple[str, dict[str, Any]]]:
    """The parts of one head as UNION ALL statements (at most ``_ARMS`` parts each) in
    list order: SQLite merges the parts' index-ordered streams (no sort) and stops after
    ``skip + limit`` keys, reading only the covering indexes.

    ``bounded`` (PostgreSQL) orders and limits each part on its own as well: without it
    the planner reads every row of every part and sorts them all (about 0.4 s for a
    first page at 1,000,000 cases); with it, each part is read in index order and
    stops after ``skip + limit`` rows, and the parts are merged."""
    out = []
    direction = " DESC" if descending else ""
    for i in range(0, len(members), _ARMS):
        batch = members[i:i + _ARMS]
        params: dict[str, Any] = {}
        arms = [_arm(p, n, descending, after, params) for n, p in enumerate(batch)]
        order = ", ".join(([f"v{direction}"] if batch[0].column is not None else [])
                          + [f"id{direction}"])
        if bounded:
            each = int(skip) + int(limit)
            union = " UNION ALL ".join(f"({a} ORDER BY {order} LIMIT {each})" for a in arms)
            union = f"SELECT * FROM ({union}) AS arms"
        else:
            union = " UNION ALL ".join(arms)
        sql = f"{union} ORDER BY {order} LIMIT {int(limit)} OFFSET {int(skip)}"
        out.append((sql, params))
    return out


def _bounded(session: Session) -> bool:
    """Whether a head's parts are limited one by one: on PostgreSQL (``_head_selects``)."""
    return on_server(session)


def _head_keys(session: Session, members: list[_Part], descending: bool,
               after: tuple[Any, ...] | None, skip: int, limit: int) -> list[tuple[Any, ...]]:
    """Up to ``limit`` keys of one head after ``skip`` of its rows."""
    head = members[0].head
    one = len(members) <= _ARMS
    stmts = _head_selects(members, descending, after, limit if one else skip + limit,
                          skip if one else 0, bounded=_bounded(session))
    streams = [[(*head, *r[1:], r[0]) for r in session.execute(text(sql), params)]
               for sql, params in stmts]
    if len(streams) == 1:
        return streams[0]
    merged = heapq.merge(*streams, reverse=descending)
    return list(itertools.islice(merged, skip, skip + limit))


def _head_count(session: Session, members: list[_Part], after: tuple[Any, ...] | None,
                descending: bool) -> int:
    """How many rows one head holds (after ``after``): index-only counts."""
    total = 0
    for i in range(0, len(members), _ARMS):
        params: dict[str, Any] = {}
        arms = [_arm(p, n, descending, after, params)
                for n, p in enumerate(members[i:i + _ARMS])]
        # (PostgreSQL 15 wants the subquery named)
        total += int(session.scalar(text(
            f"SELECT count(*) FROM ({' UNION ALL '.join(arms)}) AS arms"), params) or 0)
    return total


def _keys(session: Session, parts: list[_Part], descending: bool,
          boundary: tuple[Any, ...] | None, skip: int, want: int,
          exact: bool) -> list[tuple[Any, ...]]:
    """``want`` sort keys in list order, after ``boundary`` (a key) or after ``skip`` rows.

    Heads come in order; the parts of a head are merged by SQLite. A whole head before
    the wanted rows is passed over by its count: from the counters when they are exact
    for it, else by an index-only count; only inside the head where the wanted rows
    start are keys skipped one by one.
    """
    heads = sorted({p.head for p in parts}, reverse=descending)
    out: list[tuple[Any, ...]] = []
    for head in heads:
        after: tuple[Any, ...] | None = None
        if boundary is not None:
            mark = boundary[:len(head)]
            if (head > mark) if descending else (head < mark):
                continue
            if head == mark:
                after = boundary[len(head):]
        members = [p for p in parts if p.head == head]
        if skip:
            counted = exact and after is None and all(p.counted for p in members)
            total = (sum(p.estimate for p in members) if counted
                     else _head_count(session, members, after, descending))
            if skip >= total:
                skip -= total
                continue
        out.extend(_head_keys(session, members, descending, after, skip, want - len(out)))
        skip = 0
        if len(out) >= want:
            break
    return out


def _page_selects(session: Session, ws: Workspace, flt: CaseFilter, sort: str,
                  descending: bool) -> list[tuple[str, dict[str, Any]]]:
    """One statement of each shape a page of this list runs: every head, from its start
    and continued by key."""
    parts = _parts(session, _groups(session, ws, flt), flt, sort, descending)
    out = []
    for head in sorted({p.head for p in parts}):
        members = [p for p in parts if p.head == head]
        tail: tuple[Any, ...] = (1,)
        if members[0].column is not None:
            tail = ("ASB-2026", 1) if sort == "reference" else ("2026-01-01", 1)
        bounded = _bounded(session)
        out += _head_selects(members, descending, None, 100, bounded=bounded)
        out += _head_selects(members, descending, tail, 100, 10, bounded=bounded)
    return out


# ---------------------------------------------------------------- the service

def count_cases(ws: Workspace, flt: CaseFilter) -> int:
    """How many cases the actor may see match ``flt``.

    From the group counters when the filter is over group columns only (type, status,
    risk, owner, team): a sum over a few hundred rows. With an area, a reference prefix
    or a stage it counts rows, through the area index when there is an area.
    """
    require(ws.actor, "case.read")
    with read_session(ws) as session:
        if _exact(flt):
            return sum(g.n for g in _groups(session, ws, flt))
        n = session.scalar(select(func.count()).select_from(Case).where(*_where(ws, flt)))
    return int(n or 0)


def quick_count(ws: Workspace, flt: CaseFilter) -> int | None:
    """The count from the group counters alone (about a millisecond at any size), or
    None when the filter needs rows counted (area, reference prefix, stage): then show
    the list first and ``count_cases`` when it arrives."""
    require(ws.actor, "case.read")
    if not _exact(flt):
        return None
    with read_session(ws) as session:
        return sum(g.n for g in _groups(session, ws, flt))


def list_version(ws: Workspace) -> int:
    """A number that changes whenever a case is added, removed or changed in a column
    the list shows or sorts by (a view can tell whether its rows are still current)."""
    require(ws.actor, "case.read")
    with read_session(ws) as session:
        return int(session.scalar(select(CaseListState.version)
                                  .where(CaseListState.id == 1)) or 0)


def fetch_cases(ws: Workspace, flt: CaseFilter, offset: int, limit: int,
                sort: str = "opened_on", descending: bool = True) -> list[CaseRow]:
    """One page of the list: ``limit`` rows from ``offset`` in the given order.

    Sort keys: reference, case_type, status, risk_level (by severity: standard, medium,
    high), opened_on, next_review_on and owner (both of the last two put cases without
    one at the end). Ties are broken by id, so pages never overlap or skip a row.

    A page that follows the previous one (the way a scrolling view asks) continues by
    key from where that page ended while the list is unchanged (``list_version``). Any
    other offset (a scrollbar drag) is sought through the indexes: whole groups before
    it are skipped by their counts, and inside the rest only sort keys are read, never
    OFFSET over full rows.
    """
    require(ws.actor, "case.read")
    if offset < 0 or limit < 0:
        raise ValidationError("Offset and limit cannot be negative.", field="offset")
    if sort not in SORT_KEYS:
        raise ValidationError(f"Sort by one of: {', '.join(SORT_KEYS)}.", field="sort")
    limit = min(limit, MAX_PAGE)
    if limit == 0:
        return []
    with read_session(ws) as session:
        version = session.scalar(select(CaseListState.version).where(CaseListState.id == 1))
        key = (id(ws.store), ws.actor, flt, sort, descending, version)
        boundary = _BOUNDARIES.get((*key, offset)) if offset and version is not None else None
        parts = _parts(session, _groups(session, ws, flt), flt, sort, descending)
        keys = _keys(session, parts, descending, boundary, 0 if boundary else offset, limit,
                     _exact(flt))
        if not keys:
            return []
        _remember((*key, offset + len(keys)), keys[-1])
        ids = [k[-1] for k in keys]
        rows = {r[0]: _to_row(r) for r in session.execute(_row_select(ids))}
    return [rows[i] for i in ids if i in rows]


def explain_page(ws: Workspace, flt: CaseFilter, sort: str = "opened_on",
                 descending: bool = True) -> list[list[str]]:
    """SQLite's query plan (the detail lines) of each statement a page of this list runs,
    for the first page and for a page continued by key."""
    require(ws.actor, "case.read")
    plans = []
    with read_session(ws) as session:
        for sql, params in _page_selects(session, ws, flt, sort, descending):
            rows = session.execute(text(f"EXPLAIN QUERY PLAN {sql}"), params).all()
            plans.append([str(r[-1]) for r in rows])
    return plans


def check_case_counts(ws: Workspace) -> list[str]:
    """Where the group counters disagree with the cases (empty when they agree)."""
    require(ws.actor, "admin.users")
    with read_session(ws) as session:
        raw = session.connection().connection.dbapi_connection
        return counter_problems(raw)


def rebuild_case_counts(ws: Workspace) -> None:
    """Recount the group counters from the cases (after a repair or a bulk change made
    with the triggers off)."""
    require(ws.actor, "admin.users")
    with ws.uow() as session:
        conn = session.connection()
        for sql in REBUILD_COUNTS:
            conn.exec_driver_sql(sql)


def _remember(key: tuple[Any, ...], values: tuple[Any, ...]) -> None:
    _BOUNDARIES[key] = values
    _BOUNDARIES.move_to_end(key)
    while len(_BOUNDARIES) > _BOUNDARY_SLOTS:
        _BOUNDARIES.popitem(last=False)

def iter_case_rows(ws: Workspace, flt: CaseFilter | None = None,
                   batch: int = 20000) -> Iterator[CaseRow]:
    """Every visible case matching ``flt`` in id order, read in windows of ``batch`` ids.

    Each window is its own short read, so an abandoned iterator holds no connection and
    never keeps writers waiting; a window costs a statement and a sort of its rows, so
    windows of some thousands keep that fixed part small beside the rows themselves.
    """
    require(ws.actor, "case.read")
    where = _where(ws, flt or CaseFilter())
    batch = max(1, batch)
    with read_session(ws) as session:
        top = session.scalar(select(func.max(Case.id))) or 0
    low = 0
    while low < top:
        high = low + batch
        # the window's terms go on the row query itself: one pass along the primary key,
        # no list of ids to build and look up again
        query = _rows_where(Case.id > low, Case.id <= high, *where).order_by(Case.id)
        with read_session(ws) as session:
            result = session.connection().execute(query)
            # the driver's tuples, past the result's per-row processing: the dates are
            # selected as text and ``_to_row`` reads every column by position
            try:
                rows = [_to_row(r) for r in result.cursor.fetchall()]
            finally:
                result.close()
        yield from rows
        low = high


def filter_options(ws: Workspace) -> FilterOptions:
    """Owners, teams, LSOAs and case types that occur among the cases the actor may see.

    Owners, teams and types come from the group counters (the groups that have cases);
    each LSOA is one seek into the area index, so none of it reads the cases table.
    """
    require(ws.actor, "case.read")
    visible = visible_cases(ws.actor)
    counted = and_(_on_counts(visible), CaseCount.n > 0)
    with read_session(ws) as session:
        owners = session.execute(
            select(User.id, User.username, User.display_name)
            .where(User.id.in_(select(CaseCount.owner_id).where(counted)))
            .order_by(User.username)).all()
        teams = session.execute(
            select(Team.id, Team.name)
            .where(Team.id.in_(select(CaseCount.team_id).where(counted)))
            .order_by(Team.name)).all()
        lsoas = session.execute(
            select(Lsoa.code, Lsoa.name)
            .where(exists(select(1).select_from(Case)
                          .where(Case.lsoa_code == Lsoa.code, visible)))
            .order_by(Lsoa.name)).all()
        types = session.scalars(select(CaseCount.case_type).where(counted).distinct()
                                .order_by(CaseCount.case_type)).all()
    return FilterOptions(
        owners=tuple(Option(i, f"{name} ({display})" if display and display != name else name)
                     for i, name, display in owners),
        teams=tuple(Option(i, name) for i, name in teams),
        lsoas=tuple(Option(code, f"{code} {name}") for code, name in lsoas),
        types=tuple(types),
    )
