"""Controlled vocabularies (agency, need, outcome, exploitation type, action type, recipient
body, breach response): the only words an anonymised output prints about a referral, a
complaint or a breach besides generalised values and per-output tokens.

Records store a term's ``code``; outputs print its ``label`` through ``Labels``, and a value
that is not a known code prints as "Other", so free text typed into a coded field can never
reach an output. The default terms are in ``resources/vocabularies.json`` (seeded by the
``0002_vocab`` migration). An administrator edits labels, adds terms to the open
vocabularies and retires terms ("other" always stays); every change is audited.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casework.core import audit, resources
from casework.core.context import Workspace
from casework.core.errors import NotFound, ValidationError
from casework.core.permissions import require
from db.models import VocabularyTerm

RESOURCE = "vocabularies.json"
OTHER = "other"
OTHER_LABEL = "Other"
AGENCY = "agency"
NEED = "need"
OUTCOME = "outcome"
EXPLOITATION_TYPE = "exploitation_type"
ACTION_TYPE = "action_type"
RECIPIENT_BODY = "recipient_body"
BREACH_RESPONSE = "breach_response"
DANGEROUS_INDIVIDUAL = "dangerous_individual"
CAPABILITY = "admin.settings"
_LABEL_OK = re.compile(r"[^\W\d_](?:[^\W\d]|[ '’&()/,.-])*", re.UNICODE)


@dataclass(frozen=True)
class TermView:
    vocabulary: str
    code: str
    label: str
    active: bool
    position: int


@dataclass(frozen=True)
class VocabularyInfo:
    name: str
    title: str
    fixed: bool


@lru_cache(maxsize=1)
def _definitions() -> Mapping[str, Any]:
    data: dict[str, Any] = json.loads(resources.read_text(RESOURCE))
    return data["vocabularies"]  # type: ignore[no-any-return]


def vocabularies() -> tuple[VocabularyInfo, ...]:
    """Every vocabulary, in the order of the resource file."""
    return tuple(VocabularyInfo(name, str(v["title"]), bool(v["fixed"]))
                 for name, v in _definitions().items())


def info(name: str) -> VocabularyInfo:
    for v in vocabularies():
        if v.name == name:
            return v
    raise NotFound("There is no such vocabulary.")


def normalise(text: str) -> str:
    """Text folded for matching: case, accents, apostrophes and punctuation ignored."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    folded = folded.replace("’", "'").replace("'", "")
    return " ".join(re.sub(r"[^0-9a-z]+", " ", folded).split())


def default_matches(name: str) -> dict[str, tuple[str, ...]]:
    """The other spellings each default term of a vocabulary is recognised by."""
    return {str(t["code"]): tuple(str(m) for m in t.get("match", ()))
            for t in _definitions()[name]["terms"]}


def default_labels(name: str) -> dict[str, str]:
    """Code -> label of a vocabulary's default terms (the resource file)."""
    return {str(t["code"]): str(t["label"]) for t in _definitions()[name]["terms"]}


def match_code(terms: Iterable[tuple[str, str]], text: str,
               extra: Mapping[str, Sequence[str]] | None = None) -> str:
    """The code for a free-text value: the term whose code, label or known spelling it
    is (case, accents and punctuation ignored); "other" when none; "" for no value."""
    wanted = normalise(text)
    if not wanted:
        return ""
    for code, label in terms:
        spellings = (code, label, *(extra or {}).get(code, ()))
        if wanted in {normalise(s) for s in spellings}:
            return code
    return OTHER


def seed_defaults(session: Session) -> int:
    """Add the resource file's terms a database lacks (idempotent). Returns how many."""
    have = {(v, c) for v, c in session.execute(
        select(VocabularyTerm.vocabulary, VocabularyTerm.code))}
    added = 0
    for name, v in _definitions().items():
        for pos, t in enumerate(v["terms"]):
            if (name, t["code"]) not in have:
                session.add(VocabularyTerm(vocabulary=name, code=t["code"], label=t["label"],
                                           active=True, position=pos))
                added += 1
    session.flush()
    return added


def _rows(session: Session, name: str) -> list[VocabularyTerm]:
    return list(session.scalars(select(VocabularyTerm).where(
        VocabularyTerm.vocabulary == name).order_by(VocabularyTerm.position,
                                                    VocabularyTerm.id)))


def terms_of(session: Session, name: str, active_only: bool = True) -> list[TermView]:
    """A vocabulary's terms in their order (session level, for services)."""
    info(name)
    return [TermView(r.vocabulary, r.code, r.label, r.active, r.position)
            for r in _rows(session, name) if r.active or not active_only]


def check(session: Session, name: str, value: str, field: str, *,
          allow_empty: bool = False) -> str:
    """A code the user picked, refused unless it is an active term of the vocabulary."""
    code = value.strip()
    if not code and allow_empty:
        return ""
    active = {t.code for t in terms_of(session, name)}
    if code not in active:
        raise ValidationError(f"Choose the {info(name).title.lower()} from the list "
                              f"(or \"Other\").", field=field)
    return code


def check_many(session: Session, name: str, values: Iterable[str], field: str) -> list[str]:
    """Several codes (a needs or agencies list), each checked; sorted, without repeats."""
    return sorted({check(session, name, v, field) for v in values if v.strip()})


class Labels:
    """Code -> label for every vocabulary, read once per output. A value that is not a
    known code prints as "Other": free text never passes through."""

    def __init__(self, session: Session) -> None:
        self._labels: dict[str, dict[str, str]] = {}
        for r in session.scalars(select(VocabularyTerm)):
            self._labels.setdefault(r.vocabulary, {})[r.code] = r.label

    def __repr__(self) -> str:
        return f"Labels({len(self._labels)} vocabularies)"

    def of(self, name: str, code: str | None) -> str:
        if code is None or not str(code).strip():
            return ""
        known = self._labels.get(name, {})
        return known.get(str(code), known.get(OTHER, OTHER_LABEL))

    def code_of(self, name: str, code: str | None) -> str:
        """The code itself if known, else "other" ("" for no value): for tabular outputs."""
        if code is None or not str(code).strip():
            return ""
        return str(code) if str(code) in self._labels.get(name, {}) else OTHER

    def many(self, name: str, codes: Iterable[str]) -> str:
        """Labels of several codes, joined, each printed once."""
        seen: list[str] = []
        for c in codes:
            label = self.of(name, c)
            if label and label not in seen:
                seen.append(label)
        return ", ".join(seen)


# -- the administrator's service ----------------------------------------------------------

def list_terms(ws: Workspace, name: str, active_only: bool = True) -> list[TermView]:
    """A vocabulary's terms (any signed-in user: the forms offer them)."""
    with ws.uow() as session:
        return terms_of(session, name, active_only)


def _label(label: str) -> str:
    text = " ".join(label.split())
    if not 2 <= len(text) <= 60 or not _LABEL_OK.fullmatch(text):
        raise ValidationError("A label is 2 to 60 letters naming a kind of agency, need or "
                              "response: no digits, e-mail addresses or symbols.", field="label")
    return text


def _code_for(label: str) -> str:
    return "_".join(normalise(label).split())[:40]


def add_term(ws: Workspace, name: str, label: str) -> TermView:
    """A new term of an open vocabulary (administrators), placed before "Other"."""
    require(ws.actor, CAPABILITY)
    v = info(name)
    if v.fixed:
        raise ValidationError(f"The {v.title.lower()} codes are fixed by the rules: edit a "
                              "label instead.", field="vocabulary")
    text = _label(label)
    code = _code_for(text)
    with ws.uow() as session:
        rows = _rows(session, name)
        if any(r.code == code or normalise(r.label) == normalise(text) for r in rows):
            raise ValidationError("That term is already in the list.", field="label")
        position = int(session.scalar(select(func.max(VocabularyTerm.position)).where(
            VocabularyTerm.vocabulary == name)) or 0)
        for r in rows:
            if r.code == OTHER:
                r.position = position + 1
        row = VocabularyTerm(vocabulary=name, code=code, label=text, active=True,
                             position=position)
        session.add(row)
        session.flush()
        audit.record(ws, session, "vocabulary.add", "vocabulary", name,
                     detail={"code": code, "label": text})
        return TermView(name, code, text, True, row.position)


def _find(session: Session, name: str, code: str) -> VocabularyTerm:
    info(name)
    row = session.scalar(select(VocabularyTerm).where(VocabularyTerm.vocabulary == name,
                                                      VocabularyTerm.code == code))
    if row is None:
        raise NotFound("There is no such term in that vocabulary.")
    return row


def relabel(ws: Workspace, name: str, code: str, label: str) -> TermView:
    """Change the words a term prints as (administrators); records keep their code."""
    require(ws.actor, CAPABILITY)
    text = _label(label)
    with ws.uow() as session:
        row = _find(session, name, code)
        old = row.label
        row.label = text
        audit.record(ws, session, "vocabulary.edit", "vocabulary", name,
                     detail={"code": code, "label": text, "was": old})
        return TermView(name, row.code, row.label, row.active, row.position)


def set_active(ws: Workspace, name: str, code: str, active: bool) -> TermView:
    """Retire a term (no longer offered; old records keep it) or bring it back."""
    require(ws.actor, CAPABILITY)
    if code == OTHER and not active:
        raise ValidationError("\"Other\" is always offered.", field="code")
    with ws.uow() as session:
        row = _find(session, name, code)
        row.active = active
        audit.record(ws, session, "vocabulary.edit", "vocabulary", name,
                     detail={"code": code, "active": active})
        return TermView(name, row.code, row.label, row.active, row.position)
