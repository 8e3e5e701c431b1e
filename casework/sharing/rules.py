"""Field rules: keep, drop, pseudonymise, generalise, applied to one record at a time.

``RecordRules`` compiles a record kind's rules for the columns a select step produces, once,
into a list of small functions; applying it to a row returns only the fields the protocol
lets through, under their output names. A column with no rule is dropped (deny by default).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from casework.core import clock
from casework.sharing import scrub
from casework.sharing.protocol import FieldRule

AGE_BANDS: tuple[tuple[int, str], ...] = (
    (10, "0-9"), (18, "10-17"), (25, "18-24"), (35, "25-34"), (50, "35-49"), (65, "50-64"),
)
OLDEST_BAND = "65+"
UNKNOWN = "unknown"
BROAD_AGE_BANDS = {
    "0-9": "0-17", "10-17": "0-17", "18-24": "18-34", "25-34": "18-34",
    "35-49": "35-64", "50-64": "35-64", "65+": "65+",
}
REDACTED = scrub.REDACTED


def as_date(value: Any) -> date | None:
    """A date from a date, a datetime or ISO text (None stays None)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _ymd(value: Any) -> tuple[int, int, int] | None:
    if value is None or value == "":
        return None
    if isinstance(value, str) and len(value) >= 10:
        return int(value[:4]), int(value[5:7]), int(value[8:10])
    d = as_date(value)
    return None if d is None else (d.year, d.month, d.day)


def age_band(dob: Any, at: Any) -> str:
    """The age band (0-9, 10-17, 18-24, 25-34, 35-49, 50-64, 65+) on the date ``at``."""
    born = _ymd(dob)
    if born is None:
        return UNKNOWN
    when = _ymd(at)
    if when is None:
        today = clock.today()
        when = (today.year, today.month, today.day)
    age = when[0] - born[0] - ((when[1], when[2]) < (born[1], born[2]))
    if age < 0:
        return UNKNOWN
    for upper, label in AGE_BANDS:
        if age < upper:
            return label
    return OLDEST_BAND


def _band_of_age(age: int) -> str:
    for upper, label in AGE_BANDS:
        if age < upper:
            return label
    return OLDEST_BAND


_BY_AGE = tuple(_band_of_age(a) for a in range(130))


def _band_at(dob: Any, when: Any) -> str:
    """``age_band(dob, when)``, quicker for the select step's ISO text."""
    # ISO text compared as text: "MM-DD" orders as dates do.
    if (dob.__class__ is str and when.__class__ is str and len(dob) >= 10
            and len(when) >= 10):
        age = int(when[:4]) - int(dob[:4]) - (when[5:10] < dob[5:10])
        if 0 <= age < len(_BY_AGE):
            return _BY_AGE[age]
    return age_band(dob, when)


def quarter_of(value: Any) -> str:
    """'2026Q3' for a date in July to September 2026; '' for no date."""
    d = as_date(value)
    return "" if d is None else f"{d.year}Q{(d.month - 1) // 3 + 1}"


def month_of(value: Any) -> str:
    """'2026-07' for any date in July 2026; '' for no date."""
    d = as_date(value)
    return "" if d is None else f"{d.year:04d}-{d.month:02d}"


# Bands of weeks before a reference day (an application's): 26 weeks is the six months a
# Community Trigger threshold looks back over.
WEEK_BANDS = ((4, "within 4 weeks"), (8, "4 to 8 weeks"), (13, "8 to 13 weeks"),
              (26, "13 to 26 weeks"), (52, "26 to 52 weeks"))


def weeks_before(value: Any, reference: Any) -> str:
    """How long before ``reference`` a day fell, as a band of weeks ('within 4 weeks',
    '13 to 26 weeks', 'over 52 weeks', 'after'); the month when there is no reference;
    '' for no date."""
    d, ref = as_date(value), as_date(reference)
    if d is None:
        return ""
    if ref is None:
        return month_of(d)
    days = (ref - d).days
    if days < 0:
        return "after"
    for weeks, text in WEEK_BANDS:
        if days <= 7 * weeks:
            return text
    return "over 52 weeks"


def year_of(value: Any) -> str:
    """The year of a date, or of a '2026Q3' / '2026-07' label; '' stays ''."""
    if value is None or value == "":
        return ""
    if isinstance(value, date):
        return str(value.year)
    return str(value)[:4]


class Pseudonyms:
    """Tokens for one output: 'Person A', 'Person B'... or 'Referral 1', 'Referral 2'...

    Allocated in order of first appearance, so a token says nothing about the identifier
    behind it and two outputs cannot be joined on it.
    """

    def __init__(self, prefix: str, style: str = "letter") -> None:
        self.prefix = prefix
        self.style = style
        self._tokens: dict[Any, str] = {}

    def __repr__(self) -> str:
        return f"Pseudonyms({self.prefix!r}, {len(self._tokens)} tokens)"

    def token(self, key: Any) -> str | None:
        if key is None:
            return None
        found = self._tokens.get(key)
        if found is None:
            n = len(self._tokens) + 1
            found = f"{self.prefix} {letters(n) if self.style == 'letter' else n}"
            self._tokens[key] = found
        return found


def letters(n: int) -> str:
    """1 -> A, 26 -> Z, 27 -> AA (spreadsheet column style)."""
    out = ""
    while n > 0:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def scrubber(terms: Sequence[str]) -> Callable[[str], str]:
    """A function replacing every known identifier of the people in a record in text.

    Defence in depth for free text that a worker marked shareable (``scrub``): the names,
    aliases, phone numbers, e-mail addresses, address lines, postcodes and dates of birth
    of the record's people, written any usual way, and any phone, e-mail, postcode, NHS,
    National Insurance or vehicle registration number, are replaced by '[redacted]'.
    """
    return scrub.scrubber(terms)


def identifier_terms(given: str, family: str, aliases: Sequence[str], phone: str, email: str,
                     address_lines: Sequence[str], dob: date | None) -> list[str]:
    """The strings that identify a person, for ``scrubber`` (which writes the variants)."""
    parts = [p for n in (given, family) for p in re.split(r"[\s\-]+", n.strip()) if len(p) >= 2]
    terms = [given, family, f"{given} {family}", *parts, *aliases, phone, email,
             *address_lines]
    if dob is not None:
        terms.append(dob.isoformat())
    return [t for t in terms if t and t.strip()]


@dataclass
class RuleContext:
    """Reference data rules need: the LSOA -> MSOA roll-up and the local authority."""

    lsoa_msoa: Mapping[str, str] = field(default_factory=dict)
    local_authority: str = "local authority"
    pseudonyms: dict[str, Pseudonyms] = field(default_factory=dict)

    def pseudonyms_for(self, prefix: str, style: str) -> Pseudonyms:
        """One token series per prefix within an output ('Person' is shared by kinds)."""
        if prefix not in self.pseudonyms:
            self.pseudonyms[prefix] = Pseudonyms(prefix, style)
        return self.pseudonyms[prefix]


Getter = Callable[[Sequence[Any], Callable[[str], str]], Any]
# The same rule applied to whole columns (one sequence per select column), for ``rows``.
ColumnGetter = Callable[[Sequence[Sequence[Any]]], Sequence[Any]]


def _by_value(i: int, fn: Callable[[Any], Any]) -> ColumnGetter:
    """A column rule from a rule of one value: each distinct value is mapped once."""
    def column(columns: Sequence[Sequence[Any]]) -> Sequence[Any]:
        col = columns[i]
        try:
            seen = {v: fn(v) for v in set(col)}
        except TypeError:  # an unhashable value: one at a time
            return [fn(v) for v in col]
        return list(map(seen.__getitem__, col))
    return column


class RecordRules:
    """A record kind's rules compiled for the columns a select step produces."""

    def __init__(self, rules: Sequence[FieldRule], columns: Sequence[str],
                 ctx: RuleContext | None = None) -> None:
        self.ctx = ctx or RuleContext()
        index = {c: i for i, c in enumerate(columns)}
        self._columns = tuple(columns)
        self._fns: list[Getter] = []
        self._col_fns: list[ColumnGetter | None] = []
        out: list[str] = []
        for rule in rules:
            if rule.rule == "drop" or rule.field not in index:
                continue
            self._fns.append(self._compile(rule, index))
            self._col_fns.append(self._compile_column(rule, index))
            out.append(rule.out_name)
        self.columns_out = tuple(out)

    def __call__(self, row: Sequence[Any], scrub: Callable[[str], str] = str) -> tuple[Any, ...]:
        return tuple([fn(row, scrub) for fn in self._fns])

    def rows(self, rows: Iterable[Sequence[Any]]) -> list[list[Any]]:
        """``[list(self(row)) for row in rows]`` (no scrubbing), computed a column at a
        time when every rule has a column form: a rule whose result depends on one value
        maps each distinct value once, which makes a dataset of many thousands of records
        cheap. A pseudonym or a conditional keep goes row by row (the same result)."""
        data = rows if isinstance(rows, list) else list(rows)
        if not data:
            return []
        if None in self._col_fns or not self._fns:
            return [list(self(row)) for row in data]
        columns = list(zip(*data, strict=True))
        out = [col_fn(columns) for col_fn in self._col_fns if col_fn is not None]
        return [list(r) for r in zip(*out, strict=True)]

    def apply(self, record: Mapping[str, Any], terms: Sequence[str] = ()) -> dict[str, Any]:
        """Apply to a mapping; ``terms`` are identifiers to scrub from kept free text."""
        row = tuple(record.get(c) for c in self._columns)
        return dict(zip(self.columns_out, self(row, scrubber(terms)), strict=True))

    def _compile(self, rule: FieldRule, index: Mapping[str, int]) -> Getter:
        i = index[rule.field]
        p = rule.params
        if rule.rule == "keep":
            flag = index.get(str(p["only_if"])) if "only_if" in p else None
            if "only_if" in p and flag is None:
                return lambda row, scrub: None
            do_scrub = bool(p.get("scrub"))

            def keep(row: Sequence[Any], scrub: Callable[[str], str]) -> Any:
                if flag is not None and not row[flag]:
                    return None
                value = row[i]
                return scrub(value) if do_scrub and isinstance(value, str) else value
            return keep
        if rule.rule == "pseudonymise":
            series = self.ctx.pseudonyms_for(str(p.get("prefix", "Token")),
                                             str(p.get("style", "letter")))
            return lambda row, scrub: series.token(row[i])
        if rule.rule == "generalise":
            return self._generalise(rule, i, index)
        # "suppress" applies to aggregate counts, which the disclosure step protects.
        return lambda row, scrub: row[i]

    def _compile_column(self, rule: FieldRule, index: Mapping[str, int]) -> ColumnGetter | None:
        """The column form of a rule that needs one value, or None (applied row by row):
        the same results as ``_compile``'s getter with no scrubbing."""
        i = index[rule.field]
        p = rule.params
        if rule.rule == "keep":
            if "only_if" in p:
                return None
            return lambda columns: columns[i]
        if rule.rule == "pseudonymise":
            return None  # tokens go by first appearance, row by row across columns
        if rule.rule != "generalise":
            return lambda columns: columns[i]
        to = p["to"]
        if to == "age_band":
            at = index.get(str(p.get("at", "")))
            if at is None:
                return None
            return lambda columns: list(map(_band_at, columns[i], columns[at]))
        if to == "weeks_before":
            ref = index.get(str(p.get("of", "")))
            if ref is None:
                return None
            return lambda columns: list(map(weeks_before, columns[i], columns[ref]))
        if to in ("quarter", "month", "year"):
            return _by_value(i, {"quarter": quarter_of, "month": month_of,
                                 "year": year_of}[to])
        lookup = self.ctx.lsoa_msoa
        if to == "lsoa":
            return _by_value(i, lambda v: v if v in lookup else UNKNOWN)
        if to == "msoa":
            return _by_value(i, lambda v: lookup.get(v, UNKNOWN))
        allowed = frozenset(str(v) for v in p["values"])
        return _by_value(i, lambda v: (v if v in allowed
                                       else "" if v in (None, "") else "other"))

    def _generalise(self, rule: FieldRule, i: int, index: Mapping[str, int]) -> Getter:
        to = rule.params["to"]
        if to == "age_band":
            at = index.get(str(rule.params.get("at", "")))
            if at is None:
                return lambda row, scrub: age_band(row[i], None)
            return lambda row, scrub: _band_at(row[i], row[at])
        if to == "weeks_before":
            ref = index.get(str(rule.params.get("of", "")))
            if ref is None:
                return lambda row, scrub: weeks_before(row[i], None)
            return lambda row, scrub: weeks_before(row[i], row[ref])
        if to in ("quarter", "month", "year"):
            fn = {"quarter": quarter_of, "month": month_of, "year": year_of}[to]
            cache: dict[Any, str] = {}

            def by_period(row: Sequence[Any], scrub: Callable[[str], str]) -> str:
                value = row[i]
                got = cache.get(value)
                if got is None:
                    got = cache[value] = fn(value)
                return got
            return by_period
        if to in ("lsoa", "msoa"):
            lookup = self.ctx.lsoa_msoa
            if to == "lsoa":
                return lambda row, scrub: row[i] if row[i] in lookup else UNKNOWN
            return lambda row, scrub: lookup.get(row[i], UNKNOWN)
        allowed = frozenset(str(v) for v in rule.params["values"])
        return lambda row, scrub: (row[i] if row[i] in allowed
                                   else "" if row[i] in (None, "") else "other")
