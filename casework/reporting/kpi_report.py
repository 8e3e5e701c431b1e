"""The partnership KPI report (PDF with charts, CSV or XLSX) through the pipeline.

Select: the aggregate figures of ``casework.kpis`` for the period, the period before, the
same period a year earlier and the last eight quarters (counts, shares and averages only).
Field rules: the protocol's ``kpi_report`` ``figure`` rules. Disclosure control: the
protocol's small-number suppression, applied by ``kpi_release`` to every figure of every
period (headline counts, parts of a whole, breakdowns with their totals, and the shares and
averages built on them). Charts draw only published numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer
from sqlalchemy.orm import Session

from casework.core import clock, settings
from casework.core.context import Workspace
from casework.core.errors import ValidationError
from casework.reporting import kpi_release, kpis
from casework.sharing import render_pdf as pdf
from casework.sharing import render_tabular as tab
from casework.sharing.pipeline import Built, ExportResult, Release, named_recipient, produce
from casework.sharing.protocol import OutputSpec, Protocol
from casework.sharing.rules import RecordRules

OUTPUT = "kpi_report"
SUPPRESSED_ROW = kpi_release.SUPPRESSED_ROW
FORMATS = ("pdf", "csv", "xlsx")
TREND_COLOURS = ("#3F6FB5", "#D9822B", "#2E8B57", "#8E44AD")


@dataclass(frozen=True)
class KpiData:
    period: str
    periods: tuple[str, ...]  # the period, then the ones it is compared with
    rows: tuple[dict[str, Any], ...]  # released rows: section, group, measure, values
    trend_quarters: tuple[str, ...]
    trend: tuple[tuple[str, tuple[int | None, ...]], ...]
    marker: str
    max_small: int = 4  # the suppression actually applied: counts of 1 to max_small


def suppression(session: Session, spec: OutputSpec) -> tuple[int, str]:
    """The protocol's suppression for the KPIs: the largest count hidden, and the marker."""
    sup = spec.suppression
    return (max(int(sup.get("max", settings.get(session, settings.SUPPRESS_MAX))),
                settings.SUPPRESS_FLOOR), str(sup.get("marker", "[c]")))


def gather(session: Session, label: str
           ) -> tuple[list[kpis.Kpis], list[tuple[str, dict[str, int]]]]:
    """The period with its comparisons, and the trend figures of the last eight quarters."""
    today = clock.today()
    p = kpis.parse_period(label)
    compared = [kpis.compute(session, kpis.parse_period(c), today)
                for c in (p.label, *kpi_release.comparisons(p.label))]
    quarters = [(q, kpis.trend_counts(session, kpis.parse_period(q)))
                for q in kpi_release.trend_quarters(p.label)]
    return compared, quarters


def build(session: Session, spec: OutputSpec, protocol: Protocol, period: str,
          recipient: str | None) -> Built:
    """The KPI figures for a period, released and protected."""
    del protocol
    who = named_recipient(spec, recipient)
    max_small, marker = suppression(session, spec)
    compared, quarters = gather(session, period)
    released = kpi_release.release(compared, max_small, marker)
    rules = RecordRules(spec.rules_for("figure"), ("measure", "group", "count", "value"), None)
    rows = []
    for r in released.rows:
        kept = rules.apply({"measure": r.label, "group": r.group or r.section,
                            "value": list(r.values)})
        rows.append({"section": r.section, "group": r.group, "key": r.key,
                     "measure": kept.get("measure"), "values": tuple(kept.get("value") or ())})
    labels, lines = kpi_release.trend(quarters, max_small, marker)
    label = compared[0].period.label
    return Built(KpiData(label, released.periods, tuple(rows), labels, lines, marker,
                         max_small), who, label, {"period": label})


# -- PDF ---------------------------------------------------------------------------------

def _cell(v: Any) -> Any:
    return f"{v:,}" if isinstance(v, int) and not isinstance(v, bool) else v


def trend_chart(quarters: Sequence[str], lines: Sequence[tuple[str, Sequence[int | None]]],
                width: float = 180 * mm, height: float = 62 * mm) -> Drawing:
    """A line chart of published counts over the quarters (a suppressed count is a gap)."""
    d = Drawing(width, height + 34)
    d.add(String(0, height + 24, "Trend over the last eight quarters", fontName="Helvetica-Bold",
                 fontSize=9))
    chart = HorizontalLineChart()
    chart.x, chart.y = 36, 22
    chart.width, chart.height = width - 50, height - 20
    chart.data = [list(v) for _lab, v in lines] or [[0] * len(quarters)]
    chart.categoryAxis.categoryNames = list(quarters)
    chart.categoryAxis.labels.fontSize = 7.5
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontSize = 7.5
    chart.joinedLines = 1
    for i in range(len(lines)):
        colour = colors.HexColor(TREND_COLOURS[i % len(TREND_COLOURS)])
        chart.lines[i].strokeColor = colour
        chart.lines[i].strokeWidth = 1.5
        chart.lines[i].symbol = makeMarker("FilledCircle", size=3, fillColor=colour)
    d.add(chart)
    legend = Legend()
    legend.x, legend.y = 36, height + 12
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.fontSize = 7.5
    legend.deltax = 110
    legend.dx = legend.dy = 6
    legend.colorNamePairs = [(colors.HexColor(TREND_COLOURS[i % len(TREND_COLOURS)]), lab)
                             for i, (lab, _v) in enumerate(lines)]
    d.add(legend)
    return d


def story(release: Release) -> list[Flowable]:
    """The report from the release alone."""
    d: KpiData = release.data
    compared = ", ".join(d.periods[1:])
    out: list[Flowable] = pdf.header_block(
        release, f"Period {d.period}" + (f", compared with {compared}" if compared else ""))
    out.append(trend_chart(d.trend_quarters, d.trend))
    out.append(pdf.label(f"A gap in a line is a count of 1 to {d.max_small}, suppressed.",
                         "small"))
    header = ["Measure", *d.periods]
    widths = [250.0] + [(505.0 - 250.0) / len(d.periods)] * len(d.periods)
    sections = list(dict.fromkeys(r["section"] for r in d.rows))
    for section in sections:
        rows = [r for r in d.rows if r["section"] == section]
        out.append(pdf.p(section, "h1"))
        out.append(pdf.grid_table(header, [[r["measure"], *map(_cell, r["values"])]
                                           for r in rows if not r["group"]], widths=widths))
        groups = list(dict.fromkeys(r["group"] for r in rows if r["group"]))
        for group in groups:
            body = [r for r in rows if r["group"] == group]
            table = pdf.grid_table(header, [[r["measure"], *map(_cell, r["values"])]
                                            for r in body], widths=widths)
            shown = [(str(r["measure"]), r["values"][0]) for r in body
                     if r["measure"] not in ("Total", SUPPRESSED_ROW)
                     and isinstance(r["values"][0], int) and r["values"][0]]
            parts: list[Flowable] = [pdf.p(group, "h2"), table]
            if len(shown) > 1:
                parts += [Spacer(1, 4), pdf.bar_chart(f"{group}, {d.period}",
                                                      [m for m, _ in shown],
                                                      [float(c) for _, c in shown])]
            out.append(pdf.keep(*parts))
    out.append(Spacer(1, 4))
    out.append(pdf.label(f"{d.marker}: suppressed to protect confidentiality (counts of 1 "
                         f"to {d.max_small}, and any other number that would reveal them). "
                         "Each period is protected on its own.", "small"))
    return out


def render(release: Release, paths: Sequence[Path]) -> None:
    pdf.write_pdf(paths[0], release, story(release))


# -- CSV and XLSX --------------------------------------------------------------------------

def sheets(release: Release) -> list[tab.Sheet]:
    """The figures and the trend as sheets (suppressed values print the marker)."""
    d: KpiData = release.data
    note = (f"{d.marker}: suppressed to protect confidentiality (counts of 1 to "
            f"{d.max_small}, and any other number that would reveal them).")
    figures = tab.Sheet("KPIs", f"KPIs for {d.period}",
                        ["Section", "Breakdown", "Measure", *d.periods],
                        [[r["section"], r["group"], r["measure"], *r["values"]]
                         for r in d.rows], (note,))
    trend = tab.Sheet("Trend", "The last eight quarters", ["Measure", *d.trend_quarters],
                      [[lab, *(d.marker if v is None else v for v in vals)]
                       for lab, vals in d.trend], (note,))
    return [figures, trend]


def render_csv(release: Release, paths: Sequence[Path]) -> None:
    tab.write_csv(paths[0], release, sheets(release)[0])


def render_xlsx(release: Release, paths: Sequence[Path]) -> None:
    d: KpiData = release.data
    tab.write_xlsx(paths[0], release, sheets(release), [("Period", d.period)])


RENDERERS = {"pdf": render, "csv": render_csv, "xlsx": render_xlsx}


def export_kpi_report(ws: Workspace, period: str, out: Path,
                      recipient: str | None = None, fmt: str | None = None) -> ExportResult:
    """The KPI report for a quarter, year or month as a PDF, CSV or XLSX (by ``fmt``, or
    the file's suffix; audited)."""
    kind = (fmt or Path(out).suffix.lstrip(".") or "pdf").lower()
    if kind not in RENDERERS:
        raise ValidationError("The KPI report is a PDF, a CSV or an XLSX file.", field="format")
    return produce(ws, OUTPUT, [Path(out)],
                   lambda s, spec, proto: build(s, spec, proto, period, recipient),
                   RENDERERS[kind])


def released_figures(ws: Workspace, period: str) -> dict[str, Any]:
    """The KPIs of a period and its comparisons as JSON-ready data, with the protocol's
    suppression applied as in the report (audited like ``kpis.compute_kpis``)."""
    from casework.core import audit
    from casework.core.permissions import require
    from casework.sharing.protocol import current

    require(ws.actor, "report.kpis")
    with ws.uow() as session:
        max_small, marker = suppression(session, current(session).output(OUTPUT))
        p = kpis.parse_period(period)
        today = clock.today()
        results = [kpis.compute(session, kpis.parse_period(c), today)
                   for c in (p.label, *kpi_release.comparisons(p.label))]
        audit.record(ws, session, "report.kpis", "report", p.label)
    out = kpi_release.as_json(kpi_release.release(results, max_small, marker))
    out["dates"] = {"start": p.start.isoformat(), "end": p.end.isoformat()}
    return out
