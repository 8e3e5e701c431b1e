"""The one place the desktop calls casework from: availability checks and small adapters.

Screens import casework services through ``svc(name)`` so a workflow whose service has not
landed yet shows a clear "not available" pane instead of failing at import. Everything
returned here is plain data; no session or ORM object leaves a function of this module.
"""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType
from typing import Any

from casework.context import Actor, Workspace
from casework.permissions import has

# WORKAROUND: casework.meetings and casework.panels import each other; importing
# meetings first fails, so panels is imported before it.
_IMPORT_FIRST = {"meetings": ("panels",)}


def _prepare(name: str) -> None:
    for first in _IMPORT_FIRST.get(name, ()):
        try:
            importlib.import_module(f"casework.{first}")
        except ImportError:
            pass


def available(name: str, attr: str | None = None) -> bool:
    """Whether ``casework.<name>`` (and optionally one of its functions) exists."""
    _prepare(name)
    try:
        if importlib.util.find_spec(f"casework.{name}") is None:
            return False
    except ModuleNotFoundError:
        return False
    if attr is None:
        return True
    try:
        return hasattr(importlib.import_module(f"casework.{name}"), attr)
    except ImportError:
        return False


def svc(name: str) -> ModuleType:
    """The casework service module ``name`` (raises ImportError if it is missing)."""
    _prepare(name)
    return importlib.import_module(f"casework.{name}")


def can(actor: Actor, capability: str) -> bool:
    """Whether the role allows a capability (decides which actions exist at all)."""
    return has(actor, capability)


def setting(ws: Workspace, key: str) -> Any:
    """One setting's value. Uses a settings service when there is one; otherwise reads it
    in a unit of work of its own (a read of configuration, not of a record)."""
    from casework import settings

    reader = getattr(settings, "read", None)
    if callable(reader):
        return reader(ws, key)
    with ws.uow() as session:
        return settings.get(session, key)


def all_settings(ws: Workspace) -> dict[str, Any]:
    """Every setting with its current value."""
    from casework import settings

    reader = getattr(settings, "read_all", None)
    if callable(reader):
        return dict(reader(ws))
    with ws.uow() as session:
        return settings.all_values(session)


def save_setting(ws: Workspace, key: str, value: Any) -> None:
    """Change a setting (administrators only), audited in the same unit of work."""
    from casework import audit, settings
    from casework.errors import ValidationError
    from casework.permissions import require

    writer = getattr(settings, "update", None)
    if callable(writer):
        writer(ws, key, value)
        return
    require(ws.actor, "admin.settings")
    with ws.uow() as session:
        try:
            settings.set_value(session, key, value, ws.actor.user_id)
        except ValueError as exc:
            raise ValidationError(str(exc).replace(key, "This setting"), field=key) from None
        audit.record(ws, session, "setting.change", "setting", key)
