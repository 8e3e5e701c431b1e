"""Small adapters between screens and casework that several screens share.

Screens import casework services directly (``from casework.people import get_person``);
every service returns plain data and no session or ORM object leaves it.
"""

from __future__ import annotations

from casework.core.context import Actor
from casework.core.permissions import has


def can(actor: Actor, capability: str) -> bool:
    """Whether the role allows a capability (decides which actions exist at all)."""
    return has(actor, capability)
