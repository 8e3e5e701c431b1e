"""Small builders for people and ASB cases, shared by the casework tests."""

from __future__ import annotations

from datetime import date

from casework.asb import cases as asb
from casework.core.context import Workspace
from casework.people import persons as people

LSOA = "E01028513"


def person(ws: Workspace, given: str = "Alex", family: str = "Taylor",
           born: date | None = date(1980, 5, 17), postcode: str = "OX4 1AA",
           line1: str = "1 Cowley Road", aliases: tuple[str, ...] = ()) -> int:
    """Create a person with an address; returns the id."""
    return people.create_person(ws, people.PersonInput(
        given, family, born, aliases=aliases,
        address=people.AddressInput(line1, "", "Oxford", postcode, LSOA))).id


def asb_case(ws: Workspace, opened_on: date = date(2025, 3, 3),
             subject_born: date | None = date(1990, 1, 1),
             risk: dict[str, int] | None = None) -> asb.AsbCaseView:
    """An open ASB case with a complainant, a subject and one incident."""
    complainant = person(ws, "Casey", "Complainant", date(1970, 2, 2), "OX4 2BB")
    subject = person(ws, "Sam", "Subject", subject_born, "OX4 3CC", "3 Iffley Road")
    return asb.open_asb_case(
        ws, "personal", "noise", opened_on, LSOA, complainant, subject,
        incidents=[asb.IncidentInput(opened_on, opened_on, "Iffley Road", LSOA,
                                     description="Loud music late at night")],
        summary="Noise from a neighbouring flat", risk_answers=risk)
