"""The scrubber: identifiers removed from free text that a worker marked shareable.

It expects people to write naturally. Given the identifiers of everyone linked to a case or
a meeting (``rules.identifier_terms``), it replaces with '[redacted]':

- names and aliases whatever the case, with or without accents (Zoë / Zoe / ZOE),
  apostrophes straight or curly or missing (O'Brien / O’Brien / OBrien), hyphens or spaces
  between parts, a possessive ('s), and initials before a surname (J. Smith, J A Smith);
- address lines with or without the house or flat number, the street name alone and with
  its suffix abbreviated (Acacia Avenue / Acacia Ave), postcodes with or without their space
  and their outward code alone (OX4 1AB / ox41ab / OX4);
- phone numbers in every usual UK format (07700 900123, 07700-900-123, +44 7700 900123,
  +44 (0)7700 900123, (01865) 123456, 0044...), and e-mail addresses;
- dates of birth numeric (03/07/1970, 3-7-70, 1970-07-03, month first 07/03/1970), ordinal
  and textual (3rd July 1970, 3 Jul 70, July 3rd, 1970, the 3rd of July 1970), day or
  month first;

and, whoever they belong to: any e-mail address, UK phone number, full postcode, NHS number,
National Insurance number, vehicle registration, and any full date more than ten years
before today (a date of birth in all but name).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from functools import lru_cache

from casework.core import clock

REDACTED = "[redacted]"
APOSTROPHES = "'’‘`´"
_WORD_BEFORE = r"(?<![^\W_])"
_WORD_AFTER = r"(?![^\W_])"
_POSSESSIVE = r"(?:[" + APOSTROPHES + r"]s?)?"
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
          "september", "october", "november", "december")
STREET_SUFFIXES: dict[str, tuple[str, ...]] = {
    "avenue": ("ave", "av"), "road": ("rd",), "street": ("st", "str"), "lane": ("ln",),
    "close": ("cl",), "drive": ("dr",), "crescent": ("cres", "cresc"), "court": ("ct",),
    "place": ("pl",), "gardens": ("gdns", "gdn"), "terrace": ("terr", "ter"),
    "square": ("sq",), "grove": ("gr", "gro"), "park": ("pk",), "way": (), "walk": (),
    "mews": (), "row": (), "hill": (), "green": ("grn",), "parade": ("pde",),
}

# -- letters that look alike: a name typed with or without its accents --------------------


@lru_cache(maxsize=1)
def _alike() -> dict[str, str]:
    """Base letter -> a character class of every Latin letter that folds to it."""
    groups: dict[str, set[str]] = {}
    for cp in list(range(0x41, 0x5B)) + list(range(0x61, 0x7B)) + list(range(0xC0, 0x250)):
        ch = chr(cp)
        base = _fold(ch)
        if len(base) == 1 and base.isalpha():
            groups.setdefault(base, set()).update({ch, ch.lower(), ch.upper()})
    return {b: "[" + "".join(sorted(re.escape(c) for c in chars if len(c) == 1)) + "]"
            for b, chars in groups.items()}


def _fold(text: str) -> str:
    nfkd = unicodedata.normalize("NFKD", text)
    out = "".join(c for c in nfkd if not unicodedata.combining(c)).casefold()
    return out.replace("ø", "o").replace("ł", "l").replace("đ", "d").replace("æ", "ae")


def _letters(text: str) -> str:
    """A pattern for a name: accents, case, apostrophes and hyphens/spaces forgiven."""
    out: list[str] = []
    for ch in text:
        if ch in APOSTROPHES:
            out.append("[" + APOSTROPHES + r"]?\s?")
        elif ch.isspace() or ch in "-‐‑–":
            out.append(r"[\s\-‐‑–]*")
        elif ch == ".":
            out.append(r"\.?\s*")
        else:
            base = _fold(ch)
            if len(base) == 1 and base in _alike():
                out.append(_alike()[base])
            else:
                out.append("".join(re.escape(c) for c in ch))
    return "".join(out)


def _name(text: str, surname: bool) -> str:
    core = _letters(text.strip())
    # an initial is one letter then a dot or a space ("J. Smith", "J Smith"), never the
    # first letter of a longer word ("to O'Brien" must not take "t" as an initial)
    initials = r"(?:" + _WORD_BEFORE + r"[^\W\d_](?:\.\s*|\s+)){0,3}" if surname else ""
    return _WORD_BEFORE + initials + core + _POSSESSIVE + _WORD_AFTER


# -- phones, postcodes, addresses, dates ---------------------------------------------------

_SEP = r"[\s().\-‐–]*"


def _phone(text: str) -> str | None:
    digits = re.sub(r"\D", "", text)
    if digits.startswith("0044"):
        digits = digits[4:]
    elif digits.startswith("44") and text.strip().startswith("+"):
        digits = digits[2:]
    digits = digits.lstrip("0")
    if len(digits) < 6:
        return None
    prefix = r"(?:(?:\+|00)" + _SEP + r"44" + _SEP + r"(?:\(?0\)?" + _SEP + r")?|0" + _SEP + r")?"
    return r"(?<!\d)" + prefix + _SEP.join(digits) + r"(?!\d)"


_POSTCODE = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?)\s*(\d)([A-Z]{2})$")


def _postcode(text: str) -> str | None:
    m = _POSTCODE.match(text.strip().upper())
    if m is None:
        return None
    out, sector, unit = m.groups()
    return (r"\b" + out + r"(?:\s*" + sector + r"(?:\s*" + unit + r")?)?\b")


def _street(line: str) -> str | None:
    """An address line with or without its number; the street name alone; a suffix in
    full or abbreviated."""
    words = line.replace(",", " ").split()
    while words and (re.fullmatch(r"\d+[a-z]?|[a-z]?\d+|\d+-\d+", words[0], re.I)
                     or words[0].casefold() in ("flat", "apartment", "apt", "unit", "no",
                                                "no.")):
        words = words[1:]
    if not words:
        return None
    last = words[-1].casefold().rstrip(".")
    body = " ".join(words)
    suffix_pat = ""
    for full, short in STREET_SUFFIXES.items():
        if last == full or last in short:
            body = " ".join(words[:-1])
            suffix_pat = r"(?:[\s]+(?:" + "|".join((full, *short)) + r")\.?)"
            break
    if len(_fold(body).replace(" ", "")) < 3:
        return None
    number = r"(?:(?:flat|apartment|apt|unit)\s*\w+\s*,?\s*)?(?:\d+[a-z]?\s*,?\s*)?"
    return (_WORD_BEFORE + number + _letters(body) + (suffix_pat + "?" if suffix_pat else "")
            + _POSSESSIVE + _WORD_AFTER)


def _ordinal(n: int) -> str:
    return r"0?" + str(n) + r"(?:st|nd|rd|th)?" if n < 10 else str(n) + r"(?:st|nd|rd|th)?"


def _month_name(m: int) -> str:
    name = MONTHS[m - 1]
    short = "sept?" if m == 9 else name[:3]
    return r"(?:" + name + "|" + short + r"\.?)"


def _date_pattern(d: date) -> str:
    """Every usual way of writing one date."""
    yy = r"(?:" + str(d.year) + "|" + f"{d.year % 100:02d}" + r"|'" + f"{d.year % 100:02d}" + ")"
    dd = r"0?" + str(d.day)
    mm = r"0?" + str(d.month)
    sep = r"\s*[/.\-\s]\s*"
    forms = [
        dd + sep + mm + sep + yy, mm + sep + dd + sep + yy,
        str(d.year) + sep + mm + sep + dd,
    ]
    day = _ordinal(d.day)
    month = _month_name(d.month)
    ws, comma = r"[\s\-]*", r"\s*,?\s*"
    forms += [
        r"(?:the\s+)?" + day + ws + r"(?:of\s+)?" + month + comma + yy,
        month + ws + r"(?:the\s+)?" + day + comma + yy,
    ]
    return r"(?<![\w])(?:" + "|".join(forms) + r")(?!\d)"


_MONTH_ANY = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|" \
             r"aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_DAY_ANY = r"(?:0?[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?"
_DATES_ANY = re.compile(
    r"(?<![\w])(?:"
    r"(?P<a>\d{1,2})\s*[/.\-]\s*(?P<b>\d{1,2})\s*[/.\-]\s*(?P<y1>\d{4}|\d{2})"
    r"|(?P<y2>\d{4})\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*\d{1,2}"
    r"|(?:the\s+)?" + _DAY_ANY + r"[\s\-]*(?:of\s+)?" + _MONTH_ANY + r"\s*,?\s*(?P<y3>\d{4})"
    r"|" + _MONTH_ANY + r"[\s\-]*(?:the\s+)?" + _DAY_ANY + r"\s*,?\s*(?P<y4>\d{4})"
    r")(?!\d)", re.IGNORECASE)

GENERIC: tuple[re.Pattern[str], ...] = (
    # e-mail addresses
    re.compile(r"[\w.+'’-]+\s?(?:@|\(at\)|\[at\])\s?[\w-]+(?:\s?(?:\.|\(dot\))\s?[\w-]+)+",
               re.IGNORECASE),
    # UK phone numbers: +44 / 0044 / 0 then 9 or 10 more digits, any separators
    re.compile(r"(?<!\d)(?:(?:\+|00)" + _SEP + r"44" + _SEP + r"(?:\(?0\)?" + _SEP + r")?|\(?0)"
               r"(?:\d" + _SEP + r"){8,9}\d(?!\d)"),
    # NHS numbers (3-3-4 digits) and any other run of ten digits
    re.compile(r"(?<!\d)\d{3}[\s\-]?\d{3}[\s\-]?\d{4}(?!\d)"),
    # National Insurance numbers
    re.compile(r"\b(?!BG|GB|NK|KN|TN|NT|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]"
               r"\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]?\b", re.IGNORECASE),
    # full postcodes
    re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[ABD-HJLNP-UW-Z]{2}\b", re.IGNORECASE),
    # vehicle registrations: current (AB12 CDE), prefix (A123 BCD), suffix (ABC 123D)
    re.compile(r"\b[A-Z]{2}\d{2}\s?[A-Z]{3}\b", re.IGNORECASE),
    re.compile(r"\b(?:[A-Z]\d{1,3}\s?[A-Z]{3}|[A-Z]{3}\s?\d{1,3}[A-Z])\b"),
)


def _old_dates(text: str, today: date) -> str:
    def repl(m: re.Match[str]) -> str:
        raw = m.group("y1") or m.group("y2") or m.group("y3") or m.group("y4") or ""
        year = int(raw)
        if len(raw) == 2:
            year += 2000 if year <= today.year % 100 else 1900
        return REDACTED if year <= today.year - 10 else m.group(0)
    return _DATES_ANY.sub(repl, text)


# -- putting it together -------------------------------------------------------------------

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def term_pattern(term: str) -> str | None:
    """The pattern for one identifier, chosen by what it looks like."""
    t = term.strip()
    if len(_fold(t)) < 2:
        return None
    if "@" in t:
        return re.escape(t)
    if _ISO.match(t):
        return _date_pattern(date.fromisoformat(t))
    if (pc := _postcode(t)) is not None:
        return pc
    if re.fullmatch(r"[\d\s()+.\-]+", t):
        return _phone(t)
    if re.match(r"^\s*(?:flat|apartment|apt|unit|\d)", t, re.IGNORECASE) or any(
            t.casefold().rstrip(".").endswith(" " + s) for full, short in STREET_SUFFIXES.items()
            for s in (full, *short)):
        return _street(t)
    return _name(t, surname=True)


@lru_cache(maxsize=64)
def _compiled(terms: tuple[str, ...]) -> re.Pattern[str] | None:
    parts = sorted({p for t in terms if (p := term_pattern(t)) is not None}, key=len,
                   reverse=True)
    return re.compile("|".join(f"(?:{p})" for p in parts), re.IGNORECASE) if parts else None


def scrub(text: str, terms: Iterable[str], today: date | None = None) -> str:
    """``text`` with every identifier of ``terms`` and every generic identifier removed."""
    if not text:
        return text
    pattern = _compiled(tuple(sorted({t for t in terms if t})))
    out = pattern.sub(REDACTED, text) if pattern is not None else text
    for generic in GENERIC:
        out = generic.sub(REDACTED, out)
    return _old_dates(out, today or clock.today())


def scrubber(terms: Sequence[str]) -> Callable[[str], str]:
    """A function scrubbing one output's text of ``terms`` (compiled once)."""
    frozen = tuple(sorted({t for t in terms if t}))
    today = clock.today()
    return lambda text: scrub(text, frozen, today)


def spans(text: str, terms: Iterable[str], today: date | None = None) -> list[tuple[int, int]]:
    """Where ``scrub`` would redact: the (start, end) of every identifier of ``terms`` and
    every generic identifier in ``text``, merged where they overlap, in order."""
    if not text:
        return []
    found: list[tuple[int, int]] = []
    pattern = _compiled(tuple(sorted({t for t in terms if t})))
    if pattern is not None:
        found += [m.span() for m in pattern.finditer(text)]
    for generic in GENERIC:
        found += [m.span() for m in generic.finditer(text)]
    now = today or clock.today()
    for m in _DATES_ANY.finditer(text):
        raw = m.group("y1") or m.group("y2") or m.group("y3") or m.group("y4") or ""
        year = int(raw)
        if len(raw) == 2:
            year += 2000 if year <= now.year % 100 else 1900
        if year <= now.year - 10:
            found.append(m.span())
    merged: list[tuple[int, int]] = []
    for start, end in sorted(s for s in found if s[1] > s[0]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
