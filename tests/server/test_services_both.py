"""The same services, run on a file database and on the team server: a case manager's
intake, note and reading back; another team's case manager is refused all of it. On the
server the refusal comes from the database's own policies as well."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from casework.asb import cases as asb
from casework.cases import caseview, lifecycle, search
from casework.core import audit
from casework.core.errors import CaseworkError
from casework.people import persons
from tests.server.conftest import PASSWORD


@pytest.fixture(params=["file", "postgresql"])
def two_teams(request) -> Iterator[tuple[object, object]]:
    """(case manager, case manager of another team) signed in on one backend."""
    if request.param == "file":
        db = request.getfixturevalue("file_db")
        yield db.ws("cm"), db.ws("cm2")
        return
    from sqlalchemy.engine import make_url

    from casework.server import session

    ts = request.getfixturevalue("team_server")
    u = make_url(ts.db.admin_url)
    url = f"postgresql://{u.host}:{u.port or 5432}/{ts.db.name}?sslmode=disable"
    one = session.open_url(url, ts.login("cm"), PASSWORD)
    other = session.open_url(url, ts.login("cm2"), PASSWORD)
    try:
        yield one, other
    finally:
        one.lock()
        other.lock()


def test_intake_note_and_view_stay_within_the_team(two_teams):
    cm, cm2 = two_teams
    # With an address in one of the partnership's small areas (the reference data a new
    # database holds; on the server, an address its policies must let the person keep).
    person = persons.create_person(cm, persons.PersonInput(
        "Alex", "Synthetic-Both", address=persons.AddressInput(
            "1 Synthetic Row", "", "Oxford", "OX4 1AA", "E01028513")))
    view = asb.open_asb_case(cm, "personal", "noise", date(2026, 11, 30), None, person.id,
                             None, summary="loud music")
    lifecycle.add_note(cm, view.header.id, "visited, synthetic")
    parts = caseview.case_parts(cm, view.header.id)
    assert [n.body for n in parts.notes] == ["visited, synthetic"]
    seen = persons.get_person(cm, person.id)
    assert seen.family_name == "Synthetic-Both"
    assert [a.lsoa_code for a in seen.addresses] == ["E01028513"]
    # A second case of the same team gets the next reference, whoever else has cases.
    other = asb.open_asb_case(cm2, "nuisance", "litter", date(2026, 11, 30), None, None,
                              None)
    assert other.header.reference != view.header.reference
    for attempt in (lambda: asb.get_asb_case(cm2, view.header.id),
                    lambda: caseview.case_parts(cm2, view.header.id),
                    lambda: lifecycle.add_note(cm2, view.header.id, "not mine"),
                    lambda: persons.get_person(cm2, person.id)):
        with pytest.raises(CaseworkError):
            attempt()
    # Search as you type finds the person for their team only.
    assert [h.label for h in search.search(cm, "synthetic-bo") if h.kind == "person"] \
        == ["Alex Synthetic-Both"]
    assert [h for h in search.search(cm2, "synthetic-bo") if h.kind == "person"] == []
    # Every read above was audited in the chain, which still verifies.
    assert audit.current_head(cm).seq > 0
