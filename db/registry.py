"""The database's registry of key slots: which slots of ``<db>.keys`` it vouches for.

A slot in the file is used (to unlock, or to be sealed to by a rekey) only when the
database holds a row for it with the same kind and public keys and the state ``active``.
Rows are written in the caller's transaction, beside the audit entry of the change.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from db import clock
from db.keyslots import Slot
from db.models import KeySlotRecord, SigningKey


@dataclass(frozen=True)
class Registered:
    """A slot as the database registered it (public keys only)."""

    name: str
    kind: str
    state: str
    box_public: str
    sign_public: str


def records(session: Session) -> dict[str, Registered]:
    """Every registered slot by name."""
    return {r.name: Registered(r.name, r.kind, r.state, r.box_public, r.sign_public)
            for r in session.scalars(select(KeySlotRecord))}


def refusal(slot: Slot, record: Registered | None) -> str | None:
    """Why the database does not vouch for ``slot`` (None when it does)."""
    if record is None:
        return "is not registered in the database (added outside casework)"
    if record.kind != slot.kind:
        return "is not of the kind the database registered (altered outside casework)"
    if record.box_public != slot.public:
        return ("does not have the public key the database registered (altered, or "
                "restored from an old copy, outside casework)")
    if record.sign_public and record.sign_public != slot.sign_public:
        return ("does not have the signing key the database registered (altered, or "
                "restored from an old copy, outside casework)")
    if slot.state == "active" and record.state != "active":
        return "was revoked in the database (restored from an old copy outside casework)"
    return None


def register(session: Session, slot: Slot) -> int | None:
    """Record ``slot`` (new, or replacing the slot of that name) and its signing key.
    Returns the signing key's id (None when the slot has none yet)."""
    record = session.get(KeySlotRecord, slot.name)
    if record is None:
        record = KeySlotRecord(name=slot.name)
        session.add(record)
    record.kind, record.state = slot.kind, slot.state
    record.box_public, record.sign_public = slot.public, slot.sign_public
    record.updated_at = clock.utcnow()
    session.flush()
    return signing_key_id(session, slot.name, slot.sign_public, create=True)


def set_state(session: Session, name: str, state: str) -> None:
    record = session.get(KeySlotRecord, name)
    if record is not None:
        record.state = state
        record.updated_at = clock.utcnow()
        session.flush()


def signing_key_id(session: Session, name: str, public: str, *,
                   create: bool = False) -> int | None:
    """The id of ``name``'s signing key ``public`` (added when ``create``)."""
    if not public:
        return None
    key = session.scalar(select(SigningKey).where(SigningKey.public == public))
    if key is not None:
        return key.id if key.name == name else None
    if not create:
        return None
    key = SigningKey(name=name, public=public, created_at=clock.utcnow())
    session.add(key)
    session.flush()
    return key.id
