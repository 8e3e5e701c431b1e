"""The administration screen's overview: key slots, the sharing protocol's version and every
setting. No case content."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from casework.core import settings
from casework.core.context import Workspace
from casework.core.permissions import require
from casework.sharing import protocol
from db.models import SharingProtocol


@dataclass(frozen=True)
class SlotView:
    """A key slot: whose it is, its kind (user or recovery) and state (active, revoked)."""

    name: str
    kind: str
    state: str


@dataclass(frozen=True)
class SettingView:
    key: str
    type: str  # "int", "bool" or "dict"
    value: Any
    description: str


@dataclass(frozen=True)
class AdminOverview:
    """What administration shows besides users: key slots, the sharing protocol's current
    version and every setting. No case content."""

    slots: tuple[SlotView, ...]
    protocol_version: int | None
    protocol_name: str
    protocol_note: str
    settings: tuple[SettingView, ...]


def admin_overview(ws: Workspace) -> AdminOverview:
    """Key slots, the current protocol version and every setting (``admin.users``)."""
    require(ws.actor, "admin.users")
    slots = tuple(SlotView(n, k, s) for n, k, s in ws.store.slot_names())
    with ws.uow() as session:
        current = protocol.current(session)
        note = session.scalar(select(SharingProtocol.note)
                              .where(SharingProtocol.version == current.version)) or ""
        values = settings.all_values(session)
    specs = tuple(SettingView(k, s.type.__name__, values.get(k, s.default), s.description)
                  for k, s in settings.SPECS.items())
    return AdminOverview(slots, current.version, current.name, note, specs)
