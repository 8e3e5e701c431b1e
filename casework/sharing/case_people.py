"""The people on a case, gathered only so that their identifiers can be scrubbed from
shareable text in an output."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.sharing.rules import identifier_terms
from db.models import CaseParty, Person


def person_terms(person: Person) -> list[str]:
    lines = [x for pa in person.addresses
             for x in (pa.address.line1, pa.address.line2, pa.address.postcode)]
    return identifier_terms(person.given_name, person.family_name,
                            [a.alias for a in person.aliases], person.phone, person.email,
                            lines, person.date_of_birth)


def case_people(session: Session, case_id: int) -> tuple[Person | None, list[str]]:
    """The case's principal person (first victim or complainant) and the identifiers of
    everyone on the case, for scrubbing."""
    parties = session.execute(
        select(CaseParty.role, Person).join(Person, Person.id == CaseParty.person_id)
        .where(CaseParty.case_id == case_id).order_by(CaseParty.id)).all()
    principal = next((p for role, p in parties if role in ("victim", "complainant")), None)
    if principal is None and parties:
        principal = parties[0][1]
    terms = [t for _r, p in parties for t in person_terms(p)]
    return principal, terms
