"""Letters generated from templates and kept with the case as PDF documents.

A template is a text file ``resources/letters/<key>.txt``: header lines ``name: value``
(``title`` is required), a blank line, then the body with ``$placeholders``
(``string.Template``). Paragraphs are separated by blank lines. Every letter gets the
standard fields below; a caller adds its own with ``extra_fields`` (see
``template_fields(key)`` for what a template needs). Filled values are escaped before
they reach reportlab's markup, so nothing a user typed can change the layout.

Letters go to a person linked to the case (name and address are correct here: it is a
letter to them). Each one is stored with ``cases.store_document`` (kind ``letter``).
"""

from __future__ import annotations

import io
import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.cases.lifecycle import DocumentView, load_case, store_document
from casework.cases.links import person_links
from casework.core import audit, clock, resources
from casework.core.context import Workspace
from casework.core.errors import NotFound, ValidationError
from casework.core.permissions import require
from db.models import AsbDetail, Case, CaseParty, Document, Person, TriggerApplication, User

ORGANISATION = "Community Safety Partnership"
MARKING = "OFFICIAL-SENSITIVE"
TEAM_NAMES = {"asb": "Anti-social Behaviour Team", "trigger": "Community Trigger Team",
              "sanctuary": "Sanctuary Scheme", "swip": "Sex Workers Intervention Panel",
              "mart": "Anti-Slavery Multi-Agency Response Team"}
STANDARD_FIELDS = frozenset({"reference", "date", "recipient_name", "recipient_address",
                             "officer_name", "team_name", "organisation"})


@dataclass(frozen=True)
class LetterTemplate:
    key: str
    title: str
    body: string.Template


def letter_date(day: date) -> str:
    """``3 March 2025``: the date as a letter shows it."""
    return f"{day.day} {day:%B %Y}"


def load_template(key: str) -> LetterTemplate:
    """Read ``resources/letters/<key>.txt``; NotFound if there is none."""
    if not key.replace("_", "").isalnum():
        raise NotFound("No such letter template.")
    if f"{key}.txt" not in resources.names("letters", ".txt"):
        raise NotFound("No such letter template.")
    head, _, body = resources.read_text(f"letters/{key}.txt").partition("\n\n")
    meta = dict(line.split(":", 1) for line in head.splitlines() if ":" in line)
    return LetterTemplate(key, meta.get("title", key).strip(), string.Template(body.strip()))


def template_keys() -> list[str]:
    """Every template available."""
    return [name.removesuffix(".txt") for name in resources.names("letters", ".txt")]


def template_fields(key: str) -> frozenset[str]:
    """The placeholders a template uses (the standard fields are always filled)."""
    return frozenset(load_template(key).body.get_identifiers())


def fill(template: LetterTemplate, fields: Mapping[str, str]) -> str:
    """The body with every placeholder filled; ValidationError names missing fields."""
    missing = sorted(set(template.body.get_identifiers()) - set(fields))
    if missing:
        raise ValidationError("The letter needs: " + ", ".join(missing) + ".",
                              field="extra_fields")
    return template.body.substitute(fields)


def _markup(text: str) -> str:
    return "<br/>".join(escape(line) for line in text.splitlines())


def render_pdf(title: str, fields: Mapping[str, str], body: str) -> bytes:
    """Lay out one letter on A4: sender block, recipient, reference and date, title, body;
    every page carries the protective marking and its number."""
    styles = getSampleStyleSheet()
    normal = ParagraphStyle("letter", parent=styles["Normal"], fontName="Helvetica",
                            fontSize=10.5, leading=14, spaceAfter=7)
    small = ParagraphStyle("small", parent=normal, fontSize=9.5, leading=12, spaceAfter=0)
    right = ParagraphStyle("right", parent=small, alignment=2)
    heading = ParagraphStyle("heading", parent=normal, fontName="Helvetica-Bold",
                             fontSize=12.5, leading=16, spaceBefore=6, spaceAfter=10)
    sender = Paragraph(_markup(f"{fields['organisation']}\n{fields['team_name']}"), right)
    recipient = Paragraph(_markup(f"{fields['recipient_name']}\n"
                                  f"{fields['recipient_address']}"), small)
    ref = Paragraph(_markup(f"Our reference: {fields['reference']}\n"
                            f"Date: {fields['date']}"), right)
    top = Table([[recipient, [sender, Spacer(1, 6 * mm), ref]]],
                colWidths=[90 * mm, 75 * mm], hAlign="LEFT")
    top.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                             ("LEFTPADDING", (0, 0), (-1, -1), 0),
                             ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    story = [top, Spacer(1, 12 * mm), Paragraph(escape(title), heading)]
    sign_off = ParagraphStyle("sign_off", parent=normal, spaceAfter=26)
    story += [Paragraph(_markup(p.strip()), sign_off if p.strip().startswith("Yours") else normal)
              for p in body.split("\n\n") if p.strip()]

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
                            title=f"{title} {fields['reference']}", author=ORGANISATION,
                            creator="casework")
    doc.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return out.getvalue()


def default_recipient(session: Session, case: Case) -> int | None:
    """The ASB subject, the Community Trigger applicant, else the first complainant."""
    if case.case_type == "asb":
        detail = session.get(AsbDetail, case.id)
        if detail is not None and detail.subject_person_id is not None:
            return detail.subject_person_id
    if case.case_type == "trigger":
        app = session.get(TriggerApplication, case.id)
        if app is not None and app.applicant_person_id is not None:
            return app.applicant_person_id
    return session.scalar(select(CaseParty.person_id).where(
        CaseParty.case_id == case.id, CaseParty.role.in_(("complainant", "victim")))
        .order_by(CaseParty.id).limit(1))


def standard_fields(ws: Workspace, session: Session, case: Case, person: Person,
                    on: date) -> dict[str, str]:
    """Reference, date, recipient name and address, officer and team."""
    current = next((pa.address for pa in person.addresses if pa.current), None)
    lines = ([current.line1, current.line2, current.town, current.postcode]
             if current is not None else [])
    officer = session.get(User, ws.actor.user_id) if ws.actor.user_id is not None else None
    return {
        "reference": case.reference,
        "date": letter_date(on),
        "recipient_name": f"{person.given_name} {person.family_name}".strip(),
        "recipient_address": "\n".join(line for line in lines if line.strip()),
        "officer_name": officer.display_name if officer is not None else ORGANISATION,
        "team_name": TEAM_NAMES.get(case.case_type, ORGANISATION),
        "organisation": ORGANISATION,
    }


def issue_letter_in(ws: Workspace, session: Session, case: Case, template_key: str,
                    extra_fields: Mapping[str, str] | None = None,
                    recipient_person_id: int | None = None,
                    on: date | None = None) -> Document:
    """Generate a letter and keep it with the case, inside the caller's unit of work."""
    template = load_template(template_key)
    pid = recipient_person_id if recipient_person_id is not None \
        else default_recipient(session, case)
    if pid is None:
        raise ValidationError("Record who the letter is to first.", field="recipient")
    if not any(cid == case.id for cid, _role in person_links(session, pid)):
        raise ValidationError("The recipient is not linked to this case.", field="recipient")
    person = session.get(Person, pid)
    if person is None or person.anonymised:
        raise ValidationError("The recipient's record is not available.", field="recipient")
    fields = standard_fields(ws, session, case, person, on or clock.today())
    fields.update({k: str(v) for k, v in (extra_fields or {}).items()})
    pdf = render_pdf(template.title, fields, fill(template, fields))
    doc = store_document(ws, session, case, "letter",
                         f"{template.title} ({letter_date(on or clock.today())})", pdf)
    audit.record(ws, session, "letter.generate", "case", case.id,
                 detail={"document": doc.id, "template": template_key, "recipient": pid})
    return doc


def document_view(doc: Document) -> DocumentView:
    return DocumentView(doc.id, doc.kind, doc.title,
                        doc.created_at.isoformat(timespec="seconds"), doc.size, doc.sha256)


def generate_letter(ws: Workspace, case_id: int, template_key: str,
                    extra_fields: Mapping[str, str] | None = None,
                    recipient_person_id: int | None = None,
                    on: date | None = None) -> DocumentView:
    """Produce a letter from ``resources/letters/<template_key>.txt`` for a case and keep
    it with the case. The recipient defaults to the ASB subject, the Community Trigger
    applicant or the first complainant; ``on`` is the letter's date (default today)."""
    require(ws.actor, "letter.generate")
    require(ws.actor, "case.write")
    with ws.uow() as session:
        case = load_case(ws, session, case_id)
        return document_view(issue_letter_in(ws, session, case, template_key, extra_fields,
                                             recipient_person_id, on))
