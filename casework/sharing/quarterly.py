"""The depersonalised quarterly dataset for the partnership's liaison officers.

Select (quasi-identifier columns only: case type, stage or decision, dates, LSOA, the
principal person's date of birth and gender, outcome; never a name) -> the protocol's field
rules (dates to quarters, date of birth to an age band, LSOA kept or rolled up) ->
disclosure control (k-anonymity for the record-level file; small-number and secondary
suppression, across linked tables, for the aggregates) -> CSV and XLSX.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    and_,
    case,
    cast,
    func,
    or_,
    select,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session

from casework.core import aggregates, settings
from casework.core.aggregates import Params, aggregate
from casework.core.context import Workspace
from casework.core.errors import ValidationError
from casework.sharing import disclosure as dc
from casework.sharing import intervals
from casework.sharing.pipeline import (
    Built,
    ExportResult,
    Release,
    named_recipient,
    produce,
    rule_context,
)
from casework.sharing.protocol import OutputSpec, Protocol
from casework.sharing.render_tabular import (
    Sheet,
    table_sheet,
    write_about_csv,
    write_csv,
    write_xlsx,
)
from casework.sharing.rules import BROAD_AGE_BANDS, UNKNOWN, RecordRules, RuleContext, year_of
from db.models import (
    AsbDetail,
    Case,
    CaseParty,
    MartDetail,
    Person,
    PoliceAsbIncident,
    TriggerApplication,
)
from db.models.cases import CASE_TYPES

OUTPUT = "quarterly_dataset"
# What the select step reads: never a name, address, contact detail or free text.
COLUMNS = ("case_type", "stage_or_decision", "opened_on", "closed_on", "lsoa_code",
           "date_of_birth", "gender", "outcome")
PRINCIPAL_ROLES = ("victim", "complainant")
COUNCIL, POLICE = "Council ASB cases", "Police-recorded ASB"
POLICE_TABLE = "police_asb_by_lsoa"


def parse_quarter(text: str) -> tuple[date, date, str]:
    """'2026Q3' -> (1 July 2026, 30 September 2026, '2026Q3')."""
    m = re.fullmatch(r"\s*(\d{4})\s*-?\s*[Qq]([1-4])\s*", text or "")
    if not m:
        raise ValidationError("Give the quarter as YYYYQn, for example 2026Q3.", "quarter")
    year, q = int(m.group(1)), int(m.group(2))
    start = date(year, 3 * q - 2, 1)
    end = date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1).toordinal() - 1
    return start, date.fromordinal(end), f"{year}Q{q}"


def previous_quarters(label: str, n: int) -> list[str]:
    """The n quarters ending with ``label``, oldest first."""
    year, q = int(label[:4]), int(label[5])
    out = []
    for _ in range(n):
        out.append(f"{year}Q{q}")
        year, q = (year - 1, 4) if q == 1 else (year, q - 1)
    return out[::-1]


def _principal() -> Any:
    return (select(CaseParty.case_id, func.min(CaseParty.id).label("party_id"))
            .where(CaseParty.role.in_(PRINCIPAL_ROLES)).group_by(CaseParty.case_id).subquery())


def case_select(start: Any, end: Any, *, age_only: bool = False) -> Select[*tuple[Any, ...]]:
    """Cases open at any time in the quarter, quasi-identifier columns only. ``age_only``
    (the team server's function): the principal person's age on the day the case opened
    in whole years, in place of their date of birth, which then never leaves the server."""
    p = _principal()
    dob: Any = Person.date_of_birth
    if age_only:
        dob = (cast(func.extract("year", Case.opened_on), Integer)
               - cast(func.extract("year", Person.date_of_birth), Integer)
               - case((func.to_char(Case.opened_on, "MM-DD")
                       < func.to_char(Person.date_of_birth, "MM-DD"), 1), else_=0))
    return (
        select(Case.case_type, Case.opened_on, Case.closed_on, Case.outcome, Case.lsoa_code,
               AsbDetail.stage, TriggerApplication.threshold_met, MartDetail.nrm_referred,
               dob, Person.gender)
        .outerjoin(AsbDetail, AsbDetail.case_id == Case.id)
        .outerjoin(TriggerApplication, TriggerApplication.case_id == Case.id)
        .outerjoin(MartDetail, MartDetail.case_id == Case.id)
        .outerjoin(p, p.c.case_id == Case.id)
        .outerjoin(CaseParty, CaseParty.id == p.c.party_id)
        .outerjoin(Person, Person.id == CaseParty.person_id)
        .where(_unindexed(Case.opened_on) <= end,
               or_(Case.closed_on.is_(None), Case.closed_on >= start))
        # In case order on every engine: the records file, and which rows k-anonymity
        # generalises, follow the order (SQLite's scan of cases gives it without a sort).
        .order_by(Case.id)
    )


@aggregate("quarterly_records", ("coordinator",))
def _q_records(a: Params) -> Select[*tuple[Any, ...]]:
    return case_select(a.start, a.end, age_only=a.server)


@aggregate("quarterly_opened_by_month_area", ("coordinator",))
def _q_opened_by_month_area(a: Params) -> Select[*tuple[Any, ...]]:
    """Cases opened per (type, month, LSOA), each month as its first day ('2026-07-01'):
    the field rules keep no more of the day than its quarter. A full scan, as in
    case_select (the quarters this reads are most of the cases)."""
    month = _FirstOfMonth(Case.opened_on).label("opened_month")
    return (select(Case.case_type, month, Case.lsoa_code, func.count())
            .where(and_(_unindexed(Case.opened_on) >= a.start,
                        _unindexed(Case.opened_on) <= a.end))
            .group_by(Case.case_type, month, Case.lsoa_code))


class _FirstOfMonth(ColumnElement[Any]):
    """A date column's month as ISO text of its first day."""

    inherit_cache = True
    type = String()

    def __init__(self, column: Any) -> None:
        self.column = column


@compiles(_FirstOfMonth)
def _first_of_month_default(element: _FirstOfMonth, compiler: Any, **kw: Any) -> str:
    return f"substr({compiler.process(element.column, **kw)}, 1, 7) || '-01'"


@compiles(_FirstOfMonth, "postgresql")
def _first_of_month_pg(element: _FirstOfMonth, compiler: Any, **kw: Any) -> str:
    return f"to_char({compiler.process(element.column, **kw)}, 'YYYY-MM') || '-01'"


class _Unindexed(ColumnElement[Any]):
    inherit_cache = True

    def __init__(self, column: Any) -> None:
        self.column = column
        self.type = column.type


@compiles(_Unindexed)
def _unindexed_default(element: _Unindexed, compiler: Any, **kw: Any) -> str:
    return "+" + str(compiler.process(element.column, **kw))


@compiles(_Unindexed, "postgresql")
def _unindexed_pg(element: _Unindexed, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.column, **kw))  # no unary plus on a date


def _unindexed(column: Any) -> Any:
    """``+column``: SQLite's way to keep a column's index out of a plan. Nearly every case
    was opened before a quarter ends, so the opened_on index only adds a random lookup per
    row; a full scan is several times faster (and portable SQL: PostgreSQL gets the
    column as it is)."""
    return _Unindexed(column)


def stage_or_decision(case_type: str, closed: bool, stage: int | None,
                      threshold_met: bool | None, nrm_referred: bool | None) -> str:
    """The stage an ASB case reached or the decision on a trigger or MART case."""
    if case_type == "asb":
        return f"stage {stage}" if stage else "intake"
    if case_type == "trigger":
        if threshold_met is None:
            return "awaiting decision"
        return "threshold met" if threshold_met else "threshold not met"
    if case_type == "mart":
        return "NRM referral" if nrm_referred else "no NRM referral"
    return "closed" if closed else "open"


def driver_rows(session: Session, stmt: Any) -> Any:
    """Run a select on the unit of work's own DB-API cursor: no per-row result objects and
    no per-value type processing (dates stay ISO text, which the rules parse cheaply). At
    100,000 rows a quarter this halves the cost of the select step."""
    conn = session.connection()
    compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    params = tuple(v.isoformat() if isinstance(v, date) else v
                   for v in (compiled.params[k] for k in compiled.positiontup or ()))
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    cursor.execute(str(compiled), params)
    return cursor


def _age_rows(session: Session, start: date, end: date) -> Iterator[tuple[Any, ...]]:
    """The server function's rows, each with a stand-in for the date of birth that gives
    the same age on the day the case opened (1 January of the year that does): the age
    band at opening is all the protocol's rule reads from it."""
    for row in aggregates.rows(session, _q_records, start, end):
        *head, age, gender = row
        opened = head[1]
        born = None if age is None or opened is None else \
            date(opened.year - int(age), 1, 1).isoformat()
        yield (*head, born, gender)


def _check_server_rules(spec: OutputSpec) -> None:
    for rule in spec.rules_for("case"):
        if rule.field != "date_of_birth" or rule.rule == "drop":
            continue
        if rule.rule != "generalise" or rule.params.get("to") != "age_band" \
            or rule.params.get("at") != "opened_on":
            raise ValidationError("On a team server the quarterly dataset gives a person's "
                                  "age band when the case opened, and nothing else of the "
                                  "date of birth: the sharing protocol's rule for "
                                  "date_of_birth must be an age band at opened_on, or drop "
                                  "it.")


def select_cases(session: Session, start: date, end: date) -> Iterator[tuple[Any, ...]]:
    """Rows in ``COLUMNS`` order, streamed; a case closed after the quarter is open in it."""
    last = end.isoformat()
    source = _age_rows(session, start, end) if aggregates.via_definer(session, _q_records) \
        else driver_rows(session, case_select(start, end))
    # Few distinct (type, closed, stage, decision) combinations: each is worked out once.
    stages: dict[tuple[Any, ...], str] = {}
    for ctype, opened, closed, outcome, lsoa, stage, met, nrm, dob, gender in source:
        if closed is not None and str(closed) > last:
            closed = outcome = None
        key = (ctype, closed is not None, stage, met, nrm)
        got = stages.get(key)
        if got is None:
            got = stages[key] = stage_or_decision(*key)
        yield (ctype, got, opened, closed, lsoa, dob, gender, outcome)


@dataclass(frozen=True)
class QuarterlyData:
    """The released dataset: k-anonymous records and protected tables."""

    quarter: str
    records: Sheet
    tables: tuple[dc.ProtectedTable, ...]
    facts: tuple[tuple[str, Any], ...]


def _steps(spec: OutputSpec, columns: Sequence[str], ctx: RuleContext) -> list[dc.Step]:
    fns: dict[str, Callable[[str], str]] = {
        "msoa": lambda v: ctx.lsoa_msoa.get(v, v),
        "local_authority": lambda v: v if v == UNKNOWN else ctx.local_authority,
        "year": year_of,
        "broad_age_band": lambda v: BROAD_AGE_BANDS.get(v, v),
        "any": lambda v: "any",
    }
    assert spec.k_anonymity is not None
    return [(columns.index(s["field"]), fns[s["to"]]) for s in spec.k_anonymity.get("steps", [])
            if s["field"] in columns]


def _col(columns: Sequence[str], name: str) -> int:
    if name not in columns:
        raise ValidationError(f"The sharing protocol's quarterly dataset must release "
                              f"'{name}' for the aggregate tables.")
    return columns.index(name)


def _police_counts(session: Session, start: date, end: date) -> tuple[Counter[str], int]:
    """Police-recorded ASB in the quarter by LSOA, and how many had no LSOA."""
    police: Counter[str] = Counter()
    police_no_lsoa = 0
    for code, n in session.execute(
            select(PoliceAsbIncident.lsoa_code, func.count()).where(
                PoliceAsbIncident.month >= start, PoliceAsbIncident.month <= end)
            .group_by(PoliceAsbIncident.lsoa_code)):
        police[code or UNKNOWN] += int(n)
        police_no_lsoa += 0 if code else int(n)
    return police, police_no_lsoa


def _opened_between(session: Session, spec: OutputSpec, ctx: RuleContext, since: date,
                    before: date) -> Counter[tuple[str, str, str]]:
    """Cases opened from ``since`` to the day before ``before``, counted by (case type,
    quarter opened, area) as the field rules release them: counted per (type, month,
    LSOA) in SQL."""
    out: Counter[tuple[str, str, str]] = Counter()
    if since >= before:
        return out
    rules = RecordRules(spec.rules_for("case"), ("case_type", "opened_on", "lsoa_code"), ctx)
    cols = rules.columns_out
    i_type, i_q, i_area = (_col(cols, n) for n in ("case_type", "quarter_opened", "area"))
    last = date.fromordinal(before.toordinal() - 1)
    counted = aggregates.rows(session, _q_opened_by_month_area, since, last) \
        if aggregates.via_definer(session, _q_opened_by_month_area) \
        else driver_rows(session, _q_opened_by_month_area.build(Params(since, last, last)))
    counts = list(counted)
    # The rules a column at a time over the distinct (type, month, LSOA) keys.
    for row, (*_key, n) in zip(rules.rows([r[:3] for r in counts]), counts, strict=True):
        out[(row[i_type], row[i_q], row[i_area])] += int(n)
    return out


def _by_quarter(opened: Mapping[tuple[str, str, str], int]) -> Counter[tuple[str, str]]:
    """(type, quarter) counts from (type, quarter, area) counts."""
    out: Counter[tuple[str, str]] = Counter()
    for (t, q, _a), n in opened.items():
        out[(t, q)] += n
    return out


def _tables(ctx: RuleContext, label: str, lsoa_cases: Counter[tuple[str, str]],
            police: Counter[str], by_quarter: Counter[tuple[str, str]]
            ) -> tuple[list[tuple[dc.Table, dc.KeyGrid]], list[dc.KeyGrid], dict[Hashable, int]]:
    """The aggregate tables as key grids over shared quantities (see disclosure).

    ``lsoa_cases`` counts the quarter's cases by (area, type), ``by_quarter`` the three
    quarters before it by (type, quarter)."""
    quarters = previous_quarters(label, 4)
    msoa = ctx.lsoa_msoa
    lsoas = sorted(set(msoa) | {a for a, _t in lsoa_cases} | set(police))
    lsoas = [c for c in lsoas if c != UNKNOWN] + [UNKNOWN]
    group = {c: msoa.get(c, UNKNOWN) for c in lsoas}
    msoas = sorted({g for g in group.values() if g != UNKNOWN}) + [UNKNOWN]

    values = _values(lsoas, group, msoas, lsoa_cases, police, by_quarter, quarters)

    def qkey(t: str, q: str) -> Hashable:
        return ("c", "all", t) if q == label else ("cq", q, t)

    a_rows = [g for g in msoas if g != UNKNOWN or values[("c", "msoa", g, "*")]]
    a_keys = [_row(*(("c", "msoa", g, t) for t in TYPES_ALL)) for g in a_rows]
    a_keys.append(_row(*(("c", "all", t) for t in TYPES_ALL)))
    d_keys = [_row(*(qkey(t, q) for q in quarters), ("cq4", t)) for t in TYPES_ALL]
    # Council and police counts never share a table: police.uk is public, so a council
    # figure beside it (or a total of both) would give the council figure away. A table
    # of one column is written as (count, count): its total column repeats it.
    b_rows = [c for c in lsoas if c != UNKNOWN or values[("c", "lsoa", c, "asb")]]
    b_keys = [_row(("c", "lsoa", c, "asb"), ("c", "lsoa", c, "asb")) for c in b_rows]
    b_keys.append(_row(("c", "all", "asb"), ("c", "all", "asb")))
    # Each MSOA's council ASB is the total of its LSOAs': one hierarchy grid per MSOA.
    groups: list[dc.KeyGrid] = [
        [b_keys[n] for n, c in enumerate(b_rows) if group[c] == g]
        + [_row(("c", "msoa", g, "asb"), ("c", "msoa", g, "asb"))]
        for g in a_rows if any(group[c] == g for c in b_rows)
    ]
    p_rows = [c for c in lsoas if c != UNKNOWN or values[("p", "lsoa", c)]]
    p_keys = [_row(("p", "lsoa", c), ("p", "lsoa", c)) for c in p_rows]
    p_keys.append(_row(("p", "all"), ("p", "all")))

    def table(name: str, title: str, row_label: str, rows: list[str], cols: list[str],
              keys: list[list[Hashable]]) -> tuple[dc.Table, dc.KeyGrid]:
        counts = [[values[k] for k in row[:len(cols)]] for row in keys[:-1]]
        return dc.Table(name, title, row_label, rows, cols, counts), keys

    tables = [
        table("cases_by_msoa_and_type", f"Cases opened in {label} by MSOA and case type",
              "MSOA", a_rows, list(CASE_TYPES), a_keys),
        table("cases_by_type_and_quarter", f"Cases opened by case type, four quarters to {label}",
              "case type", list(CASE_TYPES), quarters, d_keys),
        table("asb_by_lsoa", f"Council ASB cases opened in {label} by LSOA", "LSOA",
              b_rows, [COUNCIL], b_keys),
    ]
    police_table = table(POLICE_TABLE, f"Police-recorded ASB incidents in {label} by LSOA "
                         "(public: police.uk)", "LSOA", p_rows, [POLICE], p_keys)
    tables.append(police_table)
    return tables, groups, values


TYPES_ALL = (*CASE_TYPES, "*")


def _single(table: dc.ProtectedTable) -> dc.ProtectedTable:
    """A table of one column is published without its total column (the same numbers)."""
    if len(table.cols) == 2:
        table.cols = table.cols[:1]
        table.cells = [row[:1] for row in table.cells]
    return table


def _row(*keys: Hashable) -> list[Hashable]:
    return list(keys)


def _values(lsoas: Sequence[str], group: Mapping[str, str], msoas: Sequence[str],
            lsoa_cases: Counter[tuple[str, str]], police: Counter[str],
            by_quarter: Counter[tuple[str, str]], quarters: Sequence[str]) -> dict[Hashable, int]:
    """Every quantity any table publishes, by key ('*' is a total over case types)."""
    values: dict[Hashable, int] = {}
    add: Counter[Hashable] = Counter()
    for lsoa in lsoas:
        g = group[lsoa]
        for t in CASE_TYPES:
            n = lsoa_cases[(lsoa, t)]
            values[("c", "lsoa", lsoa, t)] = n
            for key in (("c", "msoa", g, t), ("c", "msoa", g, "*"), ("c", "all", t),
                        ("c", "all", "*")):
                add[key] += n
        values[("p", "lsoa", lsoa)] = police[lsoa]
        add[("p", "all")] += police[lsoa]
    for g in msoas:
        for t in TYPES_ALL:
            values[("c", "msoa", g, t)] = add[("c", "msoa", g, t)]
    totals: list[Hashable] = [("p", "all"), *(("c", "all", t) for t in TYPES_ALL)]
    for tkey in totals:
        values[tkey] = add[tkey]
    for t in TYPES_ALL:
        for q in quarters[:-1]:
            values[("cq", q, t)] = (by_quarter[(t, q)] if t != "*" else
                                    sum(by_quarter[(u, q)] for u in CASE_TYPES))
        values[("cq4", t)] = (sum(values[("cq", q, t)] for q in quarters[:-1])
                              + values[("c", "all", t)])
    return values


def build(session: Session, spec: OutputSpec, protocol: Protocol, label: str, start: date,
          end: date, recipient: str | None) -> Built:
    """Select, field rules and disclosure control for one quarter."""
    del protocol
    who = named_recipient(spec, recipient)
    ctx = rule_context(session)
    rules = RecordRules(spec.rules_for("case"), COLUMNS, ctx)
    if aggregates.via_definer(session, _q_records):
        _check_server_rules(spec)
    released = rules.rows(select_cases(session, start, end))
    columns = rules.columns_out
    i_type, i_q, i_area = (_col(columns, n) for n in ("case_type", "quarter_opened", "area"))
    lsoa_cases: Counter[tuple[str, str]] = Counter(
        (r[i_area], r[i_type]) for r in released if r[i_q] == label)
    # Records of cases opened in earlier quarters fall inside those quarters' own tables,
    # which are worked out again from the same cases by the same rules.
    earlier = sorted({q for q in {r[i_q] for r in released}
                      if _QUARTER.fullmatch(str(q)) and q < label})
    window = parse_quarter(previous_quarters(min([label, *earlier]), 4)[0])[0]
    opened = _opened_between(session, spec, ctx, window, start)
    by_quarter = _by_quarter(opened)
    police_counts, police_no_lsoa = _police_counts(session, start, end)
    tables, groups, values = _tables(ctx, label, lsoa_cases, police_counts, by_quarter)
    sup = spec.suppression
    # A version stored before the floors existed still gets them.
    max_small = max(int(sup.get("max", settings.get(session, settings.SUPPRESS_MAX))),
                    settings.SUPPRESS_FLOOR)
    rounding = int(sup.get("round_to", settings.get(session, settings.ROUND_TO)))
    marker = str(sup.get("marker", "[c]"))
    hidden = _council_hidden(tables, groups, values, max_small, label)
    police = [keys for t, keys in tables if t.name == POLICE_TABLE]
    hidden |= dc.protect_linked(police, values, max_small)
    # What each earlier quarter's own dataset suppressed: the same rules on the same cases.
    by_area: dict[str, Counter[tuple[str, str]]] = {q: Counter() for q in earlier}
    for (t, oq, a), n in opened.items():
        if oq in by_area:
            by_area[oq][(a, t)] += n
    hidden_then = {q: _council_hidden(*_tables(ctx, q, by_area[q], Counter(), by_quarter),
                                      max_small, q) for q in earlier}
    primary = {k for k, v in values.items() if 1 <= v <= max_small}
    protected = tuple(_single(dc.publish(t, keys, values, hidden, primary, rounding, marker))
                      for t, keys in tables)
    for p in protected:
        if p.name == POLICE_TABLE:
            p.notes.append("Public figures (police.uk, Open Government Licence), suppressed "
                           "on their own; no table combines them with council counts.")
            if police_no_lsoa:
                p.notes.append(f"{police_no_lsoa} police-recorded incidents had no LSOA: "
                               f"they are counted in the 'unknown' row.")
    k_spec = spec.k_anonymity or {"quasi_identifiers": [], "steps": []}
    k = max(int(k_spec.get("k", settings.get(session, settings.K_ANONYMITY))), settings.K_FLOOR)
    # A quasi-identifier the protocol no longer releases needs no protection.
    qi = [columns.index(q) for q in k_spec["quasi_identifiers"] if q in columns]
    coarsened = _coarsen_hidden(released, columns, label, hidden, hidden_then, ctx)
    kres = dc.k_anonymise(released, qi, _steps(spec, columns, ctx), k) if qi else \
        dc.KResult(released, 0, 0, k)
    facts: tuple[tuple[str, Any], ...] = (
        ("Quarter", label),
        ("Cases in the quarter", len(released)),
        ("Record-level rows published", len(kres.rows)),
        ("Rows generalised because their table count is suppressed", coarsened),
        (f"Rows generalised further to reach k={k}", kres.generalised),
        (f"Rows withheld (still fewer than k={k} alike)", kres.withheld),
        ("Quasi-identifiers", ", ".join(columns[i] for i in qi)),
        ("Small counts suppressed", f"1 to {max_small}, shown as {marker}"),
        ("Rounding", f"to the nearest {rounding}" if rounding > 1 else "none"),
        ("Police-recorded ASB with no LSOA", police_no_lsoa),
    )
    if qi:
        notes = [f"k-anonymity k={k} over {', '.join(columns[i] for i in qi)}: "
                 f"{kres.generalised} rows generalised further, {kres.withheld} rows "
                 "withheld."]
    else:
        notes = ["k-anonymity: not applied (the file releases no quasi-identifier)."]
    notes.append(f"{coarsened} rows whose area or quarter would fall inside a suppressed "
                 "table count are shown at the level the tables publish.")
    for p in protected:
        p.notes.insert(0, f"Counts of 1 to {max_small} are suppressed ({marker}), and so "
                       "is any other entry that would let one be worked out or narrowed"
                       + (f"; other counts are rounded to the nearest {rounding}."
                          if rounding > 1 else "."))
    records = Sheet("records", f"Depersonalised case records, {label}", columns, kres.rows,
                    notes)
    return Built(QuarterlyData(label, records, protected, facts), who, label, {
        "quarter": label, "rows": len(kres.rows), "generalised": kres.generalised,
        "withheld": kres.withheld, "k": k, "suppress_max": max_small,
        "suppressed": sum(p.primary + p.secondary for p in protected),
    })


_QUARTER = re.compile(r"\d{4}Q[1-4]")


def _council_hidden(tables: Sequence[tuple[dc.Table, dc.KeyGrid]], groups: list[dc.KeyGrid],
                    values: Mapping[Hashable, int], max_small: int,
                    label: str) -> set[Hashable]:
    """Every council count the tables suppress (primary, secondary and widening).

    A quarter's counts of cases by type are published by its own dataset and again by the
    next three (the four-quarter table): each is hidden or shown the same way in all of
    them, decided from that quarter's counts alone (``quarter_totals_hidden``), and the
    other entries are protected around them."""
    forced: set[Hashable] = set()
    fixed: set[Hashable] = set()
    for q in previous_quarters(label, 4):
        def key(t: str, q: str = q) -> Hashable:
            return ("c", "all", t) if q == label else ("cq", q, t)
        hide = quarter_totals_hidden({t: values[key(t)] for t in TYPES_ALL}, max_small)
        forced |= {key(t) for t in hide}
        fixed |= {key(t) for t in TYPES_ALL}
    public = frozenset(fixed - forced)
    council = [keys for t, keys in tables if t.name != POLICE_TABLE] + groups
    hidden = dc.protect_linked(council, values, max_small, public, forced)
    return intervals.widen(council, values, hidden, max_small, public)


def quarter_totals_hidden(counts: Mapping[str, int], max_small: int) -> set[str]:
    """Which of one quarter's counts by case type ('*': all types) are suppressed.

    Each small count, and never one alone: a lone small count would follow from the
    published total and the other types, so the next smallest non-zero count is hidden
    with it."""
    hide = {t for t, n in counts.items() if 1 <= n <= max_small}
    types = [t for t in counts if t != "*"]
    if len(hide & set(types)) == 1:
        others = sorted((counts[t], t) for t in types if t not in hide and counts[t] > 0)
        hide.add(others[0][1] if others else "*")
    return hide


def _coarsen_hidden(released: Sequence[list[Any]], columns: Sequence[str], label: str,
                    hidden: set[Hashable], hidden_then: Mapping[str, set[Hashable]],
                    ctx: RuleContext) -> int:
    """Generalise, in place, each record whose area or quarter opened would place it
    inside a count the tables suppress: records are cases, so counting them would give
    a lower bound on that count. The area goes up to the first level (LSOA, MSOA, local
    authority) whose count of the record's type is published, and the quarter to "any"
    when its count by type is suppressed.

    A record of a case opened in an earlier quarter is held against that quarter's own
    dataset (``hidden_then``: what it suppressed), which published the quarter's counts
    by area, and against this dataset's count of its type in that quarter. Returns how
    many rows changed."""
    if not {"case_type", "quarter_opened"} <= set(columns):
        return 0
    i_type, i_q = columns.index("case_type"), columns.index("quarter_opened")
    i_area = columns.index("area") if "area" in columns else None
    quarters = set(previous_quarters(label, 4)[:-1])
    msoas = set(ctx.lsoa_msoa.values())
    no_area = i_area is None

    def where(opened: str, ctype: str, lsoa: Any) -> tuple[str, Any] | None:
        """(quarter, area) a record shows, or None when it stays as it is."""
        if opened == label:
            then = hidden
            moved = ("c", "all", ctype) in hidden
        elif opened in hidden_then:
            then = hidden_then[opened]
            moved = (("c", "all", ctype) in then
                     or (opened in quarters and ("cq", opened, ctype) in hidden))
        else:
            return None
        area = lsoa
        if not no_area:
            msoa = lsoa if lsoa in msoas else ctx.lsoa_msoa.get(lsoa, UNKNOWN)
            # LSOA counts are published for council ASB cases only: another type's
            # LSOA record adds up only into its MSOA count.
            at_msoa = ctype != "asb" or ("c", "lsoa", lsoa, ctype) in then
            area = msoa if ctype == "asb" and at_msoa else lsoa
            if at_msoa and ("c", "msoa", msoa, ctype) in then:
                area = ctx.local_authority
        if not moved and area == lsoa:
            return None
        return ("any" if moved else opened), area

    # Few distinct (quarter, type, area) combinations: each is worked out once.
    seen: dict[tuple[Any, Any, Any], tuple[str, Any] | None] = {}
    changed = 0
    for row in released:
        key = (row[i_q], row[i_type], None if no_area else row[i_area])  # type: ignore[index]
        if key in seen:
            got = seen[key]
        else:
            got = seen[key] = where(*key)
        if got is not None:
            row[i_q] = got[0]
            if not no_area:
                row[i_area] = got[1]  # type: ignore[index]
            changed += 1
    return changed


def file_names(label: str, tables: Sequence[str]) -> list[str]:
    return ([f"quarterly-{label}-about.csv", f"quarterly-{label}-records.csv"]
            + [f"quarterly-{label}-{t}.csv" for t in tables] + [f"quarterly-{label}.xlsx"])


TABLE_NAMES = ("cases_by_msoa_and_type", "cases_by_type_and_quarter", "asb_by_lsoa",
               POLICE_TABLE)


def render(release: Release, paths: Sequence[Path]) -> None:
    """Every file of the dataset from the release alone."""
    data: QuarterlyData = release.data
    sheets = [data.records] + [table_sheet(t) for t in data.tables]
    write_about_csv(paths[0], release, data.facts)
    for sheet, path in zip(sheets, paths[1:-1], strict=True):
        write_csv(path, release, sheet)
    write_xlsx(paths[-1], release, sheets, data.facts)


def export_quarterly(ws: Workspace, quarter: str, out_dir: Path,
                     recipient: str | None = None) -> ExportResult:
    """Write the quarterly dataset (CSV files and one workbook) into ``out_dir``."""
    start, end, label = parse_quarter(quarter)
    out_dir = Path(out_dir)
    finals = [out_dir / n for n in file_names(label, TABLE_NAMES)]
    return produce(ws, OUTPUT, finals,
                   lambda s, spec, proto: build(s, spec, proto, label, start, end, recipient),
                   render, prepare=lambda: out_dir.mkdir(exist_ok=True))
