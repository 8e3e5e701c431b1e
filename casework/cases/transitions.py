"""A case after intake: reopen it, transfer it to another team, reassign its owner, and
see the cases linked to it (sharing a person or an address).

Permissions follow the case's team and owner at once: every read checks them again
(``permissions.require_case``), so a case transferred away is no longer visible to the
old team from the next query. Each change is audited with its reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from casework.cases.lifecycle import CaseHeader, add_task, check_loaded, load_case
from casework.cases.links import LINK_COLUMNS
from casework.core import audit, clock
from casework.core.context import Workspace
from casework.core.errors import NotFound, PermissionDenied, ValidationError
from casework.core.permissions import require, visible_cases
from db import changelog
from db.dialects import on_server
from db.models import Address, Case, CaseParty, PersonAddress, Task, Team, User
from db.server.policies import ACL

TEAM_KIND_FOR = {"asb": ("asb",), "trigger": ("community_trigger", "asb"),
                 "sanctuary": ("sanctuary",)}


@dataclass(frozen=True)
class LinkedCase:
    """A case sharing a person or an address with another (what links them, no names)."""

    case_id: int
    reference: str
    case_type: str
    status: str
    opened_on: date
    via: str  # "person" | "address" | "person, address"


def _reason(reason: str) -> str:
    if not reason.strip():
        raise ValidationError("Give a reason.", field="reason")
    return reason.strip()


def reopen_case(ws: Workspace, case_id: int, reason: str, *,
                loaded_version: int | None = None) -> CaseHeader:
    """Reopen a closed case with a reason (audited ``case.reopen``); its outcome and closing
    date are cleared and a review task is set for today."""
    require(ws.actor, "case.write")
    why = _reason(reason)
    with ws.uow() as session:
        case = load_case(ws, session, case_id)
        check_loaded(session, case, loaded_version)
        if case.status != "closed":
            raise ValidationError("The case is not closed.", field="status")
        old = {"outcome": case.outcome, "closed_on": str(case.closed_on)}
        case.status, case.outcome, case.closed_on = "open", None, None
        case.next_review_on = clock.today()
        add_task(session, case, "review", "Review the reopened case", clock.today())
        audit.record(ws, session, "case.reopen", "case", case.id, reason=why, detail=old)
        return CaseHeader.of(case)


def _active_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or not user.active:
        raise ValidationError("Choose an active user.", field="owner_id")
    return user


def _move_open_tasks(session: Session, case: Case, owner_id: int | None = None,
                     team_id: int | None = None) -> int:
    """Give the case's open tasks to ``owner_id`` of ``team_id`` (default: the case's)."""
    owner = case.owner_id if owner_id is None else owner_id
    team = case.team_id if team_id is None else team_id
    moved = 0
    for task in session.scalars(select(Task).where(Task.case_id == case.id,
                                                   Task.completed_on.is_(None))):
        task.assigned_user_id, task.team_id = owner, team
        moved += 1
    return moved


def transfer_case(ws: Workspace, case_id: int, team_id: int, owner_id: int,
                  reason: str, *, loaded_version: int | None = None) -> CaseHeader:
    """Move a case to another team with a new owner from that team (audited
    ``case.transfer``); its open tasks follow the new owner. The old team loses access at
    once."""
    require(ws.actor, "case.write")
    why = _reason(reason)
    with ws.uow() as session:
        case = load_case(ws, session, case_id)
        check_loaded(session, case, loaded_version)
        team = session.get(Team, team_id)
        if team is None:
            raise NotFound("No such team.")
        if team.id == case.team_id:
            raise ValidationError("The case is already with that team.", field="team_id")
        allowed = TEAM_KIND_FOR.get(case.case_type)
        if allowed is None or team.kind not in allowed:
            raise ValidationError("That team does not handle this type of case.",
                                  field="team_id")
        owner = _active_user(session, owner_id)
        if owner.team_id != team.id:
            raise ValidationError("The new owner must belong to the receiving team.",
                                  field="owner_id")
        old = {"team": case.team_id, "owner": case.owner_id}
        # The tasks first, while the case is still the writer's to see: on a team server
        # the case then leaves their view (the policies hide it, and its tasks with it).
        moved = _move_open_tasks(session, case, owner.id, team.id)
        session.flush()
        audit.record(ws, session, "case.transfer", "case", case.id, reason=why,
                     detail={**old, "to_team": team.id, "to_owner": owner.id, "tasks": moved})
        if on_server(session):
            _transfer_on_server(session, case, team.id, owner.id)
        else:
            case.team_id, case.owner_id = team.id, owner.id
            session.flush()  # the header carries the version the save gave the case
        return CaseHeader.of(case)


def _transfer_on_server(session: Session, case: Case, team_id: int, owner_id: int) -> None:
    """The owner first (the case is still the writer's to see), then the team through
    the server's ``transfer_case``: the moved row leaves the writer's view, and
    PostgreSQL checks an updated row against the writer's reading policies as well."""
    case.owner_id = owner_id
    session.flush()
    at = clock.utcnow()
    version = session.scalar(text(f"SELECT {ACL}.transfer_case(:c, :t, :v, :at)"),
                             {"c": case.id, "t": team_id, "v": case.version, "at": at})
    if not version:
        raise PermissionDenied("The team server did not allow this transfer.")
    for name, value in (("team_id", team_id), ("version", version), ("updated_at", at)):
        set_committed_value(case, name, value)
    changelog.log_update(session, case, ["team_id"], int(version))


@dataclass(frozen=True)
class TeamChoice:
    """A team a case may move to, with the active officers who could own it."""

    team_id: int
    name: str
    officers: tuple[tuple[int, str], ...]  # (user id, display name)


def transfer_choices(ws: Workspace, case_id: int) -> list[TeamChoice]:
    """The teams that handle this case's type, each with its active officers (for the
    transfer and reassign dialogs; names of staff, not of the public)."""
    with ws.uow() as session:
        case = load_case(ws, session, case_id)
        kinds = TEAM_KIND_FOR.get(case.case_type, ())
        out = []
        for team in session.scalars(select(Team).where(Team.kind.in_(kinds))
                                    .order_by(Team.name)):
            officers = tuple((u.id, u.display_name) for u in session.scalars(
                select(User).where(User.team_id == team.id, User.active.is_(True),
                                   User.role == "case_manager").order_by(User.display_name)))
            out.append(TeamChoice(team.id, team.name, officers))
        return out


def reassign_owner(ws: Workspace, case_id: int, owner_id: int, reason: str, *,
                   loaded_version: int | None = None) -> CaseHeader:
    """Give the case to another officer of its team (audited ``case.reassign``); open
    tasks follow."""
    require(ws.actor, "case.write")
    why = _reason(reason)
    with ws.uow() as session:
        case = load_case(ws, session, case_id)
        check_loaded(session, case, loaded_version)
        owner = _active_user(session, owner_id)
        if case.team_id is not None and owner.team_id != case.team_id:
            raise ValidationError("The owner must belong to the case's team: transfer the "
                                  "case to move it to another team.", field="owner_id")
        if owner.id == case.owner_id:
            raise ValidationError("That officer already owns the case.", field="owner_id")
        old = case.owner_id
        case.owner_id = owner.id
        moved = _move_open_tasks(session, case)
        audit.record(ws, session, "case.reassign", "case", case.id, reason=why,
                     detail={"owner": old, "to_owner": owner.id, "tasks": moved})
        return CaseHeader.of(case)


def case_person_ids(session: Session, case_id: int) -> set[int]:
    """Everyone linked to a case by any route (parties and the detail tables' columns)."""
    ids = set(session.scalars(select(CaseParty.person_id).where(CaseParty.case_id == case_id)))
    for model, column in LINK_COLUMNS:
        ids |= {pid for pid in session.scalars(select(column).where(model.case_id == case_id))
                if pid is not None}
    return ids


def _cases_of_people(session: Session, person_ids: set[int]) -> set[int]:
    found = set(session.scalars(select(CaseParty.case_id)
                                .where(CaseParty.person_id.in_(person_ids))))
    for model, column in LINK_COLUMNS:
        found |= set(session.scalars(select(model.case_id).where(column.in_(person_ids))))
    return found


def _norm(text: str) -> str:
    return " ".join(text.lower().replace(",", " ").split())


def same_places(session: Session, address_ids: set[int]) -> set[int]:
    """Address rows for the same place as these (first line and postcode alike, ignoring
    case, commas and spacing)."""
    if not address_ids:
        return set()
    keys = {(_norm(a.line1), _norm(a.postcode).replace(" ", ""))
            for a in session.scalars(select(Address).where(Address.id.in_(address_ids)))
            if a.line1.strip() and a.postcode.strip()}
    postcodes = {pc for _, pc in keys}
    found = set()
    for a in session.scalars(select(Address).where(
            func.replace(func.upper(Address.postcode), " ", "").in_(
                sorted(pc.upper() for pc in postcodes)))):
        if (_norm(a.line1), _norm(a.postcode).replace(" ", "")) in keys:
            found.add(a.id)
    return found


def linked_cases(ws: Workspace, case_id: int) -> list[LinkedCase]:
    """Other cases sharing a person or an address with this one, among the cases the
    actor may see (references and types only; audited ``view``)."""
    with ws.uow() as session:
        case = load_case(ws, session, case_id)
        people = case_person_ids(session, case.id)
        by_person = _cases_of_people(session, people) if people else set()
        addresses = set(session.scalars(select(PersonAddress.address_id)
                                        .where(PersonAddress.person_id.in_(people))))
        if case.address_id is not None:
            addresses.add(case.address_id)
        addresses |= same_places(session, addresses)
        residents = set(session.scalars(select(PersonAddress.person_id)
                                        .where(PersonAddress.address_id.in_(addresses))))
        by_address = _cases_of_people(session, residents - people) if residents else set()
        by_address |= set(session.scalars(select(Case.id).where(
            Case.address_id.in_(addresses)))) if addresses else set()
        ids = (by_person | by_address) - {case.id}
        rows: list[Case] = list(session.scalars(select(Case).where(
            Case.id.in_(ids), visible_cases(ws.actor), Case.anonymised_at.is_(None))
            .order_by(Case.opened_on.desc(), Case.id.desc()))) if ids else []
        out = [LinkedCase(c.id, c.reference, c.case_type, c.status, c.opened_on,
                          ", ".join(v for v, s in (("person", by_person),
                                                   ("address", by_address)) if c.id in s))
               for c in rows]
        audit.record(ws, session, "view", "case", case.id,
                     detail={"part": "linked_cases", "count": len(out)})
        return out
