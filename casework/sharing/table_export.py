"""Lists a user sees on screen (the case list, My work, a person's cases, users), exported
as CSV or XLSX through the sharing pipeline.

The protocol's ``table_export`` output holds, per list, a rule for every column: a column
with no rule is left out (deny by default). A rule may name the ``roles`` that get the
field as it is; everyone else gets it as ``otherwise`` says (dropped, or pseudonymised as
"Case 1", "Case 2"... so a coordinator's copy carries no case reference). The rows are
what the user's own services returned (only what the user may see), the files carry the
protective marking and the protocol version, text that a spreadsheet could run is
neutralised, and the export is audited with the list, the row count and the columns.

The CSV is UTF-8 with a byte-order mark, so Excel opens names with accents correctly; dates
are ISO (2026-03-05), which Excel reads as dates. The XLSX has the About sheet first and
the list on the second sheet, dates as dates.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from casework.core.context import Workspace
from casework.core.errors import ValidationError
from casework.sharing import pipeline
from casework.sharing.protocol import FieldRule, OutputSpec, Protocol, current
from casework.sharing.render_tabular import Sheet, _clean_rows, write_xlsx
from casework.sharing.rules import RecordRules
from casework.sharing.safety import neutralise

OUTPUT = "table_export"
FORMATS = ("csv", "xlsx")
# The lists that can be exported, and how each is titled in the file.
TABLES = {"case_list": "Case list", "tasks": "Tasks", "person_cases": "A person's cases",
          "users": "Users"}


@dataclass(frozen=True)
class Column:
    """One column of a list: the field the protocol knows it by, and its heading."""

    field: str
    heading: str


def rules_for_role(rules: Sequence[FieldRule], role: str) -> list[FieldRule]:
    """The list's rules as they apply to ``role``: a rule naming other roles becomes its
    ``otherwise`` rule (drop unless it says pseudonymise)."""
    out: list[FieldRule] = []
    for rule in rules:
        roles = rule.params.get("roles")
        if roles is None or role in roles or role == "system":
            out.append(rule)
            continue
        other = str(rule.params.get("otherwise", "drop"))
        params = {k: v for k, v in rule.params.items() if k not in ("roles", "otherwise")}
        out.append(replace(rule, rule=other, params=params))
    return out


@dataclass(frozen=True)
class Released:
    table: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    left_out: tuple[str, ...]
    scope: str


def _cell(value: Any) -> Any:
    """A released value as a spreadsheet cell: lists joined, everything else as is."""
    if isinstance(value, tuple | list | frozenset | set):
        return ", ".join(str(v) for v in value)
    return value


def export_table(ws: Workspace, table: str, columns: Sequence[Column],
                 rows: Iterable[Sequence[Any]], dest: Path, fmt: str = "",
                 scope: str = "") -> pipeline.ExportResult:
    """Write the list ``table`` (rows in the order of ``columns``) to ``dest`` as CSV or
    XLSX (from the suffix unless ``fmt`` says). ``scope`` says what the list was narrowed
    to ("Open cases, team North"): it goes in the file and the audit entry."""
    if table not in TABLES:
        raise ValidationError(f"There is no list called {table} to export.", field="table")
    fmt = (fmt or dest.suffix.lstrip(".")).lower()
    if fmt not in FORMATS:
        raise ValidationError("Export a list as CSV (.csv) or Excel (.xlsx).", field="format")
    dest = dest if dest.suffix.lower() == f".{fmt}" else dest.with_name(f"{dest.name}.{fmt}")
    with ws.uow() as session:  # refuse before reading anything if the protocol does
        proto = current(session)
        if OUTPUT not in proto.outputs:
            raise ValidationError(
                f"Sharing protocol version {proto.version} has no rules for exporting lists "
                f"(the output '{OUTPUT}'). An administrator can add "
                "a protocol version that has them.", field="protocol")
        pipeline.authorise(ws.actor, proto.output(OUTPUT))
    fields = [c.field for c in columns]
    headings = {c.field: c.heading for c in columns}
    raw_rows = [tuple(r) for r in rows]

    def build(session: Session, spec: OutputSpec, protocol: Protocol) -> pipeline.Built:
        rules = rules_for_role(spec.rules_for(table), ws.actor.role)
        compiled = RecordRules(rules, fields, pipeline.rule_context(session))
        released = tuple(tuple(_cell(v) for v in compiled(r)) for r in raw_rows)
        names = {r.out_name: r.field for r in rules}
        out_cols = tuple(headings.get(names.get(c, c), c) for c in compiled.columns_out)
        kept = set(compiled.columns_out)
        left_out = tuple(headings[f] for f in fields
                         if not any(r.field == f and r.out_name in kept for r in rules))
        return pipeline.Built(
            Released(table, TABLES[table], out_cols, released, left_out, scope),
            recipient=spec.recipients.names[0], record_id=table,
            facts={"list": table, "rows": len(released), "format": fmt,
                   "columns": list(out_cols), "left_out": list(left_out),
                   **({"scope": scope} if scope else {})})

    def render(release: pipeline.Release, paths: Sequence[Path]) -> None:
        data: Released = release.data
        notes = [f"{data.title}: {len(data.rows)} rows"
                 + (f" ({data.scope})" if data.scope else "") + "."]
        if data.left_out:
            notes.append("Left out under the sharing protocol for your role: "
                         f"{', '.join(data.left_out)}.")
        sheet = Sheet(data.title[:31], data.title, data.columns, data.rows, notes)
        if fmt == "csv":
            _write_csv(paths[0], release, sheet)
        else:
            write_xlsx(paths[0], release, [sheet],
                       [("Rows", len(data.rows))] + ([("Narrowed to", data.scope)]
                                                     if data.scope else []))

    return pipeline.produce(ws, OUTPUT, [dest], build, render,
                            prepare=lambda: dest.parent.mkdir(parents=True, exist_ok=True))


def _write_csv(path: Path, release: pipeline.Release, sheet: Sheet) -> None:
    """Marking line, notes, headings, rows; UTF-8 with a BOM so Excel reads it as UTF-8."""
    with open(path, "w", newline="", encoding="utf-8-sig") as fh:
        writer = csv.writer(fh)
        writer.writerow([neutralise(f"# {release.stamp}")])
        for note in sheet.notes:
            writer.writerow([neutralise(f"# {note}")])
        writer.writerow([neutralise(c) for c in sheet.columns])
        writer.writerows(_clean_rows(
            [[v.isoformat() if hasattr(v, "isoformat") else v for v in row]
             for row in sheet.rows]))


CASE_LIST_COLUMNS = (
    Column("reference", "Reference"), Column("case_type", "Type"), Column("stage", "Stage"),
    Column("status", "Status"), Column("risk_level", "Risk"), Column("owner", "Owner"),
    Column("team", "Team"), Column("area", "Area"), Column("opened_on", "Opened"),
    Column("next_review_on", "Next review"))


def case_list_rows(ws: Workspace, flt: Any, owner_names: Mapping[str, str] | None = None,
                   area_names: Mapping[str, str] | None = None,
                   label: Callable[[str], str] = str, sort: str = "opened_on",
                   descending: bool = True,
                   ) -> tuple[list[Column], list[tuple[Any, ...]]]:
    """Every case the user may see that matches the case list's filter ``flt`` (not only
    the rows loaded on screen), in the list's order (``sort``: a CaseRow field), with owners
    and areas named as the screen names them (``owner_names``: user name -> name;
    ``area_names``: code -> name) and codes shown through ``label``."""
    from casework.cases import caselist

    owners, areas = owner_names or {}, area_names or {}
    columns = list(CASE_LIST_COLUMNS)
    def key(r: Any) -> tuple[Any, ...]:
        value = getattr(r, sort, None)
        if sort == "risk_level":
            value = caselist.RISK_ORDER.get(str(value), -1)
        return (value is not None, value if value is not None else 0, r.id)

    found = sorted(caselist.iter_case_rows(ws, flt), key=key, reverse=descending)
    rows = [(r.reference, label(r.case_type), r.stage, label(r.status), label(r.risk_level),
             owners.get(r.owner, r.owner), r.team,
             areas.get(r.lsoa_code or "", r.lsoa_code or ""), r.opened_on, r.next_review_on)
            for r in found]
    return columns, rows
