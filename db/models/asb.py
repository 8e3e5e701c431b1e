"""Anti-social behaviour cases: incidents, risk assessments, the escalation ladder."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, SyncedStamp, utcnow

ASB_CATEGORIES = ("personal", "nuisance", "environmental")
INCIDENT_SOURCES = ("council", "police", "housing", "other")
ESCALATION_ACTIONS = (
    "verbal_warning", "first_warning_letter", "second_warning_letter", "home_visit",
    "abc", "cpw", "cpn", "injunction", "closure_notice", "closure_order",
    "closure_order_extension", "tenancy_enforcement", "possession", "cbo",
    "de_escalation", "closure",
)


class AsbDetail(SyncedStamp, Base):
    __tablename__ = "asb_details"
    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    category: Mapped[str] = mapped_column(String(20))
    subcategory: Mapped[str] = mapped_column(String(40), default="")
    stage: Mapped[int] = mapped_column(Integer, default=0)
    subject_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    first_contact_due: Mapped[date | None]
    first_contact_on: Mapped[date | None]
    guardcam_installed: Mapped[bool] = mapped_column(Boolean, default=False)


class Incident(SyncedStamp, Base):
    __tablename__ = "incidents"
    id: Mapped[int] = mapped_column(primary_key=True)
    # looked up by ix_incidents_case_occurred (case_id first: no index of its own)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    occurred_on: Mapped[date]
    reported_on: Mapped[date]
    location: Mapped[str] = mapped_column(String(200), default="")
    lsoa_code: Mapped[str | None] = mapped_column(ForeignKey("lsoas.code"))
    reporter_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    source: Mapped[str] = mapped_column(String(20), default="council")
    police_reference: Mapped[str] = mapped_column(String(80), default="")
    hate_motivated: Mapped[bool] = mapped_column(Boolean, default=False)
    description: Mapped[str] = mapped_column(Text, default="")


class RiskAssessment(SyncedStamp, Base):
    __tablename__ = "risk_assessments"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    assessed_on: Mapped[date]
    assessor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    personal_score: Mapped[int] = mapped_column(Integer, default=0)
    situational_score: Mapped[int] = mapped_column(Integer, default=0)
    incidental_score: Mapped[int] = mapped_column(Integer, default=0)
    total_score: Mapped[int] = mapped_column(Integer, default=0)
    level: Mapped[str] = mapped_column(String(10))
    answers: Mapped[str] = mapped_column(Text, default="{}")  # JSON of question -> score
    next_review_on: Mapped[date | None]
    is_intake: Mapped[bool] = mapped_column(Boolean, default=False)


class EscalationStep(SyncedStamp, Base):
    __tablename__ = "escalation_steps"
    id: Mapped[int] = mapped_column(primary_key=True)
    # looked up by ix_escalation_steps_case_taken (case_id first)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    stage: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(40))
    taken_on: Mapped[date]
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    reason: Mapped[str] = mapped_column(Text, default="")  # required when a stage is skipped
    expires_on: Mapped[date | None]
    duration_hours: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Breach(SyncedStamp, Base):
    __tablename__ = "breaches"
    id: Mapped[int] = mapped_column(primary_key=True)
    step_id: Mapped[int] = mapped_column(
        ForeignKey("escalation_steps.id", ondelete="CASCADE"), index=True
    )
    occurred_on: Mapped[date]
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action_taken: Mapped[str] = mapped_column(String(80), default="")
    description: Mapped[str] = mapped_column(Text, default="")
