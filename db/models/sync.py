"""The change log: one row per committed change of a synced row (``db.changelog``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, utcnow


class ChangeLog(Base):
    """A row inserted, updated or deleted, written in the transaction that changed it.

    ``id`` orders the changes (a later offline copy syncs "everything after id N"); its
    maximum is the cheap "last change" marker screens poll. ``columns`` names the columns
    an update changed (never their values); ``case_id`` is the case the row belongs to,
    if any, so a screen knows which case to refresh."""

    __tablename__ = "change_log"
    __table_args__ = (
        Index("ix_change_log_row", "table_name", "row_uuid", "version"),
        Index("ix_change_log_case", "case_id", "id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    table_name: Mapped[str] = mapped_column(String(40))
    row_uuid: Mapped[str] = mapped_column(String(36))
    row_id: Mapped[str] = mapped_column(String(40), default="")
    case_id: Mapped[int | None] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)
    op: Mapped[str] = mapped_column(String(6))  # insert | update | delete
    columns: Mapped[str] = mapped_column(Text, default="")  # comma-separated names
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(64), default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)
