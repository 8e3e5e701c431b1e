"""Fixtures for the audit, retention, subject-access and safeguard tests: synthetic people
and cases written straight into the tables (the case services are other features')."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from casework.core import audit
from casework.core.context import SYSTEM, Workspace
from db.models import (
    Address,
    AsbDetail,
    Case,
    CaseParty,
    Incident,
    Note,
    Person,
    PersonAddress,
    PersonAlias,
    Team,
)

# Synthetic values the safeguard tests look for in logs and error output.
SUBJECT = {"given_name": "Zebedee", "family_name": "Quillfeather", "phone": "07700900123",
           "email": "zebedee.q@example.org"}
NEIGHBOUR = {"given_name": "Marigold", "family_name": "Thistlewaite", "phone": "07700900456",
             "email": "marigold.t@example.org"}
SUBJECT_ADDRESS = {"line1": "17 Quenby Mews", "town": "Oxford", "postcode": "OX4 9ZZ"}
NOTE_TEXT = "Zebedee said Marigold Thistlewaite shouted at him over the fence."


@dataclass
class World:
    subject_id: int
    neighbour_id: int
    case_ids: list[int]
    references: list[str]


def add_person(ws: Workspace, *, alias: str = "", address: dict[str, str] | None = None,
               **fields: Any) -> int:
    with ws.as_actor(SYSTEM).uow() as session:
        person = Person(**fields)
        session.add(person)
        session.flush()
        if alias:
            session.add(PersonAlias(person_id=person.id, alias=alias))
        if address:
            addr = Address(**address)
            session.add(addr)
            session.flush()
            session.add(PersonAddress(person_id=person.id, address_id=addr.id))
        return person.id


def add_case(ws: Workspace, reference: str, *, parties: dict[int, str], opened: date,
             closed: date | None = None, case_type: str = "asb", team: str = "ASB Team",
             summary: str = "", note: str = "", incident_reporter: int | None = None) -> int:
    """A case with parties (person id -> role), optionally closed, a note and an incident."""
    sys_ws = ws.as_actor(SYSTEM)
    with sys_ws.uow() as session:
        team_id = session.scalar(select(Team.id).where(Team.name == team))
        case = Case(reference=reference, case_type=case_type, opened_on=opened,
                    status="closed" if closed else "open", closed_on=closed,
                    outcome="resolved" if closed else None, team_id=team_id,
                    summary=summary, lsoa_code=None)
        session.add(case)
        session.flush()
        for pid, role in parties.items():
            session.add(CaseParty(case_id=case.id, person_id=pid, role=role))
        if case_type == "asb":
            subject = next((p for p, r in parties.items() if r == "perpetrator"), None)
            session.add(AsbDetail(case_id=case.id, category="personal",
                                  subject_person_id=subject))
            if incident_reporter is not None:
                session.add(Incident(case_id=case.id, occurred_on=opened, reported_on=opened,
                                     location="outside 17 Quenby Mews",
                                     reporter_person_id=incident_reporter,
                                     description=NOTE_TEXT))
        if note:
            session.add(Note(case_id=case.id, body=note))
        audit.record(sys_ws, session, "case.create", "case", case.id,
                     detail={"type": case_type})
        return case.id


@pytest.fixture
def world(db: Any) -> World:
    """A subject and a neighbour in two ASB cases (one closed long ago)."""
    ws = db.ws("admin")
    subject = add_person(ws, alias="Zeb Q", address=SUBJECT_ADDRESS,
                         date_of_birth=date(1980, 2, 29), **SUBJECT)
    neighbour = add_person(ws, **NEIGHBOUR)
    c1 = add_case(ws, "ASB-2015-000001", parties={subject: "victim", neighbour: "perpetrator"},
                  opened=date(2015, 3, 1), closed=date(2016, 1, 10),
                  summary="Zebedee Quillfeather reports Marigold Thistlewaite", note=NOTE_TEXT,
                  incident_reporter=subject)
    c2 = add_case(ws, "ASB-2025-000002", parties={subject: "witness"},
                  opened=date(2025, 5, 1), note="Visited Zebedee.")
    return World(subject, neighbour, [c1, c2], ["ASB-2015-000001", "ASB-2025-000002"])
