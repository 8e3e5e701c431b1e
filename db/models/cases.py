"""Cases: the fields every case type shares, parties, tasks, notes and documents."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.models.base import Base, Synced, SyncedStamp, utcnow

CASE_TYPES = ("asb", "trigger", "swip", "mart", "sanctuary")
CASE_STATUSES = ("open", "closed")
RISK_LEVELS = ("standard", "medium", "high")
PARTY_ROLES = ("victim", "complainant", "perpetrator", "witness", "household", "professional",
               "guardian")


class Case(Synced, Base):
    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_opened", "opened_on"),
        # The case list: a covering index for the visibility rule (type, team, panel),
        # its filters and its sort keys, so that a page or a count reads no table rows.
        Index("ix_cases_list", "case_type", "team_id", "panel_id", "status", "risk_level",
              "opened_on", "next_review_on", "owner_id", "lsoa_code", "reference"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    case_type: Mapped[str] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(10), default="open")
    opened_on: Mapped[date]
    closed_on: Mapped[date | None]
    outcome: Mapped[str | None] = mapped_column(String(40))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    panel_id: Mapped[int | None] = mapped_column(ForeignKey("panels.id"), index=True)
    risk_level: Mapped[str] = mapped_column(String(10), default="standard")
    address_id: Mapped[int | None] = mapped_column(ForeignKey("addresses.id"), index=True)
    # looked up by the case list's ix_cases_area (lsoa_code first: no index of its own)
    lsoa_code: Mapped[str | None] = mapped_column(ForeignKey("lsoas.code"))
    summary: Mapped[str] = mapped_column(Text, default="")  # free text: never exported
    next_review_on: Mapped[date | None]
    external_reference: Mapped[str | None] = mapped_column(String(60), index=True)  # import
    anonymised_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    parties: Mapped[list[CaseParty]] = relationship(
        back_populates="case", cascade="all, delete-orphan"
    )


class CaseParty(SyncedStamp, Base):
    __tablename__ = "case_parties"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    agency: Mapped[str] = mapped_column(String(80), default="")
    ended_on: Mapped[date | None]  # the person no longer takes part in this role
    case: Mapped[Case] = relationship(back_populates="parties")


class Task(SyncedStamp, Base):
    __tablename__ = "tasks"
    __table_args__ = (Index("ix_tasks_open_due", "completed_on", "due_on"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(40))  # the rule that made it
    title: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date]
    assigned_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    completed_on: Mapped[date | None]
    closed_reason: Mapped[str] = mapped_column(String(200), default="")  # why it was closed
    snoozed_until: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Note(SyncedStamp, Base):
    __tablename__ = "notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    body: Mapped[str] = mapped_column(Text)
    shareable: Mapped[bool] = mapped_column(Boolean, default=False)


class Document(SyncedStamp, Base):
    """A generated letter or an attached file, kept with the case (encrypted with it)."""

    __tablename__ = "documents"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    mime: Mapped[str] = mapped_column(String(60), default="application/pdf")
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer, default=0)
    # a letter: the template and its version it was made from ("" and None: not a letter)
    template_key: Mapped[str] = mapped_column(String(60), default="")
    template_version: Mapped[int | None] = mapped_column(Integer)


class EvidenceItem(SyncedStamp, Base):
    """A file attached to a case as evidence (photo, statement, diary sheet...): the bytes
    are a ``Document`` (kind ``evidence``, encrypted with the database)."""

    __tablename__ = "evidence_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    evidence_type: Mapped[str] = mapped_column(String(40))
    evidence_on: Mapped[date]
    description: Mapped[str] = mapped_column(Text, default="")
    file_name: Mapped[str] = mapped_column(String(200), default="")
    added_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)


class LetterTemplateVersion(Base):
    """An administrator's edit of a letter template; the newest version of a key is used
    (the packaged file, version 0, when there is none). Rows are never changed or deleted:
    a revert is a new version copying an older one (``reverted_from``). Reference data
    like the settings (read by every login, written by administrators), not case data, so
    it carries no sync stamp."""

    __tablename__ = "letter_template_versions"
    __table_args__ = (UniqueConstraint("key", "version",
                                       name="uq_letter_template_versions_key_version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(60), index=True)
    version: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    reason: Mapped[str] = mapped_column(String(200), default="")
    reverted_from: Mapped[int | None] = mapped_column(Integer)
    # the SHA-256 of the packaged (standard) text this version was edited from or reviewed
    # against; NULL for versions saved before it was recorded
    standard_sha256: Mapped[str | None] = mapped_column(String(64))
