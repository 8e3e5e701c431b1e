"""Letters generated from templates and kept with the case as PDF documents.

A template is a text file ``resources/letters/<key>.txt``: header lines ``name: value``
(``title`` is required), a blank line, then the body with ``$placeholders``
(``string.Template``). An administrator may edit a template: each edit is a new version
kept in the database (``letter_templates.save_template``), and the newest version is used;
a letter's document names the template and version it was made from. Paragraphs are
separated by blank lines. Every letter gets the standard fields below (the council's
letterhead and contact block from the setting ``letters.letterhead``, the officer's name
and job title); a caller adds its own with ``extra_fields``.

Letters go to a person linked to the case. A recipient under 18 on the letter's date gets
the ``<key>_youth`` wording where there is one, and the letter is addressed also to their
parent or guardian (a ``guardian`` party of the case when recorded); a guardian living at
another address gets their own copy in the same document, addressed to them there
(``guardian_copy``). A letter needs the
recipient's current address, unless hand delivery is chosen on purpose. ``preview_letter``
renders without keeping; ``issue_letter_in`` keeps it (``cases.store_document``, kind
``letter``).
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.cases.letter_render import MARKING as MARKING
from casework.cases.letter_render import render_pdf as render_pdf
from casework.cases.letter_rules import STANDARD
from casework.cases.lifecycle import DocumentView, load_case, store_document
from casework.cases.links import person_links
from casework.core import audit, clock, resources, settings
from casework.core.context import Workspace
from casework.core.errors import NotFound, ValidationError
from casework.core.permissions import require
from db.models import (
    AsbDetail,
    Case,
    CaseParty,
    Document,
    LetterTemplateVersion,
    Person,
    TriggerApplication,
    User,
)

ORGANISATION = "Community Safety Partnership"
ADULT_AGE = 18
DELIVERIES = ("post", "hand")
DEFAULT_JOB_TITLE = "Case Officer"
TEAM_NAMES = {"asb": "Anti-social Behaviour Team", "trigger": "Community Trigger Team",
              "sanctuary": "Sanctuary Scheme", "swip": "Sex Workers Intervention Panel",
              "mart": "Anti-Slavery Multi-Agency Response Team"}
STANDARD_FIELDS = frozenset(STANDARD)


@dataclass(frozen=True)
class LetterTemplate:
    key: str
    title: str
    body: string.Template
    version: int = 0  # 0: the packaged text


def letter_date(day: date) -> str:
    """``3 March 2025``: the date as a letter shows it."""
    return f"{day.day} {day:%B %Y}"


def parse_template(key: str, text: str, version: int = 0) -> LetterTemplate:
    """A template from its text (header lines, a blank line, the body)."""
    head, _, body = text.replace("\r\n", "\n").partition("\n\n")
    meta = dict(line.split(":", 1) for line in head.splitlines() if ":" in line)
    return LetterTemplate(key, meta.get("title", key).strip(), string.Template(body.strip()),
                          version)


def packaged_text(key: str) -> str:
    """The packaged text of ``resources/letters/<key>.txt``; NotFound if there is none."""
    if not key.replace("_", "").isalnum():
        raise NotFound("No such letter template.")
    if f"{key}.txt" not in resources.names("letters", ".txt"):
        raise NotFound("No such letter template.")
    return resources.read_text(f"letters/{key}.txt")


def _newest(session: Session, key: str) -> LetterTemplateVersion | None:
    return session.scalar(select(LetterTemplateVersion).where(LetterTemplateVersion.key == key)
                          .order_by(LetterTemplateVersion.version.desc()).limit(1))


def load_template(key: str, session: Session | None = None) -> LetterTemplate:
    """The template ``key``: the newest saved version when a session is given and one
    exists, else the packaged file. NotFound if there is none."""
    text = packaged_text(key)
    if session is not None and (row := _newest(session, key)) is not None:
        return parse_template(key, row.text, row.version)
    return parse_template(key, text)


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


def age_on(born: date, day: date) -> int:
    """Whole years of age on ``day``."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def is_minor(person: Person, on: date) -> bool:
    """True when the person is under 18 on ``on`` (unknown date of birth: not a minor)."""
    return person.date_of_birth is not None and age_on(person.date_of_birth, on) < ADULT_AGE


def _name(person: Person) -> str:
    return f"{person.given_name} {person.family_name}".strip()


def guardian_of(session: Session, case: Case) -> Person | None:
    """The case's current ``guardian`` party, if one is recorded."""
    pid = session.scalar(select(CaseParty.person_id).where(
        CaseParty.case_id == case.id, CaseParty.role == "guardian",
        CaseParty.ended_on.is_(None)).order_by(CaseParty.id).limit(1))
    return session.get(Person, pid) if pid is not None else None


def current_address(person: Person) -> str:
    """The person's current address, one part a line ("" when none is recorded)."""
    current = next((pa.address for pa in person.addresses if pa.current), None)
    lines = ([current.line1, current.line2, current.town, current.postcode]
             if current is not None else [])
    return "\n".join(line.strip() for line in lines if line and line.strip())


def _same_address(a: str, b: str) -> bool:
    def norm(text: str) -> str:
        return " ".join(text.replace(",", " ").split()).casefold()
    return norm(a) == norm(b)


def guardian_copy(session: Session, case: Case, fields: Mapping[str, str],
                  delivery: str) -> tuple[dict[str, str], list[str]] | None:
    """The copy of a youth letter for the parent or guardian at their own address: its
    address block and the notice under its title. None when no guardian is recorded, the
    letter goes by hand, or the guardian lives at the young person's address (or has no
    address of their own recorded): the one letter is then addressed to both."""
    guardian = guardian_of(session, case)
    if guardian is None or delivery == "hand":
        return None
    address = current_address(guardian)
    if not address or _same_address(address, fields["recipient_address"]):
        return None
    child = fields["recipient_name"]
    block = {**fields, "recipient_name": f"{_name(guardian)}\nParent or guardian of {child}",
             "recipient_address": address}
    return block, [f"Copy for {_name(guardian)}, as the parent or guardian of {child}, who "
                   f"is under 18. The same letter has been sent to {child} at their own "
                   "address. Please read it with them."]


def letterhead(session: Session) -> dict[str, str]:
    """The council's name and contact block from the setting ``letters.letterhead``."""
    value = settings.get(session, settings.LETTERHEAD)
    default = settings.SPECS[settings.LETTERHEAD].default
    merged = {k: str(value.get(k, default[k]) or "") for k in default}
    return {"organisation": merged["council_name"] or ORGANISATION,
            "council_address": merged["address"], "council_phone": merged["phone"],
            "council_email": merged["email"], "magistrates_court": merged["magistrates_court"],
            "logo": merged["logo_png_base64"]}


def standard_fields(ws: Workspace, session: Session, case: Case, person: Person,
                    on: date, delivery: str = "post") -> dict[str, str]:
    """Reference, date, recipient name and address (or "By hand"), the officer's name and
    job title, team, and the council's letterhead. ValidationError (``recipient_address``)
    when the recipient has no current address and the letter is to be posted."""
    if delivery not in DELIVERIES:
        raise ValidationError("Choose post or hand delivery.", field="delivery")
    address = current_address(person)
    if delivery == "hand":
        address = "By hand"
    elif not address:
        raise ValidationError("The recipient has no current address. Record their address, "
                              "or choose hand delivery.", field="recipient_address")
    officer = session.get(User, ws.actor.user_id) if ws.actor.user_id is not None else None
    name = _name(person)
    minor = is_minor(person, on)
    guardian = guardian_of(session, case) if minor else None
    if minor:
        name += "\nand their parent or guardian" + (f", {_name(guardian)}" if guardian else "")
    return {
        "reference": case.reference,
        "date": letter_date(on),
        "recipient_name": _name(person),
        "recipient_block": name,
        "recipient_address": address,
        "parent_or_guardian": _name(guardian) if guardian is not None else "parent or guardian",
        "officer_name": officer.display_name if officer is not None else ORGANISATION,
        "officer_title": (officer.job_title if officer is not None and officer.job_title
                          else DEFAULT_JOB_TITLE),
        "team_name": TEAM_NAMES.get(case.case_type, ORGANISATION),
        **letterhead(session),
    }


@dataclass(frozen=True)
class LetterDraft:
    """A letter ready to issue: its title, the PDF, and to whom (an id, never a name)."""

    template_key: str
    title: str
    pdf: bytes
    recipient_person_id: int
    youth_wording: bool
    template_version: int
    template_used: str = ""  # the key whose wording was used (``cpn_youth`` for a minor)
    guardian_copy: bool = False  # a copy follows for a guardian at another address

    def __repr__(self) -> str:
        return f"LetterDraft({self.template_key!r}, recipient={self.recipient_person_id})"


def draft_letter(ws: Workspace, session: Session, case: Case, template_key: str,
                 extra_fields: Mapping[str, str] | None = None,
                 recipient_person_id: int | None = None, on: date | None = None,
                 delivery: str = "post") -> LetterDraft:
    """Fill and lay out a letter (not kept): the checks of ``issue_letter_in``."""
    day = on or clock.today()
    pid = recipient_person_id if recipient_person_id is not None \
        else default_recipient(session, case)
    if pid is None:
        raise ValidationError("Record who the letter is to first.", field="recipient")
    if not any(cid == case.id for cid, _role in person_links(session, pid)):
        raise ValidationError("The recipient is not linked to this case.", field="recipient")
    person = session.get(Person, pid)
    if person is None or person.anonymised:
        raise ValidationError("The recipient's record is not available.", field="recipient")
    fields = standard_fields(ws, session, case, person, day, delivery)
    fields.update({k: str(v) for k, v in (extra_fields or {}).items()})
    youth = is_minor(person, day)
    key = template_key
    if youth and f"{template_key}_youth" in template_keys():
        key = f"{template_key}_youth"
    template = load_template(key, session)
    notices = ([f"This letter is to {fields['recipient_name']}, who is under 18, and to "
                "their parent or guardian. Please read it together."] if youth else [])
    block = {**fields, "recipient_name": fields["recipient_block"]}
    copy = guardian_copy(session, case, fields, delivery) if youth else None
    if copy is not None:  # the young person's copy names the guardian's separate copy
        block["recipient_name"] = fields["recipient_name"]
        notices = [f"This letter is to {fields['recipient_name']}, who is under 18. A copy "
                   f"has been sent to their parent or guardian, {fields['parent_or_guardian']}"
                   ". Please read it together."]
    pdf = render_pdf(template.title, block, fill(template, fields), notices,
                     copies=[copy] if copy is not None else ())
    return LetterDraft(template_key, template.title, pdf, pid, youth, template.version, key,
                       guardian_copy=copy is not None)


def preview_letter(ws: Workspace, case_id: int, template_key: str,
                   extra_fields: Mapping[str, str] | None = None,
                   recipient_person_id: int | None = None, on: date | None = None,
                   delivery: str = "post") -> LetterDraft:
    """The letter as it would be issued, not kept (audited ``letter.preview``)."""
    require(ws.actor, "letter.generate")
    with ws.uow() as session:
        case = load_case(ws, session, case_id)
        draft = draft_letter(ws, session, case, template_key, extra_fields,
                             recipient_person_id, on, delivery)
        audit.record(ws, session, "letter.preview", "case", case.id,
                     detail={"template": template_key, "recipient": draft.recipient_person_id})
        return draft


def issue_letter_in(ws: Workspace, session: Session, case: Case, template_key: str,
                    extra_fields: Mapping[str, str] | None = None,
                    recipient_person_id: int | None = None,
                    on: date | None = None, delivery: str = "post") -> Document:
    """Generate a letter and keep it with the case, inside the caller's unit of work."""
    draft = draft_letter(ws, session, case, template_key, extra_fields, recipient_person_id,
                         on, delivery)
    doc = store_document(ws, session, case, "letter",
                         f"{draft.title} ({letter_date(on or clock.today())})", draft.pdf,
                         template=(draft.template_used, draft.template_version))
    audit.record(ws, session, "letter.generate", "case", case.id,
                 detail={"document": doc.id, "template": template_key,
                         "recipient": draft.recipient_person_id, "delivery": delivery,
                         "version": draft.template_version, "youth": draft.youth_wording,
                         "guardian_copy": draft.guardian_copy})
    return doc


def document_view(doc: Document) -> DocumentView:
    return DocumentView(doc.id, doc.kind, doc.title,
                        doc.created_at.isoformat(timespec="seconds"), doc.size, doc.sha256,
                        doc.template_key, doc.template_version)


def generate_letter(ws: Workspace, case_id: int, template_key: str,
                    extra_fields: Mapping[str, str] | None = None,
                    recipient_person_id: int | None = None,
                    on: date | None = None, delivery: str = "post") -> DocumentView:
    """Produce a letter from its template for a case and keep it with the case. The
    recipient defaults to the ASB subject, the Community Trigger applicant or the first
    complainant; ``on`` is the letter's date (default today); ``delivery`` is ``post``
    (needs an address) or ``hand``."""
    require(ws.actor, "letter.generate")
    require(ws.actor, "case.write")
    with ws.uow() as session:
        case = load_case(ws, session, case_id)
        return document_view(issue_letter_in(ws, session, case, template_key, extra_fields,
                                             recipient_person_id, on, delivery))

