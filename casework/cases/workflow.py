"""Small helpers the workflow modules share (trigger, panels, mart, sanctuary)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.cases import letters
from casework.cases.lifecycle import DocumentView, add_task
from casework.core import audit, clock
from casework.core.context import Workspace
from casework.core.errors import NotFound, ValidationError
from casework.core.permissions import require
from db.models import AsbDetail, Case, CaseParty, Person
from db.models.cases import PARTY_ROLES


def link_person(ws: Workspace, session: Session, case: Case, person_id: int, role: str,
                agency: str = "") -> CaseParty:
    """Link an existing person to a case as a party, in the caller's unit of work (audited).
    Linking the same person in the same role again returns the existing party. Callers that
    must also check the actor may see the person do that first (``people.require_person``)."""
    if role not in PARTY_ROLES:
        raise ValidationError("Unknown party role.", field="role")
    person = session.get(Person, person_id)
    if person is None or person.anonymised:
        raise NotFound("No such person.")
    if person.merged_into_id is not None:
        raise ValidationError("This record was merged; link the surviving record.",
                              field="person_id")
    existing = session.scalar(select(CaseParty).where(
        CaseParty.case_id == case.id, CaseParty.person_id == person_id, CaseParty.role == role,
        CaseParty.ended_on.is_(None)))
    if existing is not None:
        return existing
    party = CaseParty(case_id=case.id, person_id=person_id, role=role, agency=agency.strip())
    session.add(party)
    session.flush()
    audit.record(ws, session, "party.add", "case", case.id,
                 detail={"person": person_id, "role": role})
    sync_asb_subject(ws, session, case)
    return party


def sync_asb_subject(ws: Workspace, session: Session, case: Case,
                     prefer: int | None = None) -> int | None:
    """Keep an ASB case's subject a current perpetrator party: ``prefer`` (a perpetrator)
    becomes the subject; a subject whose perpetrator role ended or changed is replaced by
    the earliest current perpetrator (or none). Audited ``asb.subject`` when it changes;
    returns the subject's person id. Letters and the ladder's age rules read the subject."""
    if case.case_type != "asb":
        return None
    detail = session.get(AsbDetail, case.id)
    if detail is None:
        return None
    current = list(session.scalars(select(CaseParty.person_id).where(
        CaseParty.case_id == case.id, CaseParty.role == "perpetrator",
        CaseParty.ended_on.is_(None)).order_by(CaseParty.id)))
    subject = detail.subject_person_id
    # a subject recorded without a party row (older data, imports) stays the subject
    unlinked = subject is not None and session.scalar(select(CaseParty.id).where(
        CaseParty.case_id == case.id, CaseParty.person_id == subject).limit(1)) is None
    if prefer is not None and prefer in current:
        subject = prefer
    elif subject not in current and not unlinked:
        subject = current[0] if current else None
    if subject != detail.subject_person_id:
        detail.subject_person_id = subject
        audit.record(ws, session, "asb.subject", "case", case.id,
                     detail={"person": subject})
    return subject


def check_date(day: date, earliest: date | None, field: str) -> None:
    """A milestone date is neither before ``earliest`` nor in the future."""
    if earliest is not None and day < earliest:
        raise ValidationError("That date is before the earlier step it follows.", field=field)
    if day > clock.today():
        raise ValidationError("That date is in the future.", field=field)


def require_open(case: Case) -> None:
    """Refuse changes to a closed case."""
    if case.status == "closed":
        raise ValidationError("The case is closed.", field="status")


def milestone_letter(ws: Workspace, session: Session, case: Case, template_key: str,
                     fields: Mapping[str, str], on: date) -> DocumentView | None:
    """The letter a milestone produces, generated and kept with the case in the caller's
    unit of work (so the milestone and its letter are saved together or not at all).
    When the recipient has no address the milestone still stands but no letter is made
    with a blank address: a task due today says the letter is held (audited
    ``letter.held``); None is returned."""
    require(ws.actor, "letter.generate")
    try:
        doc = letters.issue_letter_in(ws, session, case, template_key, fields, on=on)
    except ValidationError as exc:
        if exc.field != "recipient_address":
            raise
        title = letters.load_template(template_key, session).title
        add_task(session, case, "letter_held",
                 f"Letter held, no address: record the address, then issue “{title}”"[:200],
                 clock.today())
        audit.record(ws, session, "letter.held", "case", case.id,
                     detail={"template": template_key})
        return None
    return letters.document_view(doc)


class SafeRepr:
    """A ``repr`` for read models that shows identifiers only: never a name, a date of
    birth or free text (use with ``@dataclass(frozen=True, repr=False)``)."""

    def __repr__(self) -> str:
        names = getattr(self, "__dataclass_fields__", {})
        shown = [f"{n}={getattr(self, n)!r}" for n in names if n == "id" or n.endswith("_id")]
        header = getattr(self, "header", None)
        if header is not None:
            shown.insert(0, f"case_id={header.id!r}")
        return f"{type(self).__name__}({', '.join(shown)})"
