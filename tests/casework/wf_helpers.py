"""Helpers shared by the workflow tests (trigger, panels, mart, sanctuary, kpis, import)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from casework.core.context import Workspace
from db.models import Address, Panel, Person, PersonAddress, Task


def make_person(ws: Workspace, given: str = "Alex", family: str = "Example",
                dob: date | None = date(1980, 5, 17)) -> int:
    """A person row with a current address (created directly: people services are another
    feature's); letters need an address."""
    with ws.uow() as session:
        person = Person(given_name=given, family_name=family, date_of_birth=dob)
        session.add(person)
        session.flush()
        address = Address(line1=f"{person.id} Example Street", town="Oxford",
                          postcode="OX4 1ZZ")
        session.add(address)
        session.flush()
        session.add(PersonAddress(person_id=person.id, address_id=address.id, current=True))
        session.flush()
        return person.id


def panel_id(ws: Workspace, name: str) -> int:
    with ws.uow() as session:
        pid = session.scalar(select(Panel.id).where(Panel.name == name))
        assert pid is not None
        return pid


def tasks_of(ws: Workspace, case_id: int) -> dict[str, list[tuple[date, date | None]]]:
    """kind -> [(due_on, completed_on)] for a case."""
    out: dict[str, list[tuple[date, date | None]]] = {}
    with ws.uow() as session:
        for t in session.scalars(select(Task).where(Task.case_id == case_id).order_by(Task.id)):
            out.setdefault(t.kind, []).append((t.due_on, t.completed_on))
    return out
