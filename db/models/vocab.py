"""Controlled vocabularies: the coded values an anonymised output may print.

One row per term of a vocabulary (agency, need, outcome, exploitation type, action type,
recipient body, breach response). Records store the ``code``; outputs print the ``label``
(an administrator edits labels and, for the open vocabularies, adds terms). A retired term
stays so that older records keep their meaning.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base


class VocabularyTerm(Base):
    __tablename__ = "vocabulary_terms"
    __table_args__ = (UniqueConstraint("vocabulary", "code",
                                       name="uq_vocabulary_terms_vocabulary_code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    vocabulary: Mapped[str] = mapped_column(String(40), index=True)
    code: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(80))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
