"""Lay out one letter on A4: the council's letterhead and contact block, the recipient (or
"By hand"), reference and date, title, body, the officer's name and job title; every page
carries the protective marking and its number. Filled values are escaped before they reach
reportlab's markup, so nothing a user typed can change the layout."""

from __future__ import annotations

import base64
import binascii
import io
import re
from collections.abc import Mapping, Sequence
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    Image,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

MARKING = "OFFICIAL-SENSITIVE"


NBSP = "\u00a0"
_MONTHS = ("January|February|March|April|May|June|July|August|September|October|"
           "November|December")
# A telephone number ("01865 249811", "0300 123 4567"), a UK postcode ("OX1 1BX") or a
# date ("5 June 2025"): never broken across two lines.
_TOGETHER = re.compile(r"\b0\d{2,4}(?: \d{3,6}){1,2}\b|\b[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}\b"
                       rf"|\b\d{{1,2}} (?:{_MONTHS}) \d{{4}}\b")


def keep_together(text: str) -> str:
    """The text with the spaces inside telephone numbers and postcodes made
    non-breaking."""
    return _TOGETHER.sub(lambda m: m.group(0).replace(" ", NBSP), text)


def markup(text: str) -> str:
    """Escaped text with line breaks kept; telephone numbers and postcodes kept whole."""
    return "<br/>".join(escape(keep_together(line)) for line in text.splitlines())


def address_lines(address: str) -> str:
    """The council's address one part a line, as a letterhead prints it: a one-line
    setting ("Town Hall, St Aldate's, Oxford, OX1 1BX") is split at its commas, so a
    narrow contact block never breaks a postcode in two."""
    if "\n" in address:
        return address
    return "\n".join(part.strip() for part in address.split(",") if part.strip())


def _logo(encoded: str) -> Image | None:
    if not encoded:
        return None
    try:
        data = base64.b64decode(encoded, validate=True)
        image = Image(io.BytesIO(data))
    except (binascii.Error, ValueError, OSError):
        return None  # a bad logo setting never stops a letter
    ratio = image.imageHeight / max(image.imageWidth, 1)
    image.drawWidth, image.drawHeight = 35 * mm, 35 * mm * ratio
    return image


def render_pdf(title: str, fields: Mapping[str, str], body: str,
               notices: Sequence[str] = (),
               copies: Sequence[tuple[Mapping[str, str], Sequence[str]]] = ()) -> bytes:
    """The letter as PDF bytes. ``fields`` holds the standard fields (``organisation``,
    ``team_name``, ``reference``, ``date``, ``recipient_name``, ``recipient_address``) and,
    when known, ``council_address``, ``council_phone``, ``council_email``, ``logo``;
    ``notices`` are short paragraphs printed under the title (e.g. the copy to a parent).
    Each of ``copies`` (its own address block fields and notices) repeats the letter from
    a new page, for another recipient (a parent or guardian at another address)."""
    styles = getSampleStyleSheet()
    normal = ParagraphStyle("letter", parent=styles["Normal"], fontName="Helvetica",
                            fontSize=10.5, leading=14, spaceAfter=7)
    small = ParagraphStyle("small", parent=normal, fontSize=9.5, leading=12, spaceAfter=0)
    right = ParagraphStyle("right", parent=small, alignment=2)
    bold_right = ParagraphStyle("bold_right", parent=right, fontName="Helvetica-Bold",
                                fontSize=11.5, leading=14)
    heading = ParagraphStyle("heading", parent=normal, fontName="Helvetica-Bold",
                             fontSize=12.5, leading=16, spaceBefore=6, spaceAfter=10)
    notice = ParagraphStyle("notice", parent=normal, fontName="Helvetica-Oblique")
    sign_off = ParagraphStyle("sign_off", parent=normal, spaceAfter=26)
    parts = [p.strip() for p in body.split("\n\n") if p.strip()]

    def one_copy(block: Mapping[str, str], lines: Sequence[str]) -> list[object]:
        """The letter for the recipient whose name and address ``block`` holds."""
        contact = "\n".join(v for v in (
            address_lines(block.get("council_address", "")),
            f"Telephone: {block['council_phone']}" if block.get("council_phone") else "",
            f"E-mail: {block['council_email']}" if block.get("council_email") else "") if v)
        sender: list[object] = [Paragraph(escape(block["organisation"]), bold_right),
                                Paragraph(markup(f"{block['team_name']}\n{contact}"), right)]
        recipient = Paragraph(markup(f"{block['recipient_name']}\n"
                                     f"{block['recipient_address']}"), small)
        ref = Paragraph(markup(f"Our reference: {block['reference']}\n"
                               f"Date: {block['date']}"), right)
        logo = _logo(block.get("logo", ""))
        story: list[object] = []
        if logo is not None:
            logo.hAlign = "RIGHT"
            story.append(logo)
        top = Table([[recipient, [*sender, Spacer(1, 6 * mm), ref]]],
                    colWidths=[90 * mm, 80 * mm], hAlign="LEFT")
        top.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                                 ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                 ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
        story += [top, Spacer(1, 10 * mm), Paragraph(escape(title), heading)]
        story += [Paragraph(markup(n), notice) for n in lines]
        # new flowables for each copy: reportlab lays a flowable out in one place only
        return story + [Paragraph(markup(p), sign_off if p.startswith("Yours") else normal)
                        for p in parts]

    story = one_copy(fields, notices)
    for copy_fields, copy_notices in copies:
        story += [PageBreak(), *one_copy(copy_fields, copy_notices)]

    def decorate(canvas: object, doc: object) -> None:
        c = canvas  # reportlab's canvas (untyped)
        c.saveState()  # type: ignore[attr-defined]
        c.setFont("Helvetica-Bold", 8.5)  # type: ignore[attr-defined]
        width, height = A4
        c.drawCentredString(width / 2, height - 12 * mm, MARKING)  # type: ignore[attr-defined]
        c.setFont("Helvetica", 8.5)  # type: ignore[attr-defined]
        page = c.getPageNumber()  # type: ignore[attr-defined]
        c.drawCentredString(width / 2, 10 * mm,  # type: ignore[attr-defined]
                            f"{MARKING}  |  {fields['reference']}  |  Page {page}")
        c.restoreState()  # type: ignore[attr-defined]

    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm,
                            topMargin=22 * mm, bottomMargin=20 * mm,
                            title=f"{title} {fields['reference']}",
                            author=fields["organisation"], creator="casework")
    doc.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return out.getvalue()
