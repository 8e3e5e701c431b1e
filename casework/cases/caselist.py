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

from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    and_,
    case,
    false,
    func,
    literal,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.orm import Session, aliased

from casework.core.context import Workspace
from casework.core.errors import ValidationError
from casework.core.permissions import require, visible_cases
from db.models import (
    AsbDetail,
    Case,
    Lsoa,
    MartDetail,
    NrmDecision,
    Panel,
    Team,
    TriggerApplication,
    User,
)

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


def _order(sort: str, descending: bool) -> tuple[list[tuple[Any, bool]], bool]:
    """The sort as (expression, descending) terms, ties broken by id, and whether the
    users table must be joined."""
    if sort not in SORT_KEYS:
        raise ValidationError(f"Sort by one of: {', '.join(SORT_KEYS)}.", field="sort")
    column: Any = User.username if sort == "owner" else getattr(Case, sort)
    if sort == "risk_level":  # by severity, not alphabetically
        column = case(RISK_ORDER, value=Case.risk_level, else_=len(RISK_ORDER))
    terms: list[tuple[Any, bool]] = []
    if sort in ("next_review_on", "owner"):
        terms.append((column.is_(None), False))  # cases without one sort last either way
    terms.append((column, descending))
    terms.append((Case.id, descending))
    return terms, sort == "owner"


def _after(terms: list[tuple[Any, bool]], values: tuple[Any, ...]) -> ColumnElement[bool]:
    """Rows that sort after the row whose sort values are ``values`` (keyset paging).

    A NULL value only occurs in a group whose IS NULL term is true, where every row has
    NULL there: nothing sorts after it at that position and equality is IS NULL.
    """
    branches: list[ColumnElement[bool]] = []
    equal: list[ColumnElement[bool]] = []
    for (expr, desc), value in zip(terms, values, strict=True):
        if isinstance(value, bool):  # an IS NULL term: compare as a bound boolean
            value = literal(value)
        if value is not None:
            branches.append(and_(*equal, expr < value if desc else expr > value))
            equal.append(expr == value)
        else:
            equal.append(expr.is_(None))
    return or_(*branches) if branches else false()


# Where the last page ended, so that the next page continues from it by key instead of
# counting past every earlier row: (store, actor, filter, sort, descending, offset) ->
# the sort values of the row just before ``offset``. Checked before use (see fetch_cases).
_BOUNDARIES: OrderedDict[tuple[Any, ...], tuple[Any, ...]] = OrderedDict()
_BOUNDARY_SLOTS = 256


def _as_date(value: Any) -> date | None:
    # Dates are selected as text and parsed with the C parser: several times faster than
    # the generic result processor when streaming the whole list.
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


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
        .where(Case.id.in_(ids))
    )


def _to_row(r: Any) -> CaseRow:
    opened = _as_date(r[8])
    assert opened is not None
    return CaseRow(r[0], r[1], r[2], r[3], stage_label(r[2], r[10], r[11], r[12], r[13], r[14]),
                   r[4], r[5] or "", r[6] or "", r[7], opened, _as_date(r[9]))


# ---------------------------------------------------------------- the service

def count_cases(ws: Workspace, flt: CaseFilter) -> int:
    """How many cases the actor may see match ``flt``."""
    require(ws.actor, "case.read")
    with read_session(ws) as session:
        n = session.scalar(select(func.count()).select_from(Case).where(*_where(ws, flt)))
    return int(n or 0)


def fetch_cases(ws: Workspace, flt: CaseFilter, offset: int, limit: int,
                sort: str = "opened_on", descending: bool = True) -> list[CaseRow]:
    """One page of the list: ``limit`` rows from ``offset`` in the given order.

    Sort keys: reference, case_type, status, risk_level (by severity: standard, medium,
    high), opened_on, next_review_on and owner (both of the last two put cases without
    one at the end). Ties are broken by id, so pages never overlap or skip a row.

    A page that follows the previous one (the way a scrolling view asks) is found by key
    from where that page ended, once a count confirms that exactly ``offset`` rows still
    come before it; otherwise by OFFSET.
    """
    require(ws.actor, "case.read")
    if offset < 0 or limit < 0:
        raise ValidationError("Offset and limit cannot be negative.", field="offset")
    limit = min(limit, MAX_PAGE)
    if limit == 0:
        return []
    terms, join_owner = _order(sort, descending)
    where = _where(ws, flt)
    key = (id(ws.store), ws.actor, flt, sort, descending)
    page = select(Case.id, *[expr for expr, _desc in terms]).where(*where)
    if join_owner:
        page = page.outerjoin(User, User.id == Case.owner_id)
    page = page.order_by(*[expr.desc() if desc else expr.asc() for expr, desc in terms])
    with read_session(ws) as session:
        boundary = _BOUNDARIES.get((*key, offset)) if offset else None
        if boundary is not None:
            before = select(func.count()).select_from(Case).where(*where,
                                                                  ~_after(terms, boundary))
            if join_owner:
                before = before.outerjoin(User, User.id == Case.owner_id)
            if session.scalar(before) != offset:
                boundary = None
        if boundary is not None:
            found = session.execute(page.where(_after(terms, boundary)).limit(limit)).all()
        else:
            found = session.execute(page.limit(limit).offset(offset)).all()
        if not found:
            return []
        _remember((*key, offset + len(found)), tuple(found[-1][1:]))
        ids = [r[0] for r in found]
        rows = {r[0]: _to_row(r) for r in session.execute(_row_select(ids))}
    return [rows[i] for i in ids if i in rows]


def _remember(key: tuple[Any, ...], values: tuple[Any, ...]) -> None:
    _BOUNDARIES[key] = values
    _BOUNDARIES.move_to_end(key)
    while len(_BOUNDARIES) > _BOUNDARY_SLOTS:
        _BOUNDARIES.popitem(last=False)


def iter_case_rows(ws: Workspace, flt: CaseFilter | None = None,
                   batch: int = 5000) -> Iterator[CaseRow]:
    """Every visible case matching ``flt`` in id order, read in windows of ``batch`` ids.

    Each window is its own short read, so an abandoned iterator holds no connection and
    never keeps writers waiting.
    """
    require(ws.actor, "case.read")
    where = _where(ws, flt or CaseFilter())
    batch = max(1, batch)
    with read_session(ws) as session:
        top = session.scalar(select(func.max(Case.id))) or 0
    low = 0
    while low < top:
        high = low + batch
        ids = select(Case.id).where(Case.id > low, Case.id <= high, *where)
        with read_session(ws) as session:
            rows = [_to_row(r) for r in session.execute(_row_select(ids).order_by(Case.id))]
        yield from rows
        low = high


def filter_options(ws: Workspace) -> FilterOptions:
    """Owners, teams, LSOAs and case types that occur among the cases the actor may see."""
    require(ws.actor, "case.read")
    visible = visible_cases(ws.actor)
    with read_session(ws) as session:
        owners = session.execute(
            select(User.id, User.username, User.display_name)
            .where(User.id.in_(select(Case.owner_id).where(visible).distinct()))
            .order_by(User.username)).all()
        teams = session.execute(
            select(Team.id, Team.name)
            .where(Team.id.in_(select(Case.team_id).where(visible).distinct()))
            .order_by(Team.name)).all()
        lsoas = session.execute(
            select(Lsoa.code, Lsoa.name)
            .where(Lsoa.code.in_(select(Case.lsoa_code).where(visible).distinct()))
            .order_by(Lsoa.name)).all()
        types = session.scalars(select(Case.case_type).where(visible).distinct()
                                .order_by(Case.case_type)).all()
    return FilterOptions(
        owners=tuple(Option(i, f"{name} ({display})" if display and display != name else name)
                     for i, name, display in owners),
        teams=tuple(Option(i, name) for i, name in teams),
        lsoas=tuple(Option(code, f"{code} {name}") for code, name in lsoas),
        types=tuple(types),
    )
