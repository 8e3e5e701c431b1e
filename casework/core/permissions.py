"""Who may do what: role capabilities, and which cases a user may see.

DOMAIN.md's table, as code:
- case manager: identifiable data of the case types their team holds;
- panel member / chair: that panel's SWIP or MART referrals only; chairs run meetings;
- coordinator: depersonalised and aggregate data only, never an identifiable record;
- administrator: users, keys, settings, protocol, backups; no case content;
- information governance: subject access, retention review, who-saw-what, the disclosure
  log (the council's data-protection function), every read audited.
Every service calls ``require`` or ``require_case`` before touching data.

A subject access export gathers everything held about a person across every case type, so
it is not a case manager's capability (that would open other teams' and panels' records),
nor the administrator's (who reads no case content): it belongs to the
information-governance officer, audited per search and per export.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, and_, false, or_

from casework.core.errors import PermissionDenied
from db.models import Case

if TYPE_CHECKING:  # (context's sign-in imports the audit, which checks roles here)
    from casework.core.context import Actor

# Which case types a team of each kind holds.
TEAM_CASE_TYPES: dict[str, frozenset[str]] = {
    "asb": frozenset({"asb", "trigger", "sanctuary"}),
    "community_trigger": frozenset({"trigger"}),
    "sanctuary": frozenset({"sanctuary"}),
}
PANEL_CASE_TYPES = frozenset({"swip", "mart"})

CAPABILITIES: dict[str, frozenset[str]] = {
    "case_manager": frozenset({
        "case.read", "case.write", "people.read", "people.write", "task.read",
        "letter.generate", "report.kpis", "import.cases",
        "export.trigger_pack", "export.table", "export.case",
    }),
    "panel_member": frozenset({
        "case.read", "case.write", "people.read", "people.write", "task.read", "meeting.read",
        "export.table", "export.case",
    }),
    "panel_chair": frozenset({
        "case.read", "case.write", "people.read", "people.write", "task.read", "meeting.read",
        "meeting.manage", "export.pack", "report.panel", "export.table", "import.cases",
        "export.case",
    }),
    "coordinator": frozenset({
        "report.kpis", "report.trigger_return", "export.quarterly", "export.trigger_return",
        "import.police", "export.table",
    }),
    "administrator": frozenset({
        "admin.users", "admin.settings", "admin.protocol", "admin.backup",
        "audit.verify", "import.police", "import.cases",
        "export.table",
        "admin.letters",  # edit letter templates (casework.cases.letter_templates)
    }),
    "information_governance": frozenset({
        "sar.export", "sar.search", "sar.disclosures", "admin.retention", "audit.who_saw",
        "audit.verify", "task.read",
    }),
    "system": frozenset({"*"}),
}

IDENTIFIABLE_ROLES = frozenset({"case_manager", "panel_member", "panel_chair"})


def has(actor: Actor, capability: str) -> bool:
    caps = CAPABILITIES.get(actor.role, frozenset())
    return "*" in caps or capability in caps


def require(actor: Actor, capability: str) -> None:
    """Raise PermissionDenied unless the actor's role has ``capability``."""
    if not has(actor, capability):
        raise PermissionDenied("Your role does not allow this.")


def case_types_for(actor: Actor) -> frozenset[str]:
    """The case types whose identifiable records this actor may see at all."""
    if actor.role == "system":
        return frozenset({"asb", "trigger", "swip", "mart", "sanctuary"})
    if actor.role == "case_manager":
        return TEAM_CASE_TYPES.get(actor.team_kind or "", frozenset())
    if actor.role in ("panel_member", "panel_chair"):
        return PANEL_CASE_TYPES
    return frozenset()


def can_see_case(actor: Actor, case_type: str, team_id: int | None, panel_id: int | None) -> bool:
    if actor.role == "system":
        return True
    if case_type not in case_types_for(actor):
        return False
    if actor.role == "case_manager":
        return team_id is None or team_id == actor.team_id
    return panel_id is not None and panel_id in actor.panel_ids


def require_case(actor: Actor, case: Any) -> None:
    """Raise unless the actor may see this case's identifiable data (Case row or read model)."""
    if not can_see_case(actor, case.case_type, case.team_id, case.panel_id):
        raise PermissionDenied("You do not have access to this case.")


def visible_cases(actor: Actor) -> ColumnElement[bool]:
    """A WHERE clause on ``Case`` selecting only the cases the actor may see."""
    if actor.role == "system":
        return Case.id.is_not(None)
    types = case_types_for(actor)
    if not types:
        return false()
    if actor.role == "case_manager":
        return and_(Case.case_type.in_(sorted(types)),
                    or_(Case.team_id.is_(None), Case.team_id == actor.team_id))
    if not actor.panel_ids:
        return false()
    return and_(Case.case_type.in_(sorted(types)), Case.panel_id.in_(sorted(actor.panel_ids)))
