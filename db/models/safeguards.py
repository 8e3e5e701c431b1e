"""The disclosure log: what left the council under subject access, to whom and when."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, SyncedStamp, utcnow


class Disclosure(SyncedStamp, Base):
    """One disclosure of a person's information. ``person_id`` and ``task_id`` are plain
    numbers (no foreign keys): the log outlives the records it describes, and is no
    reference to the person that would hold their record back from retention."""

    __tablename__ = "disclosures"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(Integer, index=True)
    task_id: Mapped[int | None] = mapped_column(Integer)  # the request's task
    kind: Mapped[str] = mapped_column(String(30), default="subject_access")
    disclosed_on: Mapped[date] = mapped_column(index=True)
    recipient: Mapped[str] = mapped_column(String(120))
    method: Mapped[str] = mapped_column(String(40), default="")
    what: Mapped[str] = mapped_column(Text, default="")
    files: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of file names
    sha256: Mapped[str] = mapped_column(Text, default="{}")  # JSON {file: digest}
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
