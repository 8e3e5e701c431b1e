"""The Community Trigger annual return through the pipeline (PDF, CSV or XLSX).

Select: the aggregate figures from ``casework.trigger.figures`` (counts only, never a record). Field
rules: the protocol's ``trigger_return`` ``figure`` rules. Disclosure control: the four
statutory counts are published as they are (the Act requires their publication; they carry
no area or personal attribute) when the protocol says ``statutory_counts_exempt``;
otherwise counts of 1 to 4 are suppressed. The reconciliation check is printed with them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from reportlab.platypus import Flowable, Spacer
from sqlalchemy.orm import Session

from casework.core import settings
from casework.core.context import Workspace
from casework.core.errors import ValidationError
from casework.sharing import render_pdf as pdf
from casework.sharing.pipeline import Built, ExportResult, Release, named_recipient, produce
from casework.sharing.protocol import OutputSpec, Protocol
from casework.sharing.render_tabular import Sheet, write_csv, write_xlsx
from casework.sharing.rules import RecordRules
from casework.trigger.figures import count_return

OUTPUT = "trigger_return"
FORMATS = (".pdf", ".csv", ".xlsx")


@dataclass(frozen=True)
class ReturnData:
    year: int  # the calendar year, or the financial year's first year
    figures: tuple[dict[str, Any], ...]
    reconciles: bool
    problems: tuple[str, ...]
    marker: str
    file_format: str = ".pdf"
    max_small: int = 4  # the suppression actually applied: counts of 1 to max_small
    period: str = "calendar"

    @property
    def label(self) -> str:
        """``Calendar year 2026`` or ``Financial year 2026/27 (April to March)``."""
        if self.period == "financial":
            return f"Financial year {self.year}/{(self.year + 1) % 100:02d} (April to March)"
        return f"Calendar year {self.year}"


PERIODS = ("calendar", "financial")


def period_dates(year: int, period: str) -> tuple[date, date]:
    """First and last day of the calendar year, or of the financial year from 1 April."""
    if period == "financial":
        return date(year, 4, 1), date(year + 1, 3, 31)
    return date(year, 1, 1), date(year, 12, 31)


def build(session: Session, spec: OutputSpec, protocol: Protocol, year: int,
          recipient: str | None, file_format: str = ".pdf", period: str = "calendar") -> Built:
    """Aggregate figures for the year, released through the field rules."""
    del protocol
    who = named_recipient(spec, recipient)
    start, end = period_dates(year, period)
    # The same session-level query the KPI report uses.
    ret = count_return(session, str(year), start, end)
    figures = [
        ("Applications received", ret.applications),
        ("Applications where the threshold was not met", ret.threshold_not_met),
        ("ASB case reviews carried out", ret.reviews),
        ("ASB case reviews that made recommendations", ret.reviews_with_recommendations),
        ("Applications where the threshold was met", ret.threshold_met),
        ("Applications awaiting a threshold decision", ret.undecided),
    ]
    sup = spec.suppression
    exempt = bool(sup.get("statutory_counts_exempt", False))
    max_small = max(int(sup.get("max", settings.get(session, settings.SUPPRESS_MAX))),
                    settings.SUPPRESS_FLOOR)
    marker = str(sup.get("marker", "[c]"))
    rules = RecordRules(spec.rules_for("figure"), ("measure", "count"), None)
    released = []
    for i, (measure, count) in enumerate(figures):
        hide = not (exempt and i < 4) and 1 <= count <= max_small
        released.append(rules.apply({"measure": measure, "count": marker if hide else count}))
    data = ReturnData(year, tuple(released), ret.reconciles, ret.problems, marker,
                      file_format, max_small, period)
    return Built(data, who, str(year), {"year": year, "period": period,
                                        "reconciles": ret.reconciles})


def _rows(d: ReturnData) -> list[list[Any]]:
    rows = [[f.get("measure", ""), f.get("count", "")] for f in d.figures]
    rows.append(["Reconciles (reviews <= applications - not met)",
                 "yes" if d.reconciles else "no"])
    rows += [["Reconciliation problem", p] for p in d.problems]
    return rows


def story(release: Release) -> list[Flowable]:
    d: ReturnData = release.data
    out: list[Flowable] = pdf.header_block(release, d.label)
    out.append(pdf.label("<b>Statutory figures (ASB, Crime and Policing Act 2014 s104)</b>",
                         "h1"))
    out.append(pdf.grid_table(["Measure", "Number"], _rows(d), widths=[360, 115]))
    out.append(Spacer(1, 10))
    numeric = [(f.get("measure", ""), f.get("count")) for f in d.figures[:4]]
    shown = [(m, c) for m, c in numeric if isinstance(c, int)]
    out.append(pdf.bar_chart(f"Community Trigger {d.year}", [m for m, _ in shown],
                             [c for _, c in shown]))
    if len(shown) < len(numeric):
        out.append(pdf.label(f"{d.marker}: suppressed small number (1 to {d.max_small}).", "small"))
    return out


def render(release: Release, paths: Sequence[Path]) -> None:
    """PDF, CSV or XLSX from the release alone."""
    d: ReturnData = release.data
    # a calendar and a financial year's return must not be told apart by file name alone
    sheet = Sheet("return", f"Community Trigger annual return: {d.label}",
                  ["measure", "number"], [["Period", d.label], *_rows(d)])
    if d.file_format == ".csv":
        write_csv(paths[0], release, sheet)
    elif d.file_format == ".xlsx":
        write_xlsx(paths[0], release, [sheet], [("Period", d.label)])
    else:
        pdf.write_pdf(paths[0], release, story(release))


def export_trigger_return(ws: Workspace, year: int, out: Path,
                          recipient: str | None = None,
                          period: str = "calendar") -> ExportResult:
    """The annual return as PDF, CSV or XLSX (by the file's suffix), for a calendar year
    or (``period="financial"``) the financial year from 1 April of ``year`` to 31 March.
    Its protective marking is the protocol's for this output (OFFICIAL: published)."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise ValidationError("Write the return to a .pdf, .csv or .xlsx file.", field="out")
    if not 2000 <= year <= 2100:
        raise ValidationError("Give the year as four digits, for example 2026.", field="year")
    if period not in PERIODS:
        raise ValidationError("The period is a calendar or a financial year.", field="period")

    return produce(ws, OUTPUT, [out],
                   lambda s, spec, proto: build(s, spec, proto, year, recipient, suffix, period),
                   render)
