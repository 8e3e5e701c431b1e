"""Who may call which service, over every role of the roster.

Table-driven: each ``Service`` names a service, a factory that prepares what the call
needs (as the case manager ``cm``, in a world shared by the module) and returns the call,
and the roles allowed to make it. Every other role must get ``PermissionDenied`` and
leave no audit entry behind. To cover a new service, append a ``Service`` to ``SERVICES``.

The rules being checked (DOMAIN.md): a coordinator never receives an identifiable record;
an administrator does not read case content; a case manager of another team cannot see a
team's case; panel members see only their panel's referrals (and people linked to them).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from casework.asb import cases as asb
from casework.asb import ladder, risk
from casework.cases import caseview, letter_templates, letters, tasks
from casework.cases import lifecycle as cases
from casework.core import audit
from casework.core.context import Workspace
from casework.core.errors import PermissionDenied
from casework.people import matching
from casework.people import persons as people
from tests import conftest
from tests.casework import factories as f
from tests.casework.cases.test_letters import ASB_FIELDS

# admin, cm, cm2, sanct, swip, swipchair, mart, martchair, coord
ROLES = ("admin", *conftest.ROSTER)
PEOPLE_ROLES = frozenset({"cm", "cm2", "sanct", "swip", "swipchair", "mart", "martchair"})
TASK_ROLES = PEOPLE_ROLES | {"ig"}  # the officer works their subject access tasks
ASB_TEAM = frozenset({"cm"})  # the team that holds the world's case
ASB_TEAMS = frozenset({"cm", "cm2"})  # any team of ASB kind may open its own case
ADMIN = frozenset({"admin"})
_EDITS = itertools.count(1)  # each template edit a different text
OPENED = date(2025, 3, 3)
ON = date(2025, 3, 4)


@dataclass
class World:
    """A database shared by the module, with a case of the ASB Team and its people."""

    db: conftest.TestDb
    case_id: int
    subject_id: int
    loose_id: int
    document_id: int

    @property
    def cm(self) -> Workspace:
        return self.db.ws("cm")

    def fresh_case(self) -> int:
        return f.asb_case(self.cm, OPENED).header.id


Call = Callable[[Workspace], object]


@dataclass(frozen=True)
class Service:
    name: str
    factory: Callable[[World], Call]
    allowed: frozenset[str]
    identifiable: bool = True  # returns or changes identifiable or case data


def _edit() -> str:
    """A text of the home visit letter no earlier call saved."""
    return letters.packaged_text("home_visit") + f"\n\nEdit {next(_EDITS)}."


def _escalated(w: World, action: str, reason: str = "") -> tuple[int, int]:
    cid = w.fresh_case()
    return cid, ladder.escalate(w.cm, cid, action, ON, reason=reason).id


def _task_id(w: World) -> int:
    cid = w.fresh_case()
    return next(t.id for t in tasks.my_tasks(w.cm, date(2025, 3, 11)).overdue
                if t.case_id == cid)


SERVICES: list[Service] = [
    # people
    Service("people.create_person", lambda w: lambda ws: people.create_person(
        ws, people.PersonInput("Pat", "New")), PEOPLE_ROLES),
    Service("people.get_person (not yet in a case)",
            lambda w: lambda ws: people.get_person(ws, w.loose_id), PEOPLE_ROLES),
    Service("people.get_person (in a team's case)",
            lambda w: lambda ws: people.get_person(ws, w.subject_id), ASB_TEAM),
    Service("people.edit_person", lambda w: lambda ws: people.edit_person(
        ws, w.subject_id, people.PersonInput("Sam", "Subject", date(1990, 1, 1))), ASB_TEAM),
    Service("people.person_cases",
            lambda w: lambda ws: people.person_cases(ws, w.subject_id), ASB_TEAM),
    Service("matching.find_duplicates", lambda w: lambda ws: matching.find_duplicates(
        ws, people.PersonInput("Sam", "Subject")), PEOPLE_ROLES),
    Service("people.add_party", lambda w: (lambda pid: lambda ws: people.add_party(
        ws, w.case_id, pid, "witness"))(f.person(w.cm, "Wit", "Ness")), ASB_TEAM),
    Service("people.merge_people", lambda w: (lambda a, b: lambda ws: people.merge_people(
        ws, a, b, "duplicate"))(f.person(w.cm, "Mo", "Dup"), f.person(w.cm, "Moe", "Dup")),
        PEOPLE_ROLES),
    # ASB cases
    Service("asb.open_asb_case", lambda w: lambda ws: asb.open_asb_case(
        ws, "nuisance", "noise", OPENED, f.LSOA, None, None), ASB_TEAMS),
    Service("asb.get_asb_case", lambda w: lambda ws: asb.get_asb_case(ws, w.case_id), ASB_TEAM),
    Service("asb.add_incident", lambda w: lambda ws: asb.add_incident(
        ws, w.case_id, asb.IncidentInput(ON)), ASB_TEAM),
    Service("asb.record_contact",
            lambda w: lambda ws: asb.record_contact(ws, w.case_id, ON), ASB_TEAM),
    Service("asb.record_guardcam",
            lambda w: lambda ws: asb.record_guardcam(ws, w.case_id), ASB_TEAM),
    Service("risk.assess_risk", lambda w: lambda ws: risk.assess_risk(
        ws, w.case_id, {"violence": 2}, ON), ASB_TEAM),
    Service("ladder.escalate", lambda w: (lambda cid: lambda ws: ladder.escalate(
        ws, cid, "first_warning_letter", ON))(w.fresh_case()), ASB_TEAM),
    Service("ladder.record_breach", lambda w: (lambda ids: lambda ws: ladder.record_breach(
        ws, ids[1], ON, "further_warning"))(_escalated(w, "cpw", "urgent")), ASB_TEAM),
    Service("ladder.de_escalate", lambda w: (lambda ids: lambda ws: ladder.de_escalate(
        ws, ids[0], 0, "improved", ON))(_escalated(w, "verbal_warning")), ASB_TEAM),
    Service("ladder.ladder_options",
            lambda w: lambda ws: ladder.ladder_options(ws, w.case_id, ON), ASB_TEAM),
    Service("cases.close_case (ASB)", lambda w: (lambda cid: lambda ws: cases.close_case(
        ws, cid, "resolved", ON))(w.fresh_case()), ASB_TEAM),
    # letters
    Service("letters.generate_letter", lambda w: lambda ws: letters.generate_letter(
        ws, w.case_id, "home_visit", ASB_FIELDS), ASB_TEAM),
    Service("caseview.document_content",
            lambda w: lambda ws: caseview.document_content(ws, w.document_id), ASB_TEAM),
    # letter templates: administrators only (no case content in them)
    Service("letter_templates.list_templates",
            lambda w: lambda ws: letter_templates.list_templates(ws), ADMIN, False),
    Service("letter_templates.template_detail",
            lambda w: lambda ws: letter_templates.template_detail(ws, "cpw"), ADMIN, False),
    Service("letter_templates.preview_template", lambda w: lambda ws:
            letter_templates.preview_template(ws, "cpw", letters.packaged_text("cpw")),
            ADMIN, False),
    Service("letter_templates.save_template", lambda w: (lambda text: lambda ws:
            letter_templates.save_template(ws, "home_visit", text, "Clearer wording"))(
        _edit()), ADMIN, False),
    Service("letter_templates.revert_template", lambda w: (lambda _v: lambda ws:
            letter_templates.revert_template(ws, "home_visit", 0, "Back to the built-in"))(
        letter_templates.save_template(w.db.ws("admin"), "home_visit", _edit(), "An edit")),
            ADMIN, False),
    Service("caseview.case_documents",
            lambda w: lambda ws: caseview.case_documents(ws, w.case_id), ASB_TEAM),
    # tasks
    Service("tasks.my_tasks", lambda w: lambda ws: tasks.my_tasks(ws, ON), TASK_ROLES),
    Service("tasks.team_tasks", lambda w: lambda ws: tasks.team_tasks(ws, ON), TASK_ROLES),
    Service("tasks.complete_task", lambda w: (lambda tid: lambda ws: tasks.complete_task(
        ws, tid, ON))(_task_id(w)), ASB_TEAM),
]


@pytest.fixture(scope="module")
def world(template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    path = tmp_path_factory.mktemp("perm") / "perm.db"
    t = conftest.TestDb(conftest.copy_db(template_db, path), {})
    cm = t.ws("cm")
    case = f.asb_case(cm, OPENED)
    assert case.subject_person_id is not None
    doc = letters.generate_letter(cm, case.header.id, "first_warning_letter", ASB_FIELDS)
    yield World(t, case.header.id, case.subject_person_id, f.person(cm, "Lou", "Loose"),
                doc.id)
    t.close()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("service", SERVICES, ids=[s.name for s in SERVICES])
def test_who_may_call(world: World, service: Service, role: str) -> None:
    call = service.factory(world)
    ws = world.db.ws(role)
    if role in service.allowed:
        call(ws)
        return
    with ws.uow() as s:
        before = audit.count(s)
    with pytest.raises(PermissionDenied):
        call(ws)
    with ws.uow() as s:
        assert audit.count(s) == before, "a refused call left an audit entry"


@pytest.mark.parametrize("service", SERVICES, ids=[s.name for s in SERVICES])
def test_separation_of_duties(service: Service) -> None:
    if service.identifiable:
        assert "coord" not in service.allowed, "a coordinator never gets identifiable data"
        assert "admin" not in service.allowed, "an administrator does not read case content"
    assert service.allowed <= set(ROLES)


def test_another_team_sees_none_of_the_case(world: World) -> None:
    cm2 = world.db.ws("cm2")
    assert world.case_id not in {t.case_id for t in tasks.team_tasks(cm2, date(2026, 1, 1))
                                 .overdue}
    assert matching.find_duplicates(cm2, people.PersonInput("Sam", "Subject")) == []
