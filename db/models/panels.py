"""SWIP and MART referrals, panel meetings, attendance, minutes, actions, NRM."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, SyncedStamp

SWIP_NEEDS = ("housing", "substance_use", "health", "exploitation_risk", "debt")
SWIP_OUTCOMES = ("engaged_with_support", "exited", "moved_away", "disengaged")
EXPLOITATION_TYPES = (
    "labour", "sexual", "criminal", "county_lines", "domestic_servitude", "organ_harvesting",
    "forced_marriage", "financial_fraud", "unknown",
)
MART_OUTCOMES = (
    "removed_from_exploitation", "housed", "benefits_in_place", "perpetrators_disrupted",
    "prosecution", "no_further_action",
)


class Referral(SyncedStamp, Base):
    """A SWIP or MART referral; the case row carries type, panel, risk and status."""

    __tablename__ = "referrals"
    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    referrer_name: Mapped[str] = mapped_column(String(120), default="")
    referrer_agency: Mapped[str] = mapped_column(String(80), default="")
    referred_on: Mapped[date]
    consent: Mapped[str] = mapped_column(String(20), default="not_sought")
    needs: Mapped[str] = mapped_column(Text, default="[]")  # JSON list from SWIP_NEEDS
    agencies_engaged: Mapped[str] = mapped_column(Text, default="[]")  # JSON list
    location_concern: Mapped[bool] = mapped_column(Boolean, default=False)


class MartDetail(SyncedStamp, Base):
    __tablename__ = "mart_details"
    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    exploitation_type: Mapped[str] = mapped_column(String(30), default="unknown")
    is_child: Mapped[bool] = mapped_column(Boolean, default=False)
    nationality: Mapped[str] = mapped_column(String(60), default="")
    nrm_referred: Mapped[bool] = mapped_column(Boolean, default=False)
    nrm_referred_on: Mapped[date | None]
    duty_to_notify: Mapped[bool] = mapped_column(Boolean, default=False)
    duty_to_notify_on: Mapped[date | None]
    informed_consent: Mapped[bool | None]
    first_responder: Mapped[str] = mapped_column(String(80), default="")
    # The age group follows the date of birth at the time of exploitation; a different
    # recorded age group carries its reason.
    exploited_on: Mapped[date | None]
    age_override_reason: Mapped[str] = mapped_column(Text, default="")


class NrmDecision(SyncedStamp, Base):
    __tablename__ = "nrm_decisions"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # reasonable_grounds | conclusive_grounds
    decided_on: Mapped[date] = mapped_column(index=True)
    positive: Mapped[bool]
    recovery_period_ends: Mapped[date | None]
    # Why a conclusive-grounds decision came before the minimum recovery period ended.
    early_reason: Mapped[str] = mapped_column(Text, default="")


class MartOutcome(SyncedStamp, Base):
    """One coded outcome of a MART case (a case may have several)."""

    __tablename__ = "mart_outcomes"
    __table_args__ = (UniqueConstraint("case_id", "outcome"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    outcome: Mapped[str] = mapped_column(String(40))  # from MART_OUTCOMES
    recorded_on: Mapped[date]


class UglyMugReport(SyncedStamp, Base):
    """An ugly-mug / dangerous-individual report: a record of its own, held by a panel,
    with a coded description, the date, the small area and the referrals it concerns."""

    __tablename__ = "ugly_mug_reports"
    id: Mapped[int] = mapped_column(primary_key=True)
    # The referral it was first recorded on (older rows); links are in ugly_mug_links.
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"),
                                                index=True)
    reported_on: Mapped[date]
    description: Mapped[str] = mapped_column(Text, default="")  # never shared
    panel_id: Mapped[int | None] = mapped_column(ForeignKey("panels.id"), index=True)
    code: Mapped[str] = mapped_column(String(40), default="other")  # dangerous_individual
    lsoa_code: Mapped[str | None] = mapped_column(String(12))


class UglyMugLink(SyncedStamp, Base):
    """A referral an ugly-mug report concerns."""

    __tablename__ = "ugly_mug_links"
    __table_args__ = (UniqueConstraint("report_id", "case_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("ugly_mug_reports.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)


class Meeting(SyncedStamp, Base):
    __tablename__ = "meetings"
    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("panels.id"), index=True)
    scheduled_on: Mapped[date]
    held: Mapped[bool] = mapped_column(Boolean, default=False)
    chair_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    location: Mapped[str] = mapped_column(String(120), default="")
    starts_at: Mapped[str] = mapped_column(String(5), default="")  # "HH:MM"


class MeetingAttendance(SyncedStamp, Base):
    __tablename__ = "meeting_attendance"
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    attendee: Mapped[str] = mapped_column(String(120))  # a professional, not a subject
    agency: Mapped[str] = mapped_column(String(80), default="")
    present: Mapped[bool] = mapped_column(Boolean, default=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    role: Mapped[str] = mapped_column(String(10), default="member")  # chair|member|guest


class MeetingItem(SyncedStamp, Base):
    """One referral on a meeting's agenda, with the minute recorded for it."""

    __tablename__ = "meeting_items"
    __table_args__ = (UniqueConstraint("meeting_id", "case_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    order: Mapped[int] = mapped_column(default=0)
    progress: Mapped[str] = mapped_column(Text, default="")
    progress_shareable: Mapped[bool] = mapped_column(Boolean, default=False)
    discussed: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str] = mapped_column(String(20), default="")  # new | review_due | added
    decision: Mapped[str] = mapped_column(Text, default="")  # shared as progress is
    removed: Mapped[bool] = mapped_column(Boolean, default=False)  # taken off, with a reason
    removed_reason: Mapped[str] = mapped_column(String(200), default="")


class PanelAction(SyncedStamp, Base):
    __tablename__ = "panel_actions"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id"), index=True)
    agency: Mapped[str] = mapped_column(String(80))
    owner: Mapped[str] = mapped_column(String(120), default="")
    description: Mapped[str] = mapped_column(Text)
    shareable: Mapped[bool] = mapped_column(Boolean, default=False)
    due_on: Mapped[date]
    completed_on: Mapped[date | None]
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id", ondelete="SET NULL"))
