"""PDF rendering (reportlab) shared by the packs, the trigger return and the KPI report.

Every page carries the protective marking at the top and bottom, its number ("Page 2 of 5"),
and the recipient of that copy, with a faint diagonal watermark naming them. Every piece of
text that came from the database goes through ``safety.pdf_text`` first, so reportlab's
paragraph markup (<img>, <a>, <font>...) in it prints literally and fetches nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from casework.sharing.pipeline import Release
from casework.sharing.safety import pdf_text

MARK_RED = colors.HexColor("#B00020")
GRID = colors.HexColor("#9AA0A6")
HEAD_BG = colors.HexColor("#E8EAED")

_base = getSampleStyleSheet()
STYLES: dict[str, ParagraphStyle] = {
    "title": ParagraphStyle("title", parent=_base["Title"], fontSize=17, spaceAfter=4),
    "h1": ParagraphStyle("h1", parent=_base["Heading1"], fontSize=14, spaceBefore=8,
                         spaceAfter=4),
    "h2": ParagraphStyle("h2", parent=_base["Heading2"], fontSize=11.5, spaceBefore=6,
                         spaceAfter=3),
    "body": ParagraphStyle("body", parent=_base["BodyText"], fontSize=9.5, leading=12),
    "small": ParagraphStyle("small", parent=_base["BodyText"], fontSize=8, leading=10,
                            textColor=colors.HexColor("#444444")),
    "cell": ParagraphStyle("cell", parent=_base["BodyText"], fontSize=8.5, leading=10.5),
    "mark": ParagraphStyle("mark", parent=_base["BodyText"], fontSize=11, alignment=TA_CENTER,
                           textColor=MARK_RED, fontName="Helvetica-Bold"),
}


def p(value: Any, style: str = "body") -> Paragraph:
    """A paragraph of text from the data: escaped, never interpreted as markup."""
    return Paragraph(pdf_text(value), STYLES[style])


def label(text: str, style: str = "body") -> Paragraph:
    """A paragraph of our own fixed wording (may use <b>); never pass data here."""
    return Paragraph(text, STYLES[style])


def grid_table(header: Sequence[str], rows: Sequence[Sequence[Any]],
               widths: Sequence[float] | None = None) -> Table:
    """A ruled table; header labels are ours, cells are data (escaped)."""
    data = [[label(f"<b>{pdf_text(h)}</b>", "cell") for h in header]]
    data += [[p("" if c is None else c, "cell") for c in row] for row in rows]
    t = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    t.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.4, GRID),
        ("BACKGROUND", (0, 0), (-1, 0), HEAD_BG),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]))
    return t


def facts_table(pairs: Sequence[tuple[str, Any]], width: float = 170 * mm) -> Table:
    """Label / value pairs (labels are ours, values are data)."""
    data = [[label(f"<b>{pdf_text(k)}</b>", "cell"), p("" if v is None else v, "cell")]
            for k, v in pairs]
    t = Table(data, colWidths=[width * 0.3, width * 0.7], hAlign="LEFT")
    t.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.4, GRID),
        ("BACKGROUND", (0, 0), (0, -1), HEAD_BG),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]))
    return t


def bar_chart(title: str, labels: Sequence[str], values: Sequence[float],
              width: float = 170 * mm) -> Drawing:
    """A horizontal bar chart of published (already protected) figures."""
    height = 30 + 16 * max(1, len(values))
    d = Drawing(width, height + 20)
    d.add(String(0, height + 8, title, fontName="Helvetica-Bold", fontSize=9))
    chart = HorizontalBarChart()
    chart.x, chart.y = 120, 10
    chart.width, chart.height = width - 140, height - 10
    chart.data = [list(values) or [0]]
    chart.categoryAxis.categoryNames = [str(x)[:28] for x in labels] or [""]
    chart.categoryAxis.labels.fontSize = 7.5
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontSize = 7.5
    chart.bars[0].fillColor = colors.HexColor("#3F6FB5")
    chart.barLabelFormat = "%d"
    chart.barLabels.fontSize = 7
    chart.barLabels.nudge = 8
    d.add(chart)
    return d


def keep(*flowables: Flowable) -> KeepTogether:
    return KeepTogether(list(flowables))


def _canvas_class(release: Release) -> type[canvas.Canvas]:
    """A canvas that knows the page count before drawing each page's marks."""
    stamp = f"Copy for: {release.recipient}"
    small = (f"{release.title} | sharing protocol v{release.protocol_version} | produced "
             f"{release.produced_on.isoformat()} by {release.produced_by}")

    class MarkedCanvas(canvas.Canvas):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 - reportlab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._marks(total)
                super().showPage()
            super().save()

        def _marks(self, total: int) -> None:
            w, h = A4
            self.saveState()
            self.setFillColor(colors.Color(0.75, 0.1, 0.1, alpha=0.07))
            self.setFont("Helvetica-Bold", 34)
            self.translate(w / 2, h / 2)
            self.rotate(40)
            self.drawCentredString(0, 0, stamp[:60])
            self.restoreState()
            self.saveState()
            self.setFillColor(MARK_RED)
            self.setFont("Helvetica-Bold", 11)
            self.drawCentredString(w / 2, h - 12 * mm, release.marking)
            self.drawCentredString(w / 2, 8 * mm, release.marking)
            self.setFillColor(colors.black)
            self.setFont("Helvetica", 8)
            self.drawString(15 * mm, h - 18 * mm, stamp[:110])
            self.drawRightString(w - 15 * mm, h - 18 * mm,
                                 f"Page {self._pageNumber} of {total}")
            self.drawString(15 * mm, 14 * mm, small[:140])
            self.drawRightString(w - 15 * mm, 14 * mm, f"Page {self._pageNumber} of {total}")
            self.restoreState()

    return MarkedCanvas


def header_block(release: Release, subtitle: str) -> list[Flowable]:
    """Title, marking, recipient, purpose and lawful basis at the top of the first page
    (first of all, the warning of a protocol version confirmed weaker than the last)."""
    warning = [p(release.caveat, "h2")] if release.caveat else []
    return [
        *warning,
        p(release.title, "title"),
        p(subtitle, "h2"),
        facts_table([
            ("Protective marking", release.marking),
            ("Copy for", release.recipient),
            ("Purpose", release.purpose),
            ("Lawful basis", release.lawful_basis),
            ("Sharing protocol", f"version {release.protocol_version}"),
            ("Produced", f"{release.produced_on.isoformat()} by {release.produced_by}"),
        ]),
        label("Do not copy or forward. Return or destroy this copy after the meeting, as the "
              "information-sharing protocol requires.", "small"),
        Spacer(1, 4 * mm),
    ]


def write_pdf(path: Path, release: Release, story: Sequence[Flowable]) -> None:
    """Build the PDF with the marks on every page."""
    doc = SimpleDocTemplate(str(path), pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm,
                            topMargin=24 * mm, bottomMargin=22 * mm, title=release.title,
                            author="casework", subject=release.marking,
                            creator="casework", producer="casework")
    doc.build(list(story), canvasmaker=_canvas_class(release))


StoryFn = Callable[[Release], Sequence[Flowable]]


def fmt(value: Any) -> str:
    """A released value as a pack prints it: dates as 05 Mar 2026, booleans as yes/no."""
    if value is None or value == "":
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return value.strftime("%d %b %Y")
    return str(value).replace("_", " ")
