"""Enrolment: the unlocking user's signing key is registered before they write anything.

A slot made by this version already has a registered key. A slot from before
0003_signing gets one at its user's first unlock (made by them, sealed to their own slot).
The first unlock of such a database also registers every slot of its ``.keys`` file as
the database's registry, and seals the old chain: it is checked once under the old
HMAC key, re-hashed as the new chain, and the first signed head covers it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from casework.core import audit

if TYPE_CHECKING:
    from casework.core.context import Workspace


def ensure_enrolled(ws: Workspace) -> None:
    """Register ``ws``'s signing key (and migrate an older database) if not done yet."""
    store = ws.store
    if store.signing_ready:
        return
    old_key = store.derived_key("audit")
    with ws.uow() as session:
        found = audit.seal_legacy(session, old_key) if audit.needs_seal(session) else None
        owner, fp = store.enrol(session)
        audit.register_key(ws, session, owner, fp)
        if found is not None:
            audit.record(ws, session, "audit.migrate", detail=found)
