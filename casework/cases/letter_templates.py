"""Letter templates an administrator edits, versioned (capability ``admin.letters``).

The packaged ``resources/letters/<key>.txt`` is version 0 (built in). Saving an edit adds
the next version with the administrator's reason; the newest version is used for new
letters, older ones are kept and can be read; a revert saves a copy of an older version as
the next one (nothing is ever overwritten or deleted). Every save and revert is audited
(``letter.template``, ``letter.template_revert``) with the template's key, the versions
and the reason, never the text.

Before a text is saved it is checked (``check_template``): it parses (a ``title:`` line,
a blank line, the body), uses only the placeholders that letter's callers fill
(``letter_rules.fields_of``), keeps the content the law requires of that kind of letter
(``letter_rules.required_of``), and lays out through the real renderer with synthetic
sample data. The renderer escapes the template's text like every filled value, so markup
typed into a template is printed as typed and never interpreted.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casework.cases import letter_rules
from casework.cases.letters import (
    DEFAULT_JOB_TITLE,
    TEAM_NAMES,
    LetterTemplate,
    letter_date,
    letterhead,
    packaged_text,
    parse_template,
    render_pdf,
    template_keys,
)
from casework.core import audit, clock
from casework.core.context import Workspace
from casework.core.errors import NotFound, ValidationError
from casework.core.permissions import require
from db.models import LetterTemplateVersion, User

CAPABILITY = "admin.letters"
MAX_TEXT = 20_000  # characters: a letter of a few pages
REASON_MIN, REASON_MAX = 3, 200


@dataclass(frozen=True)
class TemplateVersion:
    """One version of a template: who saved it, when, why, and its text (0: built in)."""

    key: str
    version: int
    created_at: str
    created_by: str
    reason: str
    reverted_from: int | None
    text: str

    def __repr__(self) -> str:
        return f"TemplateVersion({self.key!r}, {self.version})"


@dataclass(frozen=True)
class TemplateSummary:
    """A template in the list: its key, title and current version."""

    key: str
    title: str
    version: int
    updated_at: str


@dataclass(frozen=True)
class TemplateDetail:
    """What the editor shows: the current text, the placeholders it may use (name, what
    it holds), what it must keep, and every version, newest first."""

    key: str
    title: str
    version: int
    text: str
    fields: tuple[tuple[str, str], ...]
    required: tuple[str, ...]
    history: tuple[TemplateVersion, ...]


def _rows(session: Session, key: str) -> list[LetterTemplateVersion]:
    return list(session.scalars(select(LetterTemplateVersion)
                                .where(LetterTemplateVersion.key == key)
                                .order_by(LetterTemplateVersion.version.desc())))


def _version(session: Session, row: LetterTemplateVersion) -> TemplateVersion:
    user = session.get(User, row.created_by) if row.created_by is not None else None
    return TemplateVersion(row.key, row.version, row.created_at.isoformat(timespec="seconds"),
                           user.username if user is not None else "", row.reason,
                           row.reverted_from, row.text)


def _builtin(key: str) -> TemplateVersion:
    return TemplateVersion(key, 0, "", "", "Built in", None, packaged_text(key))


def sample_fields(key: str, session: Session | None = None) -> dict[str, str]:
    """Synthetic values for every placeholder of the template ``key``, with the council's
    real letterhead when a session is given (what a preview shows: no person or case)."""
    trigger = key.startswith("trigger_")
    fields = {**letter_rules.SAMPLE, "date": letter_date(clock.today()),
              "team_name": TEAM_NAMES["trigger" if trigger else "asb"],
              "reference": "CT-2026-000000" if trigger else letter_rules.SAMPLE["reference"]}
    if session is not None:
        fields |= letterhead(session)
    else:
        fields |= {"organisation": "Exampleshire Council", "council_address": "",
                   "council_phone": "", "council_email": "", "logo": "",
                   "magistrates_court": "Exampletown Magistrates' Court"}
    fields.setdefault("officer_title", DEFAULT_JOB_TITLE)
    return fields


def _render(template: LetterTemplate, fields: dict[str, str]) -> bytes:
    """Lay the template out as ``letters.draft_letter`` does (a youth wording: addressed
    also to the parent or guardian, with the notice under the title)."""
    block = dict(fields)
    notices: list[str] = []
    if template.key.endswith(letter_rules.YOUTH):
        block["recipient_name"] = f"{fields['recipient_name']}\nand their parent or guardian"
        notices = [f"This letter is to {fields['recipient_name']}, who is under 18, and to "
                   "their parent or guardian. Please read it together."]
    return render_pdf(template.title, block, template.body.safe_substitute(fields), notices)


def check_template(key: str, text: str) -> LetterTemplate:
    """The template ``key`` parsed from ``text``, or ValidationError naming what is wrong:
    its form, a placeholder the letter does not have, or the required content it lost."""
    if key not in template_keys():
        raise NotFound("No such letter template.")
    text = text.replace("\r\n", "\n")
    if len(text) > MAX_TEXT:
        raise ValidationError(f"A template is at most {MAX_TEXT:,} characters.", field="text")
    if any(ord(c) < 32 and c not in "\n\t" for c in text):
        raise ValidationError("The template contains control characters: remove them.",
                              field="text")
    candidate = parse_template(key, text)
    if not candidate.title or candidate.title == key or not candidate.body.template:
        raise ValidationError("A template starts with a 'title:' line, a blank line, then "
                              "the body.", field="text")
    if not candidate.body.is_valid():
        raise ValidationError("The template has a malformed $placeholder: write $name, "
                              "${name}, or $$ for a dollar sign.", field="text")
    used = set(candidate.body.get_identifiers())
    unknown = sorted(used - set(letter_rules.fields_of(key)))
    if unknown:
        raise ValidationError("This letter has no such placeholder: "
                              + ", ".join(f"${n}" for n in unknown)
                              + ". Use one of the placeholders listed.", field="text")
    missing = letter_rules.missing_content(key, used, candidate.body.template)
    if missing:
        raise ValidationError(f"“{candidate.title}” must keep what the law requires of it. "
                              "Missing: " + "; ".join(missing) + ".", field="text")
    return candidate


def _reason(reason: str) -> str:
    reason = " ".join(reason.split())
    if not REASON_MIN <= len(reason) <= REASON_MAX:
        raise ValidationError(f"Give the reason for the change ({REASON_MIN} to {REASON_MAX} "
                              "characters).", field="reason")
    return reason


def list_templates(ws: Workspace) -> list[TemplateSummary]:
    """Every template with its current version."""
    require(ws.actor, CAPABILITY)
    with ws.uow() as session:
        newest = dict(session.execute(
            select(LetterTemplateVersion.key, func.max(LetterTemplateVersion.version))
            .group_by(LetterTemplateVersion.key)).all())
        out = []
        for key in template_keys():
            version = newest.get(key, 0)
            row = session.scalar(select(LetterTemplateVersion).where(
                LetterTemplateVersion.key == key, LetterTemplateVersion.version == version)) \
                if version else None
            text = row.text if row is not None else packaged_text(key)
            out.append(TemplateSummary(key, parse_template(key, text).title, version,
                                       row.created_at.isoformat(timespec="seconds")
                                       if row is not None else ""))
        return out


def template_detail(ws: Workspace, key: str) -> TemplateDetail:
    """The template ``key`` for the editor: current text, placeholders, history."""
    require(ws.actor, CAPABILITY)
    if key not in template_keys():
        raise NotFound("No such letter template.")
    with ws.uow() as session:
        history = (*(_version(session, r) for r in _rows(session, key)), _builtin(key))
    current = history[0]
    return TemplateDetail(key, parse_template(key, current.text).title, current.version,
                          current.text, tuple(letter_rules.fields_of(key).items()),
                          tuple(letter_rules.describe_required(key)), history)


def template_versions(ws: Workspace, key: str) -> list[TemplateVersion]:
    """Every version of a template, newest first (the built-in text is version 0)."""
    return list(template_detail(ws, key).history)


def _add(ws: Workspace, session: Session, key: str, text: str, reason: str,
         reverted_from: int | None) -> TemplateVersion:
    rows = _rows(session, key)
    previous = rows[0].version if rows else 0
    current = rows[0].text if rows else packaged_text(key)
    if text.replace("\r\n", "\n").strip() == current.replace("\r\n", "\n").strip():
        raise ValidationError("The text is the same as the current version: nothing to save.",
                              field="text")
    row = LetterTemplateVersion(key=key, version=previous + 1, text=text.replace("\r\n", "\n"),
                                created_by=ws.actor.user_id, reason=reason,
                                reverted_from=reverted_from)
    session.add(row)
    session.flush()
    detail: dict[str, object] = {"template": key, "from_version": previous,
                                 "version": row.version}
    if reverted_from is not None:
        detail["reverted_to"] = reverted_from
    audit.record(ws, session, "letter.template" if reverted_from is None
                 else "letter.template_revert", "letter_template", key, reason=reason,
                 detail=detail)
    return _version(session, row)


def save_template(ws: Workspace, key: str, text: str, reason: str) -> TemplateVersion:
    """Save an administrator's edit of a template as its next version, after the checks
    of ``check_template`` and a trial layout with sample data."""
    require(ws.actor, CAPABILITY)
    reason = _reason(reason)
    template = check_template(key, text)
    _render(template, sample_fields(key))
    with ws.uow() as session:
        return _add(ws, session, key, text, reason, None)


def revert_template(ws: Workspace, key: str, version: int, reason: str) -> TemplateVersion:
    """Save a copy of an older version (0: the built-in text) as the next version."""
    require(ws.actor, CAPABILITY)
    reason = _reason(reason)
    with ws.uow() as session:
        if version == 0:
            text = packaged_text(key)
        else:
            old = session.scalar(select(LetterTemplateVersion).where(
                LetterTemplateVersion.key == key, LetterTemplateVersion.version == version))
            if old is None:
                raise NotFound("No such version of that template.")
            text = old.text
        check_template(key, text)
        return _add(ws, session, key, text, reason, version)


def preview_template(ws: Workspace, key: str, text: str) -> bytes:
    """The text laid out as a letter with synthetic sample data and the council's
    letterhead, through the real renderer (not kept). The checks of ``check_template``
    apply, so what previews is what may be saved."""
    require(ws.actor, CAPABILITY)
    template = check_template(key, text)
    with ws.uow() as session:
        fields = sample_fields(key, session)
    return _render(template, fields)
