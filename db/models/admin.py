"""Users, teams, panels, settings, the sharing protocol and the audit trail."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.models.base import Base, utcnow

ROLES = ("case_manager", "panel_member", "panel_chair", "coordinator", "administrator",
         "information_governance")
TEAM_KINDS = ("asb", "community_trigger", "sanctuary", "coordination", "administration")
PANEL_KINDS = ("swip", "mart")


class Team(Base):
    __tablename__ = "teams"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(40), default="asb")


class Panel(Base):
    __tablename__ = "panels"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(10))  # swip | mart
    meeting_interval_days: Mapped[int] = mapped_column(Integer, default=42)


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    job_title: Mapped[str] = mapped_column(String(120), default="")  # signs letters
    role: Mapped[str] = mapped_column(String(40))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    failed_unlocks: Mapped[int] = mapped_column(Integer, default=0)
    team: Mapped[Team | None] = relationship()
    memberships: Mapped[list[PanelMembership]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )


class PanelMembership(Base):
    __tablename__ = "panel_memberships"
    __table_args__ = (UniqueConstraint("user_id", "panel_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    panel_id: Mapped[int] = mapped_column(ForeignKey("panels.id", ondelete="CASCADE"))
    is_chair: Mapped[bool] = mapped_column(Boolean, default=False)
    agency: Mapped[str] = mapped_column(String(40), default="")  # coded, for attendance
    user: Mapped[User] = relationship(back_populates="memberships")
    panel: Mapped[Panel] = relationship()


class Setting(Base):
    """One typed setting; the value is JSON text. Declared with defaults in casework."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class SharingProtocol(Base):
    """A version of the information-sharing protocol; versions are never edited."""

    __tablename__ = "sharing_protocols"
    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    definition: Mapped[str] = mapped_column(Text)  # JSON


class AuditEntry(Base):
    """Append-only, HMAC-chained. Holds who, when, what; never sensitive values."""

    __tablename__ = "audit_entries"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    ts: Mapped[str] = mapped_column(String(32))  # ISO-8601 UTC, canonical text
    user_id: Mapped[int | None] = mapped_column(Integer)
    username: Mapped[str] = mapped_column(String(64), default="")
    action: Mapped[str] = mapped_column(String(40), index=True)
    record_type: Mapped[str] = mapped_column(String(40), default="")
    record_id: Mapped[str] = mapped_column(String(40), default="", index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[str] = mapped_column(Text, default="")  # JSON of non-sensitive facts
    hash: Mapped[str] = mapped_column(String(64))

    def __repr__(self) -> str:
        return f"<AuditEntry seq={self.seq} action={self.action}>"
