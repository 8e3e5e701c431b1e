"""What each casework role reaches on the team server: the one place to add a role.

``scope`` says which cases its policies show ("team": its team's case types, "panel": its
panels' referrals, "subject_access": every case, read only, "none": no case at all);
``classes`` which tables it is granted (``db.server.policies``). A role missing here is
denied everything on the server: no group role, no grants, and the policies find no scope
for it.
"""

from __future__ import annotations

from casework.core.permissions import PANEL_CASE_TYPES, TEAM_CASE_TYPES
from db.server.policies import RoleSpec

SERVER_ROLES: dict[str, RoleSpec] = {
    "case_manager": RoleSpec("team", frozenset({"case"})),
    "panel_member": RoleSpec("panel", frozenset({"case"})),
    # A chair also notes each member's coded agency on the panel's membership.
    "panel_chair": RoleSpec("panel", frozenset({"case", "chair"})),
    "coordinator": RoleSpec("none", frozenset({"police"})),
    "administrator": RoleSpec("none", frozenset({"admin", "police", "audit_read"})),
    # Subject access across every case type (read only), the disclosure log, retention
    # review and who-saw (the audit trail), the request tasks assigned to them, and the
    # retention schedule: the rows of cases past their period, in a checked run only.
    "information_governance": RoleSpec("subject_access", frozenset(
        {"sar_read", "disclosures", "audit_read", "own_tasks", "retention"})),
}

TEAM_TYPES = TEAM_CASE_TYPES
PANEL_TYPES = PANEL_CASE_TYPES
