"""Sanctuary / target-hardening jobs: eligibility, survey, work lines, feedback."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, SyncedStamp

WORK_KINDS = (
    "door_lock", "window_lock", "door_viewer", "door_chain", "reinforced_door",
    "replacement_door", "sanctuary_room", "fireproof_letterbox", "lighting", "alarm",
    "video_doorbell", "guardcam",
)
REFERRAL_SOURCES = ("idva", "police", "housing", "asb_team", "other")


class Contractor(Base):
    __tablename__ = "contractors"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class SanctuaryJob(SyncedStamp, Base):
    __tablename__ = "sanctuary_jobs"
    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    victim_of: Mapped[str] = mapped_column(String(20), default="domestic_abuse")  # or burglary
    referral_source: Mapped[str] = mapped_column(String(20), default="idva")
    victim_chose: Mapped[bool] = mapped_column(Boolean, default=False)
    perpetrator_not_resident: Mapped[bool] = mapped_column(Boolean, default=False)
    right_to_occupy: Mapped[bool] = mapped_column(Boolean, default=False)
    landlord_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    risk_assessment_done: Mapped[bool] = mapped_column(Boolean, default=False)
    # The day each eligibility check was made (None while it is not passed).
    victim_chose_on: Mapped[date | None]
    perpetrator_not_resident_on: Mapped[date | None]
    right_to_occupy_on: Mapped[date | None]
    landlord_consent_on: Mapped[date | None]
    risk_assessment_done_on: Mapped[date | None]
    contractor_id: Mapped[int | None] = mapped_column(ForeignKey("contractors.id"), index=True)
    referred_on: Mapped[date] = mapped_column(index=True)
    surveyed_on: Mapped[date | None]
    ordered_on: Mapped[date | None]
    completed_on: Mapped[date | None]  # ix_sanctuary_jobs_completed_on (db.models.reporting)
    fire_safety_checked_on: Mapped[date | None]


class WorkLine(SyncedStamp, Base):
    __tablename__ = "work_lines"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    description: Mapped[str] = mapped_column(String(200), default="")
    cost_pence: Mapped[int] = mapped_column(Integer, default=0)


class SanctuaryFeedback(SyncedStamp, Base):
    __tablename__ = "sanctuary_feedback"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    collected_on: Mapped[date]
    felt_safer: Mapped[bool | None]
    further_incidents: Mapped[bool | None]
    moved: Mapped[bool] = mapped_column(Boolean, default=False)
    comments: Mapped[str] = mapped_column(Text, default="")
