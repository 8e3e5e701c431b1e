"""Letter templates an administrator edits, versioned (capability ``admin.letters``).

The packaged ``resources/letters/<key>.txt`` is version 0 (built in). Saving an edit adds
the next version with the administrator's reason; the newest version is used for new
letters, older ones are kept and can be read; a revert saves a copy of an older version as
the next one (nothing is ever overwritten or deleted). Every save and revert is audited
(``letter.template``, ``letter.template_revert``) with the template's key, the versions
and the reason, never the text.

Each version records the standard wording it descends from (the SHA-256 of the packaged
text when the council's wording was first taken from it, or last reviewed against it).
When a new release changes the standard wording (a legal requirement, a correction), the
council's edited wording is never overwritten: letters keep using it, and the editor says
"the standard wording changed since this template was edited" (``TemplateDetail.standard``)
and offers the comparison (``compare_with_standard``), keeping the council's wording as
reviewed (``keep_reviewed``, a new version with the same text) or reverting to the
built-in text. A version saved before this was recorded does not know its standard and is
flagged the same way, for a person to check.

Before a text is saved it is checked (``check_template``): it parses (a ``title:`` line,
a blank line, the body), uses only the placeholders that letter's callers fill
(``letter_rules.fields_of``), keeps the content the law requires of that kind of letter
(``letter_rules.required_of``), and lays out through the real renderer with synthetic
sample data. The renderer escapes the template's text like every filled value, so markup
typed into a template is printed as typed and never interpreted.
"""

from __future__ import annotations

import difflib
import hashlib
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
    standard_sha256: str | None = None  # the standard wording it descends from

    def __repr__(self) -> str:
        return f"TemplateVersion({self.key!r}, {self.version})"


@dataclass(frozen=True)
class StandardStatus:
    """How the template in use stands against the standard (packaged) wording: whether
    the standard changed since the council's wording was edited from it (or is not known
    to be the same), and what to tell the administrator."""

    changed: bool = False
    message: str = ""


@dataclass(frozen=True)
class TemplateSummary:
    """A template in the list: its key, title and current version."""

    key: str
    title: str
    version: int
    updated_at: str
    standard_changed: bool = False


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
    standard: StandardStatus = StandardStatus()


def _rows(session: Session, key: str) -> list[LetterTemplateVersion]:
    return list(session.scalars(select(LetterTemplateVersion)
                                .where(LetterTemplateVersion.key == key)
                                .order_by(LetterTemplateVersion.version.desc())))


def _version(session: Session, row: LetterTemplateVersion) -> TemplateVersion:
    user = session.get(User, row.created_by) if row.created_by is not None else None
    return TemplateVersion(row.key, row.version, row.created_at.isoformat(timespec="seconds"),
                           user.username if user is not None else "", row.reason,
                           row.reverted_from, row.text, row.standard_sha256)


def _builtin(key: str) -> TemplateVersion:
    return TemplateVersion(key, 0, "", "", "Built in", None, packaged_text(key),
                           standard_fingerprint(key))


def _normal(text: str) -> str:
    return text.replace("\r\n", "\n").strip()


def standard_fingerprint(key: str) -> str:
    """The SHA-256 of the standard (packaged) wording of ``key`` as this release ships it."""
    return hashlib.sha256(_normal(packaged_text(key)).encode("utf-8")).hexdigest()


def standard_status(current: TemplateVersion) -> StandardStatus:
    """Whether the standard wording changed since ``current`` (the version in use) was
    edited from it. The built-in text, a text equal to the standard and a version based on
    this release's standard are up to date; a version based on an older standard, or on
    one not recorded (saved before it was), is flagged."""
    key = current.key
    if current.version == 0 or _normal(current.text) == _normal(packaged_text(key)):
        return StandardStatus()
    if current.standard_sha256 == standard_fingerprint(key):
        return StandardStatus()
    saved = f", saved {current.created_at[:10]}" if current.created_at else ""
    if current.standard_sha256 is None:
        why = ("The standard wording may have changed since this template was edited "
               f"(version {current.version}{saved}, before casework recorded it).")
    else:
        why = ("The standard wording changed since this template was edited (version "
               f"{current.version}{saved}).")
    return StandardStatus(True, why + " New letters still use your council's wording: "
                          "compare it with the standard, then keep it or use the standard "
                          "wording.")


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
            current = _version(session, row) if row is not None else _builtin(key)
            out.append(TemplateSummary(key, parse_template(key, current.text).title, version,
                                       current.created_at,
                                       standard_status(current).changed))
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
                          tuple(letter_rules.describe_required(key)), history,
                          standard_status(current))


def template_versions(ws: Workspace, key: str) -> list[TemplateVersion]:
    """Every version of a template, newest first (the built-in text is version 0)."""
    return list(template_detail(ws, key).history)


def _add(ws: Workspace, session: Session, key: str, text: str, reason: str,
         reverted_from: int | None, standard: str | None,
         action: str = "letter.template") -> TemplateVersion:
    """Append the next version of ``key`` (``standard``: the fingerprint of the standard
    wording it descends from). Refuses a text equal to the current one, except when the
    current wording is kept as reviewed (``letter.template_reviewed``)."""
    rows = _rows(session, key)
    previous = rows[0].version if rows else 0
    current = rows[0].text if rows else packaged_text(key)
    if action != "letter.template_reviewed" and _normal(text) == _normal(current):
        raise ValidationError("The text is the same as the current version: nothing to save.",
                              field="text")
    row = LetterTemplateVersion(key=key, version=previous + 1, text=text.replace("\r\n", "\n"),
                                created_by=ws.actor.user_id, reason=reason,
                                reverted_from=reverted_from, standard_sha256=standard)
    session.add(row)
    session.flush()
    detail: dict[str, object] = {"template": key, "from_version": previous,
                                 "version": row.version}
    if reverted_from is not None:
        detail["reverted_to"] = reverted_from
        action = "letter.template_revert"
    audit.record(ws, session, action, "letter_template", key, reason=reason, detail=detail)
    return _version(session, row)


def save_template(ws: Workspace, key: str, text: str, reason: str) -> TemplateVersion:
    """Save an administrator's edit of a template as its next version, after the checks
    of ``check_template`` and a trial layout with sample data."""
    require(ws.actor, CAPABILITY)
    reason = _reason(reason)
    template = check_template(key, text)
    _render(template, sample_fields(key))
    with ws.uow() as session:
        rows = _rows(session, key)
        # an edit descends from the standard its previous version came from
        base = rows[0].standard_sha256 if rows else standard_fingerprint(key)
        return _add(ws, session, key, text, reason, None, base)


def revert_template(ws: Workspace, key: str, version: int, reason: str) -> TemplateVersion:
    """Save a copy of an older version (0: the built-in text) as the next version."""
    require(ws.actor, CAPABILITY)
    reason = _reason(reason)
    with ws.uow() as session:
        base: str | None
        if version == 0:
            text, base = packaged_text(key), standard_fingerprint(key)
        else:
            old = session.scalar(select(LetterTemplateVersion).where(
                LetterTemplateVersion.key == key, LetterTemplateVersion.version == version))
            if old is None:
                raise NotFound("No such version of that template.")
            text, base = old.text, old.standard_sha256
        check_template(key, text)
        return _add(ws, session, key, text, reason, version, base)


def compare_with_standard(ws: Workspace, key: str) -> str:
    """The differences between the standard wording of this release and the council's
    wording in use, line by line ("-" standard only, "+" the council's only); "" when
    they are the same."""
    current = template_detail(ws, key)
    standard = _normal(packaged_text(key)).splitlines()
    ours = _normal(current.text).splitlines()
    ours_name = f"your wording (version {current.version})" if current.version else \
        "the built-in wording"
    return "\n".join(difflib.unified_diff(standard, ours, "standard wording", ours_name,
                                          lineterm="", n=2))


def keep_reviewed(ws: Workspace, key: str, reason: str) -> TemplateVersion:
    """The administrator compared the council's wording with the changed standard wording
    and keeps it: a new version with the same text, recorded as based on this release's
    standard (audited ``letter.template_reviewed``). Refused when nothing is flagged."""
    require(ws.actor, CAPABILITY)
    reason = _reason(reason)
    if key not in template_keys():
        raise NotFound("No such letter template.")
    with ws.uow() as session:
        rows = _rows(session, key)
        current = _version(session, rows[0]) if rows else _builtin(key)
        if not standard_status(current).changed:
            raise ValidationError("This template already follows the standard wording of "
                                  "this release: there is nothing to review.",
                                  field="standard")
        return _add(ws, session, key, current.text, reason, None, standard_fingerprint(key),
                    "letter.template_reviewed")


def preview_template(ws: Workspace, key: str, text: str) -> bytes:
    """The text laid out as a letter with synthetic sample data and the council's
    letterhead, through the real renderer (not kept). The checks of ``check_template``
    apply, so what previews is what may be saved."""
    require(ws.actor, CAPABILITY)
    template = check_template(key, text)
    with ws.uow() as session:
        fields = sample_fields(key, session)
    return _render(template, fields)
