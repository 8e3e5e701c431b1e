"""The key-slot registry and the signed heads of the audit chain.

``key_slots`` is the authority for which slots of ``<db>.keys`` exist: a slot in the file
is used only when its public keys and state match its row here. ``signing_keys`` holds
every Ed25519 public key a user has signed audit heads with (a new one per password
change), and ``audit_heads`` one signed head per transaction that wrote audit entries.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, utcnow


class KeySlotRecord(Base):
    """One slot of the ``.keys`` file as the database knows it."""

    __tablename__ = "key_slots"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # user | recovery
    state: Mapped[str] = mapped_column(String(10))  # active | revoked
    box_public: Mapped[str] = mapped_column(String(64))  # X25519, base64
    sign_public: Mapped[str] = mapped_column(String(64), default="")  # Ed25519, base64
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<KeySlotRecord {self.kind} {self.state}>"


class SigningKey(Base):
    """An Ed25519 public key that signs audit heads for ``name``."""

    __tablename__ = "signing_keys"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), index=True)
    public: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditHead(Base):
    """The chain head at the end of one transaction, signed by the user who wrote it."""

    __tablename__ = "audit_heads"
    __table_args__ = (Index("ix_audit_heads_key_id_seq", "key_id", "seq"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    key_id: Mapped[int] = mapped_column(ForeignKey("signing_keys.id"))
    signature: Mapped[str] = mapped_column(String(100))
