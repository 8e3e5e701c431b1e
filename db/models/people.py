"""People, their aliases and addresses, and the small areas addresses fall in."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.models.base import Base, Synced, SyncedStamp, utcnow

GENDERS = ("female", "male", "non_binary", "other", "not_known")
CONSENT = ("given", "refused", "not_sought", "withdrawn")


class Lsoa(Base):
    """A Lower Layer Super Output Area with its MSOA and ward roll-up."""

    __tablename__ = "lsoas"
    code: Mapped[str] = mapped_column(String(9), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    msoa_code: Mapped[str] = mapped_column(String(9), index=True)
    ward: Mapped[str | None] = mapped_column(String(80))
    local_authority: Mapped[str] = mapped_column(String(9))
    population: Mapped[int] = mapped_column(Integer, default=0)
    households: Mapped[int] = mapped_column(Integer, default=0)

    def __repr__(self) -> str:
        return f"<Lsoa {self.code}>"


class Person(Synced, Base):
    __tablename__ = "people"
    __table_args__ = (
        # Search as you type (casework.search): a name prefix, then the other name
        # checked inside the index, without reading the table.
        Index("ix_people_given_family", "given_name", "family_name"),
        Index("ix_people_family_given", "family_name", "given_name"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    given_name: Mapped[str] = mapped_column(String(80), default="")
    # looked up by ix_people_family_given (family_name first: no index of its own)
    family_name: Mapped[str] = mapped_column(String(80), default="")
    date_of_birth: Mapped[date | None]
    gender: Mapped[str] = mapped_column(String(20), default="not_known")
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(120), default="")
    flag_mental_health: Mapped[bool] = mapped_column(Boolean, default=False)
    flag_disability: Mapped[bool] = mapped_column(Boolean, default=False)
    flag_age: Mapped[bool] = mapped_column(Boolean, default=False)
    flag_repeat_victim: Mapped[bool] = mapped_column(Boolean, default=False)
    flag_hate_motivated: Mapped[bool] = mapped_column(Boolean, default=False)
    consent: Mapped[str] = mapped_column(String(20), default="not_sought")
    notes: Mapped[str] = mapped_column(Text, default="")
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    anonymised: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    aliases: Mapped[list[PersonAlias]] = relationship(
        back_populates="person", cascade="all, delete-orphan"
    )
    addresses: Mapped[list[PersonAddress]] = relationship(
        back_populates="person", cascade="all, delete-orphan"
    )


class PersonAlias(SyncedStamp, Base):
    __tablename__ = "person_aliases"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    alias: Mapped[str] = mapped_column(String(160), index=True)  # search
    person: Mapped[Person] = relationship(back_populates="aliases")


class Address(SyncedStamp, Base):
    __tablename__ = "addresses"
    id: Mapped[int] = mapped_column(primary_key=True)
    line1: Mapped[str] = mapped_column(String(160), default="", index=True)  # search
    line2: Mapped[str] = mapped_column(String(160), default="")
    town: Mapped[str] = mapped_column(String(80), default="")
    postcode: Mapped[str] = mapped_column(String(10), default="", index=True)
    lsoa_code: Mapped[str | None] = mapped_column(ForeignKey("lsoas.code"), index=True)
    lsoa: Mapped[Lsoa | None] = relationship()


class PersonAddress(SyncedStamp, Base):
    __tablename__ = "person_addresses"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    address_id: Mapped[int] = mapped_column(ForeignKey("addresses.id"), index=True)
    current: Mapped[bool] = mapped_column(Boolean, default=True)
    from_date: Mapped[date | None]
    to_date: Mapped[date | None]
    person: Mapped[Person] = relationship(back_populates="addresses")
    address: Mapped[Address] = relationship()
