"""Where a person is linked to cases: party rows plus the person columns of case details.

Every case type records parties in ``case_parties``; some detail tables also point at a
person directly (the ASB subject, an incident's reporter, a Community Trigger applicant
or complainant). A person's cases, visibility and merge all use this one list.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute, Session

from db.models import AsbDetail, CaseParty, Incident, TriggerApplication, TriggerComplaint

# (detail model, its person column); _LINK_ROLES gives the role each implies
LINK_COLUMNS: tuple[tuple[type[Any], InstrumentedAttribute[int | None]], ...] = (
    (AsbDetail, AsbDetail.subject_person_id),
    (Incident, Incident.reporter_person_id),
    (TriggerApplication, TriggerApplication.applicant_person_id),
    (TriggerComplaint, TriggerComplaint.complainant_person_id),
)
_LINK_ROLES = ("perpetrator", "complainant", "applicant", "complainant")


def person_links(session: Session, person_id: int) -> set[tuple[int, str]]:
    """(case id, role) for every case the person is linked to, by any route."""
    links: set[tuple[int, str]] = {
        (case_id, role) for case_id, role in session.execute(
            select(CaseParty.case_id, CaseParty.role).where(CaseParty.person_id == person_id))
    }
    for (model, column), role in zip(LINK_COLUMNS, _LINK_ROLES, strict=True):
        for case_id in session.scalars(select(model.case_id).where(column == person_id)):
            links.add((case_id, role))
    return links
