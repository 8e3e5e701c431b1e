"""Police-recorded anti-social behaviour (police.uk street-level data) for area context.

police.uk publishes ASB incidents without a crime id, already anonymised to a "near"
location and a month. These rows hold no personal data; they sit beside the council's own
cases in the quarterly aggregate tables, per LSOA and MSOA, under the same suppression.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, utcnow


class PoliceAsbImport(Base):
    """One imported police.uk file: its digest, the months it covered and what was kept."""

    __tablename__ = "police_asb_imports"
    id: Mapped[int] = mapped_column(primary_key=True)
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    imported_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    file_name: Mapped[str] = mapped_column(String(200), default="")
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    months: Mapped[str] = mapped_column(String(200), default="")  # comma-separated YYYY-MM
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    rows_kept: Mapped[int] = mapped_column(Integer, default=0)
    rows_no_lsoa: Mapped[int] = mapped_column(Integer, default=0)


class PoliceAsbIncident(Base):
    """One police-recorded ASB incident. ``lsoa_code`` is None when police.uk gave none."""

    __tablename__ = "police_asb_incidents"
    __table_args__ = (Index("ix_police_asb_month_lsoa", "month", "lsoa_code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(
        ForeignKey("police_asb_imports.id", ondelete="CASCADE"), index=True
    )
    month: Mapped[date]  # first day of the month police.uk reports
    force: Mapped[str] = mapped_column(String(80), default="")
    lsoa_code: Mapped[str | None] = mapped_column(String(9))
    location: Mapped[str] = mapped_column(String(200), default="")
