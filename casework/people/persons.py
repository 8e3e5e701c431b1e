"""People: create, edit, read (audited), link to cases, merge duplicates.

A person may appear in many cases of several types. Who may see a person follows from the
cases: a person linked to at least one case the actor may see is visible to them; a person
not yet linked to any case is visible to every role that works with people (case managers
and panel members), so that a record just created can be linked. Duplicate detection lives
in ``casework.matching``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from casework.cases.lifecycle import load_case
from casework.cases.links import LINK_COLUMNS, person_links
from casework.cases.workflow import link_person
from casework.core import audit, clock, versions
from casework.core.context import Workspace
from casework.core.errors import NotFound, PermissionDenied, ValidationError
from casework.core.permissions import can_see_case, require, visible_cases
from db.models import Address, Case, CaseParty, Lsoa, Person, PersonAddress, PersonAlias
from db.models.people import CONSENT, GENDERS

FLAGS = ("flag_mental_health", "flag_disability", "flag_age", "flag_repeat_victim",
         "flag_hate_motivated")


@dataclass(frozen=True)
class AddressInput:
    """An address as typed in; ``lsoa_code`` is the small area it falls in."""

    line1: str = ""
    line2: str = ""
    town: str = ""
    postcode: str = ""
    lsoa_code: str | None = None


@dataclass(frozen=True)
class PersonInput:
    """What a user enters to add or edit a person."""

    given_name: str
    family_name: str
    date_of_birth: date | None = None
    gender: str = "not_known"
    phone: str = ""
    email: str = ""
    aliases: tuple[str, ...] = ()
    address: AddressInput | None = None
    flags: frozenset[str] = field(default_factory=frozenset)
    consent: str = "not_sought"
    notes: str = ""


@dataclass(frozen=True)
class AddressView:
    id: int
    line1: str
    line2: str
    town: str
    postcode: str
    lsoa_code: str | None
    current: bool


@dataclass(frozen=True)
class PersonView:
    """A person as read model (identifiable: reading one is audited)."""

    id: int
    given_name: str
    family_name: str
    date_of_birth: date | None
    gender: str
    phone: str
    email: str
    aliases: tuple[str, ...]
    addresses: tuple[AddressView, ...]
    flags: frozenset[str]
    consent: str
    notes: str
    merged_into_id: int | None
    version: int = 0  # what ``edit_person`` takes back as ``loaded_version``

    def __repr__(self) -> str:  # never print personal data
        return f"PersonView(id={self.id})"

    @property
    def display_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()

    @property
    def current_address(self) -> AddressView | None:
        return next((a for a in self.addresses if a.current), None)


@dataclass(frozen=True)
class PartyView:
    id: int
    case_id: int
    person_id: int
    role: str
    agency: str


@dataclass(frozen=True)
class PersonCase:
    """One case a person appears in, and in which role."""

    case_id: int
    reference: str
    case_type: str
    status: str
    opened_on: date
    closed_on: date | None
    role: str  # every role the person has in the case, e.g. "applicant, victim"
    roles: tuple[str, ...] = ()


# ---------------------------------------------------------------- visibility

def can_see_person(ws: Workspace, session: Session, person_id: int) -> bool:
    """True if the actor may see this person's identifiable record (see module doc)."""
    from casework.core.permissions import has

    if not has(ws.actor, "people.read"):
        return False
    person = session.get(Person, person_id)
    if person is not None and person.merged_into_id is not None:
        # a merged duplicate has no links of its own any more: it is as visible as the
        # record it was merged into (merges are flattened, so that one is not merged)
        target = session.get(Person, person.merged_into_id)
        if target is None or target.merged_into_id is not None:
            return False
        person_id = target.id
    links = person_links(session, person_id)
    if not links:
        return True
    case_ids = {case_id for case_id, _role in links}
    return session.scalar(select(Case.id).where(Case.id.in_(case_ids),
                                                visible_cases(ws.actor)).limit(1)) is not None


def require_person(ws: Workspace, session: Session, person_id: int) -> Person:
    """The person, if it exists and the actor may see it."""
    require(ws.actor, "people.read")
    person = session.get(Person, person_id)
    if person is None or person.anonymised:
        raise NotFound("No such person.")
    if not can_see_person(ws, session, person_id):
        raise PermissionDenied("You do not have access to this person.")
    return person


def view_of(person: Person) -> PersonView:
    addresses = sorted(person.addresses, key=lambda pa: (not pa.current, -pa.id))
    return PersonView(
        person.id, person.given_name, person.family_name, person.date_of_birth, person.gender,
        person.phone, person.email, tuple(a.alias for a in person.aliases),
        tuple(AddressView(pa.address.id, pa.address.line1, pa.address.line2, pa.address.town,
                          pa.address.postcode, pa.address.lsoa_code, pa.current)
              for pa in addresses),
        frozenset(f for f in FLAGS if getattr(person, f)), person.consent, person.notes,
        person.merged_into_id, person.version or 0)


# ---------------------------------------------------------------- create, edit, read

def normalise_postcode(postcode: str) -> str:
    """Upper case with one space before the inward code (``ox11aa`` -> ``OX1 1AA``)."""
    compact = "".join(postcode.split()).upper()
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


_CONTROL = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
_CONTROL_IN_NOTES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def _check_characters(data: PersonInput) -> None:
    """NUL and other control characters are never stored in a person's fields (line breaks
    and tabs only in notes). The message names the field, never its content."""
    fields = [("given_name", data.given_name), ("family_name", data.family_name),
              ("phone", data.phone), ("email", data.email),
              *(("aliases", a) for a in data.aliases)]
    if data.address is not None:
        fields += [("line1", data.address.line1), ("line2", data.address.line2),
                   ("town", data.address.town), ("postcode", data.address.postcode)]
    for name, value in fields:
        if _CONTROL.search(value):
            raise ValidationError(f"The {name.replace('_', ' ')} contains a NUL or control "
                                  "character.", field=name)
    if _CONTROL_IN_NOTES.search(data.notes):
        raise ValidationError("The notes contain a NUL or control character.", field="notes")


def _validate(session: Session, data: PersonInput) -> None:
    _check_characters(data)
    if not (data.given_name.strip() or data.family_name.strip()):
        raise ValidationError("A person needs a given or family name.", field="family_name")
    if data.gender not in GENDERS:
        raise ValidationError("Unknown gender value.", field="gender")
    if data.consent not in CONSENT:
        raise ValidationError("Unknown consent value.", field="consent")
    if data.date_of_birth is not None and data.date_of_birth > clock.today():
        raise ValidationError("A date of birth cannot be in the future.", field="date_of_birth")
    if not data.flags <= set(FLAGS):
        raise ValidationError("Unknown vulnerability flag.", field="flags")
    code = data.address.lsoa_code if data.address else None
    if code and session.get(Lsoa, code) is None:
        raise ValidationError("Unknown LSOA code.", field="lsoa_code")


def _apply(session: Session, person: Person, data: PersonInput) -> None:
    person.given_name = data.given_name.strip()
    person.family_name = data.family_name.strip()
    person.date_of_birth = data.date_of_birth
    person.gender = data.gender
    person.phone = data.phone.strip()
    person.email = data.email.strip()
    person.consent = data.consent
    person.notes = data.notes
    for flag in FLAGS:
        setattr(person, flag, flag in data.flags)
    have = {a.alias for a in person.aliases}
    wanted = [a.strip() for a in data.aliases if a.strip()]
    person.aliases[:] = [a for a in person.aliases if a.alias in wanted]
    person.aliases.extend(PersonAlias(alias=a) for a in dict.fromkeys(wanted) if a not in have)
    if data.address is not None:
        _set_address(session, person, data.address)


def _set_address(session: Session, person: Person, data: AddressInput) -> None:
    postcode = normalise_postcode(data.postcode)
    current = next((pa for pa in person.addresses if pa.current), None)
    if current is not None:
        a = current.address
        if (a.line1, a.line2, a.town, a.postcode, a.lsoa_code) == (
                data.line1.strip(), data.line2.strip(), data.town.strip(), postcode,
                data.lsoa_code):
            return
        current.current = False
        current.to_date = clock.today()
    address = Address(line1=data.line1.strip(), line2=data.line2.strip(),
                      town=data.town.strip(), postcode=postcode, lsoa_code=data.lsoa_code)
    session.add(address)
    person.addresses.append(PersonAddress(address=address, current=True,
                                          from_date=clock.today()))


def create_person(ws: Workspace, data: PersonInput) -> PersonView:
    """Add a person (call ``matching.find_duplicates`` first and offer to link instead)."""
    require(ws.actor, "people.write")
    with ws.uow() as session:
        _validate(session, data)
        person = Person()
        session.add(person)
        _apply(session, person, data)
        session.flush()
        audit.record(ws, session, "person.create", "person", person.id)
        return view_of(person)


def edit_person(ws: Workspace, person_id: int, data: PersonInput, *,
                loaded_version: int | None = None) -> PersonView:
    """Replace a person's details (a changed address becomes the current one). With
    ``loaded_version`` (the version the user's form showed), an edit based on an older
    version is refused (``EditConflict``): nobody's change is overwritten unseen."""
    require(ws.actor, "people.write")
    with ws.uow() as session:
        person = require_person(ws, session, person_id)
        versions.check(session, person, loaded_version, "This person's record", "person",
                       person.id)
        if person.merged_into_id is not None:
            raise ValidationError("This record was merged; edit the surviving record.",
                                  field="person_id")
        _validate(session, data)
        _apply(session, person, data)
        session.flush()
        audit.record(ws, session, "person.edit", "person", person.id)
        return view_of(person)


def get_person(ws: Workspace, person_id: int) -> PersonView:
    """Read a person (audited ``view``). A merged record shows ``merged_into_id``."""
    with ws.uow() as session:
        person = require_person(ws, session, person_id)
        audit.record(ws, session, "view", "person", person.id)
        return view_of(person)


# ---------------------------------------------------------------- parties and cases

def add_party_in(ws: Workspace, session: Session, case: Case, person_id: int, role: str,
                 agency: str = "") -> CaseParty:
    """Link a person the actor may see to a case, inside the caller's unit of work (audited):
    the visibility check, then ``cases.workflow.link_person``."""
    require_person(ws, session, person_id)
    return link_person(ws, session, case, person_id, role, agency)


def add_party(ws: Workspace, case_id: int, person_id: int, role: str,
              agency: str = "") -> PartyView:
    """Link a person to a case in a party role (complainant, perpetrator, witness...)."""
    require(ws.actor, "case.write")
    require(ws.actor, "people.write")
    with ws.uow() as session:
        case = load_case(ws, session, case_id)
        if case.status == "closed":
            raise ValidationError("The case is closed.", field="status")
        party = add_party_in(ws, session, case, person_id, role, agency)
        return PartyView(party.id, party.case_id, party.person_id, party.role, party.agency)


def person_cases(ws: Workspace, person_id: int) -> list[PersonCase]:
    """Every case the person appears in, in every role, that the actor may see (audited)."""
    with ws.uow() as session:
        require_person(ws, session, person_id)
        links = person_links(session, person_id)
        cases = {c.id: c for c in session.scalars(
            select(Case).where(Case.id.in_({cid for cid, _ in links})))}
        roles: dict[int, set[str]] = {}
        for cid, role in links:
            roles.setdefault(cid, set()).add(role)
        out = [PersonCase(c.id, c.reference, c.case_type, c.status, c.opened_on, c.closed_on,
                          ", ".join(sorted(rs)), tuple(sorted(rs)))
               for cid, rs in sorted(roles.items())
               if (c := cases.get(cid)) is not None
               and can_see_case(ws.actor, c.case_type, c.team_id, c.panel_id)]
        audit.record(ws, session, "view", "person", person_id,
                     detail={"part": "cases", "count": len(out)})
        return sorted(out, key=lambda pc: (pc.opened_on, pc.case_id, pc.role), reverse=True)


# ---------------------------------------------------------------- merge

def merge_people(ws: Workspace, keep_id: int, merge_id: int, reason: str) -> PersonView:
    """Merge a duplicate into the record kept: parties, links, aliases and addresses move;
    the duplicate's name becomes an alias; the duplicate points at the kept record."""
    require(ws.actor, "people.write")
    if keep_id == merge_id:
        raise ValidationError("Choose two different people.", field="merge_id")
    if not reason.strip():
        raise ValidationError("Give a reason for the merge.", field="reason")
    with ws.uow() as session:
        keep = require_person(ws, session, keep_id)
        dup = require_person(ws, session, merge_id)
        if keep.merged_into_id is not None or dup.merged_into_id is not None:
            raise ValidationError("One of these records was already merged.", field="merge_id")
        moved = _move_links(session, keep_id, merge_id)
        names = {a.alias for a in keep.aliases} | {keep.given_name + " " + keep.family_name}
        for alias in [dup.given_name + " " + dup.family_name] + [a.alias for a in dup.aliases]:
            if alias.strip() and alias not in names:
                keep.aliases.append(PersonAlias(alias=alias.strip()))
                names.add(alias)
        dup.aliases.clear()
        keep_current = any(pa.current for pa in keep.addresses)
        for pa in list(dup.addresses):
            dup.addresses.remove(pa)
            pa.current = pa.current and not keep_current
            keep.addresses.append(pa)
        if keep.date_of_birth is None:
            keep.date_of_birth = dup.date_of_birth
        for flag in FLAGS:
            setattr(keep, flag, getattr(keep, flag) or getattr(dup, flag))
        # records merged into the duplicate earlier now point at the kept one: a merged
        # record's visibility is its target's, one step away. (Before the duplicate is
        # marked merged: on a team server the policies hide a record merged into a merged
        # one, so the update would not reach them afterwards.)
        session.execute(update(Person).where(Person.merged_into_id == merge_id)
                        .values(merged_into_id=keep.id))
        dup.merged_into_id = keep.id
        session.flush()
        audit.record(ws, session, "person.merge", "person", keep.id,
                     detail={"merged": merge_id, "links_moved": moved})
        audit.record(ws, session, "person.merged_into", "person", merge_id,
                     detail={"into": keep_id})
        return view_of(keep)


def _move_links(session: Session, keep_id: int, merge_id: int) -> int:
    """Repoint every reference to the duplicate; returns how many rows moved."""
    moved = 0
    kept = {(p.case_id, p.role) for p in session.scalars(
        select(CaseParty).where(CaseParty.person_id == keep_id))}
    for party in session.scalars(
            select(CaseParty).where(CaseParty.person_id == merge_id)).all():
        if (party.case_id, party.role) in kept:
            session.delete(party)
        else:
            party.person_id = keep_id
        moved += 1
    for model, column in LINK_COLUMNS:
        result = session.execute(update(model).where(column == merge_id)
                                 .values({column.key: keep_id}))
        moved += int(getattr(result, "rowcount", 0) or 0)
    return moved
