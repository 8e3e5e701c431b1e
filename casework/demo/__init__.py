"""A synthetic demo database: users of every role and cases that exercise every workflow.

Everything here is invented: names are nonsense syllables, streets do not exist, phone
numbers are in Ofcom's drama ranges. ``create_demo_database`` makes a new encrypted
database with the demo users; ``generate`` fills an empty one with cases.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from casework.admin import newdb
from casework.core import users
from casework.core.context import Workspace
from casework.core.errors import ValidationError
from casework.demo.generator import DemoStats, Progress, generate
from db.keyslots import slot_path

DEMO_PASSWORD = "demo-only-synthetic-data"  # noqa: S105 - synthetic data only, printed
ADMIN = "admin"
TEAMS = (("ASB Team", "asb"), ("Sanctuary Team", "sanctuary"),
         ("Partnership Team", "coordination"))
PANELS = (("SWIP Panel", "swip"), ("MART Panel", "mart"))


@dataclass(frozen=True)
class DemoUser:
    """A demo user account (all share the demo password)."""

    username: str
    role: str
    display_name: str
    team: str | None = None
    panels: tuple[str, ...] = ()


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser(ADMIN, "administrator", "Demo Administrator", "Administration"),
    DemoUser("asb1", "case_manager", "Demo ASB Officer 1", "ASB Team"),
    DemoUser("asb2", "case_manager", "Demo ASB Officer 2", "ASB Team"),
    DemoUser("asb3", "case_manager", "Demo ASB Officer 3", "ASB Team"),
    DemoUser("sanct1", "case_manager", "Demo Sanctuary Officer 1", "Sanctuary Team"),
    DemoUser("sanct2", "case_manager", "Demo Sanctuary Officer 2", "Sanctuary Team"),
    DemoUser("swipchair", "panel_chair", "Demo SWIP Chair", None, ("SWIP Panel",)),
    DemoUser("swip1", "panel_member", "Demo SWIP Member 1", None, ("SWIP Panel",)),
    DemoUser("swip2", "panel_member", "Demo SWIP Member 2", None, ("SWIP Panel",)),
    DemoUser("martchair", "panel_chair", "Demo MART Chair", None, ("MART Panel",)),
    DemoUser("mart1", "panel_member", "Demo MART Member 1", None, ("MART Panel",)),
    DemoUser("mart2", "panel_member", "Demo MART Member 2", None, ("MART Panel",)),
    DemoUser("coord", "coordinator", "Demo Coordinator", "Partnership Team"),
    DemoUser("ig", "information_governance", "Demo Information Governance Officer", None),
)


@dataclass(frozen=True)
class DemoInfo:
    """What ``create_demo_database`` made. The password is synthetic-data-only."""

    path: Path
    users: tuple[DemoUser, ...]
    password: str
    recovery_key: str
    stats: DemoStats

    def __repr__(self) -> str:
        return f"DemoInfo(users={len(self.users)}, cases={self.stats.cases})"


def add_demo_users(ws: Workspace, password: str) -> None:
    """The demo's teams, panels and one user of every role (all with ``password``)."""
    for name, kind in TEAMS:
        users.ensure_team(ws, name, kind)
    for name, kind in PANELS:
        users.ensure_panel(ws, name, kind)
    for u in DEMO_USERS[1:]:
        users.add_user(ws, u.username, password, u.role, display_name=u.display_name,
                       team=u.team, panels=u.panels)


def create_demo_database(path: Path, cases: int = 2000, seed: int = 2026,
                         password: str = DEMO_PASSWORD, progress: Progress | None = None,
                         today: date | None = None) -> DemoInfo:
    """Create a NEW encrypted database at ``path`` with the demo users and ``cases``
    synthetic cases. Refuses to touch an existing file; removes its own files if
    anything fails part-way."""
    path = Path(path)
    if path.exists() or slot_path(path).exists():
        raise ValidationError("A file already exists at that path; the demo only creates "
                              "a new database and never overwrites one.", field="path")
    if not password:
        raise ValidationError("The demo password is empty.", field="password")
    with newdb.creating(path, ADMIN, password, DEMO_USERS[0].display_name) as (ws, recovery):
        add_demo_users(ws, password)
        stats = generate(ws, cases, seed, progress=progress, today=today)
    ws.lock()
    return DemoInfo(path, DEMO_USERS, password, recovery, stats)


__all__ = ["DEMO_PASSWORD", "DEMO_USERS", "DemoInfo", "DemoStats", "DemoUser", "Progress",
           "create_demo_database", "generate"]
