"""Declarative base with a naming convention (batch migrations on SQLite need names)."""

from __future__ import annotations

import uuid as _uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

from db import clock

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)

    def __repr__(self) -> str:
        # Identifiers only: a repr must never print personal data.
        ident = getattr(self, "id", None) or getattr(self, "case_id", None)
        return f"<{type(self).__name__} id={ident}>"


def utcnow() -> datetime:
    """Now as a naive UTC timestamp, from the project's one clock (``db.clock``)."""
    return clock.utcnow()


def new_uuid() -> str:
    """A fresh row identity (random, version 4), the same on every copy of the row."""
    return str(_uuid.uuid4())


class Synced:
    """A row a later offline copy can sync: a stable ``uuid`` and a ``version`` that
    SQLAlchemy raises on every UPDATE and checks in its WHERE clause (``version_id_col``),
    so a write based on a row someone else changed meanwhile fails instead of winning.
    Every change is written to ``change_log`` in the same transaction (``db.changelog``).
    Tables without their own ``updated_at`` get one with ``SyncedStamp``."""

    uuid: Mapped[str] = mapped_column(String(36), default=new_uuid, index=True, unique=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]


class SyncedStamp(Synced):
    """``Synced`` with an ``updated_at`` (naive UTC) set on insert and on every update."""

    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
