"""Declarative base with a naming convention (batch migrations on SQLite need names)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

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
