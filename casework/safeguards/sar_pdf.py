"""The subject access export as PDF, for a reader: the person's own details, then a
section per case with plain labels. Two copies are made from the same pack:

- the redacted copy, for disclosure: every value marked as another person's detail is
  replaced by a black bar (the text itself is not in the file);
- the review copy, for the officer: the same values highlighted with ``[REDACT: third
  party]`` so the redaction can be checked before anything is sent.

All user text is escaped."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer

if TYPE_CHECKING:
    from casework.safeguards.sar import Field, Record, SubjectAccessPack

MARKER = "[REDACT: third party]"
MARKING = "OFFICIAL-SENSITIVE"
HIGHLIGHT = "#ffd54f"
BAR = '<font backColor="#000000" color="#ffffff">&nbsp;redacted&nbsp;</font>'


def _marked(text: str, spans: tuple[tuple[int, int], ...], redacted: bool) -> str:
    out, pos = [], 0
    for start, end in spans:
        out.append(escape(text[pos:start]))
        if redacted:
            out.append(BAR)
        else:
            out.append(f'<font backColor="{HIGHLIGHT}">{escape(MARKER)} '
                       f"{escape(text[start:end])}</font>")
        pos = end
    out.append(escape(text[pos:]))
    return "".join(out).replace("\n", "<br/>")


def _cell(f: Field, redacted: bool) -> str:
    if f.third_party:
        if redacted:
            return BAR
        return f'<font backColor="{HIGHLIGHT}">{escape(MARKER)} {escape(str(f.value))}</font>'
    if isinstance(f.value, str):
        return _marked(f.value, f.spans, redacted)
    return escape(str(f.value))


def _record(rec: Record, styles: Any, redacted: bool) -> list[Any]:
    """A record as a heading and one line per value (paragraphs split across pages)."""
    lines = [Paragraph(f"<b>{escape(f.label or f.name)}:</b> {_cell(f, redacted)}",
                       styles["field"]) for f in rec.fields]
    head = Paragraph(escape(rec.title or rec.table), styles["Heading4"])
    flow: list[Any] = [KeepTogether([head, *lines[:3]]), *lines[3:]]
    flow.append(Spacer(1, 2 * mm))
    return flow


def render_pdf(pack: SubjectAccessPack, redacted: bool = True) -> bytes:
    """The pack as PDF bytes (written atomically by the caller): the redacted copy for
    disclosure, or (``redacted=False``) the review copy."""
    styles = getSampleStyleSheet()
    body = styles["BodyText"]
    styles.add(ParagraphStyle("field", parent=body, leftIndent=4 * mm, spaceAfter=1))
    copy = "Copy for disclosure" if redacted else "Review copy: not for disclosure"
    if redacted:
        note = (f"Other people's details ({pack.marks} item(s)) have been removed from this "
                "copy and are shown as black bars.")
    else:
        note = (f"{pack.marks} item(s) are other people's details, highlighted and marked "
                f"{MARKER}. They are blacked out in the copy for disclosure: check each "
                "one before it is sent.")
    story: list[Any] = [
        Paragraph("Information we hold about you", styles["Title"]),
        Paragraph(f"<b>{escape(copy)}</b>", body),
        Paragraph(escape(f"Request received {pack.received_on:%d %B %Y}; reply due "
                         f"{pack.due_on:%d %B %Y}. Gathered "
                         f"{pack.generated_at:%d %B %Y %H:%M} UTC."), body),
        Paragraph(escape(note), body),
        Spacer(1, 6 * mm),
        Paragraph("Your details", styles["Heading2"]),
    ]
    for rec in pack.subject:
        story += _record(rec, styles, redacted)
    for case in pack.cases:
        story.append(Paragraph(escape(case.title), styles["Heading2"]))
        for rec in case.records:
            story += _record(rec, styles, redacted)
    if not pack.cases:
        story.append(Paragraph("No case refers to you.", body))
    footer = f"{MARKING} - subject access - {copy.split(':')[0].lower()}"

    def decorate(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica-Bold", 9)
        canvas.drawCentredString(A4[0] / 2, A4[1] - 12 * mm, MARKING)
        canvas.setFont("Helvetica", 8)
        canvas.drawCentredString(A4[0] / 2, 10 * mm, f"{footer} - page {doc.page}")
        canvas.restoreState()

    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, title="Subject access request",
                            topMargin=20 * mm, bottomMargin=18 * mm)
    doc.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buf.getvalue()
