"""The subject access export as a PDF for the reviewer: every value held, other people's
details marked ``[REDACT: third party]`` and highlighted. All user text is escaped."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

if TYPE_CHECKING:
    from casework.safeguards.sar import Field, Record, SubjectAccessPack

MARKER = "[REDACT: third party]"


MARKING = "OFFICIAL-SENSITIVE"
HIGHLIGHT = "#ffd54f"


def _label(name: str) -> str:
    return name.replace("_", " ")


def _marked(text: str, spans: tuple[tuple[int, int], ...]) -> str:
    out, pos = [], 0
    for start, end in spans:
        out.append(escape(text[pos:start]))
        out.append(f'<font backColor="{HIGHLIGHT}">{escape(MARKER)} '
                   f"{escape(text[start:end])}</font>")
        pos = end
    out.append(escape(text[pos:]))
    return "".join(out).replace("\n", "<br/>")


def _cell(f: Field) -> str:
    if f.third_party:
        return f'<font backColor="{HIGHLIGHT}">{escape(MARKER)} {escape(str(f.value))}</font>'
    if f.value is None or f.value == "":
        return "-"
    if isinstance(f.value, str):
        return _marked(f.value, f.spans)
    return escape(str(f.value))


def _record(rec: Record, styles: Any) -> list[Any]:
    """A record as a heading and one paragraph per field (paragraphs split across pages;
    table rows cannot, and long notes made tables slow and fragile)."""
    flow: list[Any] = [Paragraph(escape(_label(rec.table)), styles["Heading4"])]
    flow += [Paragraph(f"<b>{escape(_label(f.name))}:</b> {_cell(f)}", styles["field"])
             for f in rec.fields]
    flow.append(Spacer(1, 2 * mm))
    return flow


def render_pdf(pack: SubjectAccessPack) -> bytes:
    """The whole pack as PDF bytes (written atomically by the caller)."""
    styles = getSampleStyleSheet()
    body = styles["BodyText"]
    styles.add(ParagraphStyle("field", parent=body, leftIndent=4 * mm, spaceAfter=1))
    story: list[Any] = [
        Paragraph("Subject access request: information held", styles["Title"]),
        Paragraph(escape(f"Person {pack.person_id}. Request received "
                         f"{pack.received_on:%d %B %Y}; reply due {pack.due_on:%d %B %Y}. "
                         f"Gathered {pack.generated_at:%d %B %Y %H:%M} UTC."), body),
        Paragraph(escape(f"Draft for review: {pack.marks} value(s) are other people's "
                         f"details, marked {MARKER}. Redact them before disclosure."), body),
        Spacer(1, 6 * mm),
        Paragraph("The person's own record", styles["Heading2"]),
    ]
    for rec in pack.subject:
        story += _record(rec, styles)
    for case in pack.cases:
        story.append(Paragraph(escape(f"Case {case.reference} ({case.case_type})"),
                               styles["Heading2"]))
        for rec in case.records:
            story += _record(rec, styles)
    if not pack.cases:
        story.append(Paragraph("No case refers to this person.", body))

    def decorate(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica-Bold", 9)
        canvas.drawCentredString(A4[0] / 2, A4[1] - 12 * mm, MARKING)
        canvas.setFont("Helvetica", 8)
        canvas.drawCentredString(A4[0] / 2, 10 * mm,
                                 f"{MARKING} - subject access, person {pack.person_id} - "
                                 f"page {doc.page}")
        canvas.restoreState()

    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, title="Subject access request",
                            topMargin=20 * mm, bottomMargin=18 * mm)
    doc.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buf.getvalue()
