"""Community Trigger (ASB case review): application, complaints, review, appeal."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, SyncedStamp

TRIGGER_BODIES = ("council", "police", "icb", "housing_provider", "other")


class TriggerApplication(SyncedStamp, Base):
    __tablename__ = "trigger_applications"
    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    applicant_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    on_behalf: Mapped[bool] = mapped_column(Boolean, default=False)
    received_on: Mapped[date] = mapped_column(index=True)
    acknowledged_on: Mapped[date | None]
    proposed_threshold_met: Mapped[bool | None]
    threshold_met: Mapped[bool | None]
    threshold_reasons: Mapped[str] = mapped_column(Text, default="")
    threshold_decided_on: Mapped[date | None]
    threshold_decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    outcome_letter_on: Mapped[date | None]
    applicant_response: Mapped[str] = mapped_column(Text, default="")
    appeal_requested_on: Mapped[date | None]
    appeal_outcome: Mapped[str | None] = mapped_column(String(40))
    appeal_decided_on: Mapped[date | None]


class TriggerComplaint(SyncedStamp, Base):
    __tablename__ = "trigger_complaints"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    behaviour_on: Mapped[date]
    complained_on: Mapped[date]
    agency: Mapped[str] = mapped_column(String(40), default="council")
    incident_key: Mapped[str] = mapped_column(String(80), default="")  # same incident, once
    hate_related: Mapped[bool] = mapped_column(Boolean, default=False)
    complainant_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"),
                                                              index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    place: Mapped[str] = mapped_column(String(120), default="")  # where: street, park, block
    # JSON list of the ids of complaints a person said report a different incident
    # (a rejected same-incident suggestion is not offered again)
    not_same_as: Mapped[str] = mapped_column(Text, default="[]")


class TriggerReview(SyncedStamp, Base):
    __tablename__ = "trigger_reviews"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    meeting_on: Mapped[date]
    bodies: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of bodies present
    findings: Mapped[str] = mapped_column(Text, default="")


class TriggerRecommendation(SyncedStamp, Base):
    __tablename__ = "trigger_recommendations"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(String(40))
    recommendation: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date]
    completed_on: Mapped[date | None]
    order: Mapped[int] = mapped_column(Integer, default=0)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id", ondelete="SET NULL"))
