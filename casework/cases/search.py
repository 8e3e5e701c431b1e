"""Search as you type: people, case references and addresses the actor may see.

One function, ``search``, is the only place that knows how text is matched, so that a
different engine (SQLite FTS5, PostgreSQL trigram indexes) can replace what is here
without touching a caller. What is here is portable SQL served by plain B-tree indexes
(which Alembic's autogenerate keeps in the migration, unlike expression indexes):

- people: every word typed is a prefix of the given or the family name, or the whole
  text is a prefix of an alias, ignoring the case of ASCII letters. The name indexes are
  entered once per upper/lower-case spelling of the first two letters (at most four
  ranges) and ``LIKE`` (which ignores ASCII case in SQLite) checks the whole word, so
  "mcd" finds "McDonald";
- cases: the reference starts with the text (references are upper case);
- addresses: the postcode starts with the text, typed with or without its space
  (postcodes are stored upper case with one space), or the first line contains it.

Text with a digit is not looked up as a name; the first-line substring runs only when
nothing else matched or the text has a digit (a house number), and never for something
shaped like a case reference. On SQLite it is served by a trigram index
(``db.models.search``) from three characters on, so a word that matches nothing costs a
few index lookups; two characters (and PostgreSQL) read the whole line1 index.

SQL ``lower()`` is avoided on purpose: with SQLCipher's memory security every call
allocates and wipes, which makes a function over 100,000 rows cost a second; ``LIKE``
compares in place.

Each kind walks its index in order and stops once it has enough visible rows, looking at
no more than ``CANDIDATES`` index entries, so a two-letter prefix costs the same at
100,000 cases as at 100. Only records the actor may see are returned: a case by
``permissions.visible_cases``; a person when linked to a visible case by any route in
``casework.links`` (or to no case at all, as in ``casework.people``); an address when it
is a visible case's address or a visible person's. Every search is audited ("search")
with the number of results, never the text, which may be a name.
"""

from __future__ import annotations

import functools
import itertools
import re
import weakref
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Integer,
    Select,
    and_,
    any_,
    bindparam,
    column,
    exists,
    literal,
    or_,
    select,
    table,
)
from sqlalchemy import text as sql_text
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from casework.cases.links import LINK_COLUMNS
from casework.core import audit
from casework.core.context import Actor, Workspace
from casework.core.errors import ValidationError
from casework.core.permissions import case_types_for, has, require, visible_cases
from db.dialects import on_server
from db.models import Address, Case, CaseParty, Person, PersonAddress, PersonAlias
from db.models.search import ADDRESS_LINES, REBUILD_ADDRESS_LINES, TRIGRAM
from db.server import search as server_search

MIN_LENGTH = 2
MAX_LENGTH = 100
MAX_LIMIT = 100
CANDIDATES = 1000  # index entries looked at per kind before giving up on a short prefix
TYPE_LABEL = {"asb": "ASB", "trigger": "Community Trigger", "swip": "SWIP", "mart": "MART",
              "sanctuary": "Sanctuary"}
REFERENCE_PREFIX = {"asb": "ASB-", "trigger": "CT-", "swip": "SWIP-", "mart": "MART-",
                    "sanctuary": "SAN-"}
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_ASCII_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")

Kind = Literal["person", "case", "address"]


@dataclass(frozen=True)
class SearchHit:
    """One result: what it is, its id, a one-line label and a short detail."""

    kind: Kind
    id: int
    label: str
    detail: str

    def __repr__(self) -> str:  # a label may be a name: never print it
        return f"SearchHit(kind={self.kind!r}, id={self.id})"


# ---------------------------------------------------------------- matching helpers

def fold(text: str) -> str:
    """Lower-case ASCII letters only (SQLite's notion of case), so both sides agree."""
    return text.translate(_ASCII_LOWER)


def _starts(expr: Any, prefix: str) -> ColumnElement[bool]:
    """``expr`` starts with ``prefix``: a range an index on ``expr`` serves."""
    return and_(expr >= prefix, expr < prefix + "\U0010ffff")


def spellings(head: str) -> list[str]:
    """Upper/lower-case spellings of ``head``, likeliest first: "mc" -> Mc, mc, MC, mC."""
    options = [sorted({c.lower(), c.upper()}) for c in head]
    every = {"".join(p) for p in itertools.product(*options)}
    first = [head[:1].upper() + head[1:].lower(), head.lower(), head.upper()]
    ordered = list(dict.fromkeys(v for v in first if v in every))
    return ordered + sorted(every - set(ordered))


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _contains(session: Session, column: InstrumentedAttribute[str], text: str, *,
              prefix: bool) -> ColumnElement[bool]:
    """``column`` starts with (or contains) ``text`` ignoring ASCII case, without lower()."""
    pattern = f"{'' if prefix else '%'}{_like_escape(text)}%"
    if not on_server(session):  # SQLite's LIKE ignores ASCII case
        return column.like(pattern, escape="\\")
    return column.ilike(pattern, escape="\\")


# ---------------------------------------------------------------- visibility

def person_visible(ws: Workspace) -> ColumnElement[bool]:
    """A WHERE clause on ``Person``: linked to a visible case, or to no case at all. A record
    merged into another is visible only when the record it was merged into is (a merge
    moves the links away, and must not leave the duplicate open to everyone)."""
    return _person_visible(ws.actor)


@functools.lru_cache(maxsize=32)
def _person_visible(actor: Actor) -> ColumnElement[bool]:
    """``person_visible`` for one actor, built once: the clause depends on the actor only,
    and building its dozen subqueries cost more than running them in a search."""
    if actor.role == "system":
        return literal(True)
    target = aliased(Person)
    return or_(
        and_(Person.merged_into_id.is_(None), _linked_visible(actor, Person.id)),
        exists(select(1).select_from(target).where(
            target.id == Person.merged_into_id, target.merged_into_id.is_(None),
            _linked_visible(actor, target.id))),
    )


def _linked_visible(actor: Actor, person_id: Any) -> ColumnElement[bool]:
    """Linked to a case the actor may see, or to no case at all."""
    visible = visible_cases(actor)
    routes: list[tuple[Any, Any]] = [(CaseParty, CaseParty.person_id), *LINK_COLUMNS]
    seen = [exists(select(1).select_from(model).join(Case, Case.id == model.case_id)
                   .where(column == person_id, visible))
            for model, column in routes]
    unlinked = [~exists(select(1).select_from(model).where(column == person_id))
                for model, column in routes]
    return or_(*seen, and_(*unlinked))


def address_visible(ws: Workspace) -> ColumnElement[bool]:
    """A WHERE clause on ``Address``: a visible case's address or a visible person's."""
    return _address_visible(ws.actor)


@functools.lru_cache(maxsize=32)
def _address_visible(actor: Actor) -> ColumnElement[bool]:
    if actor.role == "system":
        return literal(True)
    of_case = exists(select(1).where(Case.address_id == Address.id, visible_cases(actor)))
    if not has(actor, "people.read"):
        return of_case
    of_person = exists(select(1).select_from(PersonAddress)
                       .join(Person, Person.id == PersonAddress.person_id)
                       .where(PersonAddress.address_id == Address.id,
                              Person.anonymised.is_(False), _person_visible(actor)))
    return or_(of_case, of_person)


def _first_visible(candidates: Select[*tuple[Any, ...]], visible: ColumnElement[bool],
                   id_column: Any, model: Any, limit: int,
                   *columns: Any, found: bool = False) -> Select[*tuple[Any, ...]]:
    """The first ``limit`` visible rows among the first ``CANDIDATES`` index matches.

    ``candidates`` selects ``id`` (in index order). The outer query has no ORDER BY on
    purpose: it streams the candidates in their order and stops at ``limit``, so the
    visibility rule runs for a few rows, not for every match of a short prefix.
    ``found``: the candidates are the few rows of ``model`` the team server's search
    function found, which kept only those this rule shows (``db.server.search``): they
    are read once, under their tables' policies alone (the rule again, run through
    every policy of every table it names, cost more than the whole search).
    """
    if found:
        return candidates.add_columns(*columns).limit(limit)
    sub = candidates.limit(CANDIDATES).subquery()
    return (select(sub, *columns).join(model, id_column == sub.c.id).where(visible)
            .limit(limit))


# ---------------------------------------------------------------- the team server

# Per engine: whether its login may call the server's search function.
_SERVER_SEARCH: weakref.WeakKeyDictionary[Any, bool] = weakref.WeakKeyDictionary()


def _server_ids(session: Session, kind: str, texts: list[str], limit: int) -> list[int] | None:
    """On a team server, the ids of up to ``limit`` rows of ``kind`` that match ``texts``
    and that the login may see, found through the indexes first
    (``db.server.search``); None elsewhere, or when the login may not call the function
    (or the server has not got it: the policies alone then filter, as before, slowly).
    The caller reads the rows themselves under its own policies and visibility rules."""
    bind = session.get_bind()
    if not on_server(bind):
        return None
    may = _SERVER_SEARCH.get(bind)
    if may is None:
        may = bool(session.execute(sql_text(
            "SELECT CASE WHEN to_regprocedure(:f) IS NULL THEN false "
            "ELSE has_function_privilege(to_regprocedure(:f), 'EXECUTE') END"),
            {"f": server_search.FUNCTION + server_search.SIGNATURE}).scalar())
        _SERVER_SEARCH[bind] = may
    if not may:
        return None
    return [int(i) for i in session.execute(
        sql_text(f"SELECT i FROM {server_search.FUNCTION}(:k, :t, :n) AS i"),
        {"k": kind, "t": texts, "n": limit}).scalars()]


def _plan_read_backs_once(session: Session) -> None:
    """On a team server, the rows the search function found are read back under their
    policies, which the planner expands into hundreds of subplans: tens of milliseconds
    to plan each time, more than running them. Within a search, a statement the
    connection has prepared keeps one generic plan (the search function plans its own
    queries as before: ``db.server.search``)."""
    if _SERVER_SEARCH.get(session.get_bind()):
        session.execute(sql_text("SET LOCAL plan_cache_mode = force_generic_plan"))


def _among(column: Any, ids: list[int]) -> ColumnElement[bool]:
    """``column`` is one of the server's ``ids``, as one array parameter: the statement's
    text is the same whatever the ids, so the server plans it once per connection
    (through its policies, planning the read-back cost more than running it)."""
    found: ColumnElement[bool] = column == any_(bindparam("found_ids", ids,
                                                         type_=ARRAY(Integer)))
    return found


# ---------------------------------------------------------------- each kind

def _starts_any_case(session: Session, column: InstrumentedAttribute[str],
                     word: str) -> ColumnElement[bool]:
    """``column`` starts with ``word`` ignoring ASCII case, entering its index once per
    spelling of the first two letters."""
    return and_(or_(*[_starts(column, v) for v in spellings(word[:2])]),
                _contains(session, column, word, prefix=True))


def _people(session: Session, ws: Workspace, text: str, limit: int) -> list[SearchHit]:
    words = fold(text).split()
    longest = max(words, key=len)
    others = list(words)
    others.remove(longest)
    visible = and_(Person.merged_into_id.is_(None), Person.anonymised.is_(False),
                   person_visible(ws))
    shown = (Person.given_name, Person.family_name, Person.date_of_birth)
    rest = [or_(_contains(session, Person.given_name, w, prefix=True),
                _contains(session, Person.family_name, w, prefix=True)) for w in others]
    ids = _server_ids(session, "person", [longest, *others], limit)
    by_name = (select(Person.id.label("id"))
               .where(or_(_starts_any_case(session, Person.family_name, longest),
                          _starts_any_case(session, Person.given_name, longest)), *rest)
               if ids is None else select(Person.id.label("id")).where(_among(Person.id, ids)))
    query = _first_visible(by_name, visible, Person.id, Person, limit, *shown,
                           literal("").label("alias"), found=ids is not None)
    hits = {r.id: _person_hit(r) for r in session.execute(query)} if ids != [] else {}
    if len(hits) < limit:
        phrase = " ".join(words)
        ids = _server_ids(session, "alias", [phrase], limit)
        if ids is None:
            by_alias = (select(PersonAlias.person_id.label("id"),
                               PersonAlias.alias.label("alias"))
                        .where(_starts_any_case(session, PersonAlias.alias, phrase)))
            query = _first_visible(by_alias, visible, Person.id, Person, limit, *shown)
        else:  # the few aliases the server found (of people it shows): read once
            query = (select(PersonAlias.person_id.label("id"),
                            PersonAlias.alias.label("alias"), *shown)
                     .join(Person, Person.id == PersonAlias.person_id)
                     .where(_among(PersonAlias.id, ids)).limit(limit))
        for r in session.execute(query) if ids != [] else ():
            hits.setdefault(r.id, _person_hit(r))
    ranked = sorted(hits.values(), key=lambda h: (h.detail.startswith("also known"),
                                                  fold(h.label)))
    return ranked[:limit]


def _person_hit(r: Any) -> SearchHit:
    label = " ".join(part for part in (r.given_name, r.family_name) if part)
    born = f"born {r.date_of_birth.isoformat()}" if r.date_of_birth else ""
    alias = f'also known as "{r.alias}"' if r.alias else ""
    return SearchHit("person", r.id, label, "; ".join(p for p in (alias, born) if p))


def _cases(session: Session, ws: Workspace, text: str, limit: int) -> list[SearchHit]:
    prefix = "".join(text.split()).translate(_ASCII_UPPER)
    types = case_types_for(ws.actor) if ws.actor.role != "system" else REFERENCE_PREFIX.keys()
    # Only the types whose references can start so: "SAN-" reads no ASB entry of the index
    # (nothing at all when no type the actor may see can match).
    wanted = sorted(t for t in types if REFERENCE_PREFIX[t].startswith(prefix)
                    or prefix.startswith(REFERENCE_PREFIX[t]))
    if not wanted:
        return []
    # One select: the covering list index (type, team, panel ... reference) answers both
    # the visibility rule and the prefix without reading the table.
    query = (select(Case.id, Case.reference, Case.case_type, Case.status)
             .where(_starts(Case.reference, prefix), Case.case_type.in_(wanted),
                    visible_cases(ws.actor)).limit(limit))
    hits = [SearchHit("case", r.id, r.reference,
                      f"{TYPE_LABEL.get(r.case_type, r.case_type)}, {r.status}")
            for r in session.execute(query)]
    return sorted(hits, key=lambda h: h.label)


_REFERENCE_START = re.compile(r"[A-Za-z]{2,4}-[0-9]")
_POSTCODE_START = re.compile(r"[A-Z]{1,2}([0-9][A-Z0-9]*)?")


def postcode_forms(text: str) -> list[str]:
    """How a typed postcode prefix may start a stored one ("ox41" -> "OX41", "OX4 1").

    Empty unless the text could begin a UK postcode (one or two letters, then a digit).
    """
    compact = "".join(text.split()).translate(_ASCII_UPPER)
    if len(compact) > 7 or not _POSTCODE_START.fullmatch(compact):
        return []
    forms = {compact}
    for cut in (2, 3, 4):
        if cut < len(compact):
            forms.add(f"{compact[:cut]} {compact[cut:]}")
    return sorted(forms)


_ADDRESS_LINES = table(ADDRESS_LINES, column("rowid"), column("line1"))


def _line_contains(session: Session, text: str,
                   limit: int = MAX_LIMIT) -> tuple[Select[Any] | None, bool]:
    """Ids of addresses whose first line contains ``text`` (ignoring ASCII case), None
    when the team server's search function found none; and whether that function found
    them (it kept only the addresses a search shows: ``_first_visible``).

    On SQLite, text of three characters or more is looked up in the trigram index
    (``db.models.search``): a handful of index entries whether or not anything matches.
    Shorter text, text with a LIKE wildcard in it, and PostgreSQL scan the narrow index
    on line1 rather than the table (no ORDER BY: the index order is alphabetical anyway).
    """
    # LIKE with an ESCAPE clause is not offered to the index: text with a wildcard
    # character in it takes the scan instead.
    ids = _server_ids(session, "line_contains", [text], limit)
    if ids is not None:
        return (select(Address.id.label("id")).where(_among(Address.id, ids)) if ids
                else None), True
    if (not on_server(session) and len(text) >= TRIGRAM
            and not any(ch in text for ch in "%_")):
        return (select(_ADDRESS_LINES.c.rowid.label("id"))
                .where(_ADDRESS_LINES.c.line1.like(f"%{text}%"))), False
    return (select(Address.id.label("id"))
            .where(_contains(session, Address.line1, text, prefix=False))), False


def _addresses(session: Session, ws: Workspace, text: str, limit: int,
               scan_lines: bool = True) -> list[SearchHit]:
    shown = (Address.line1, Address.postcode, Address.town)
    found: dict[int, Any] = {}
    forms = postcode_forms(text)
    if forms:
        # No ORDER BY: each form is a range seek (an ordered scan would read them all).
        ids = _server_ids(session, "postcode", forms, limit)
        by_postcode = (select(Address.id.label("id"))
                       .where(or_(*[_starts(Address.postcode, f) for f in forms])
                              if ids is None else _among(Address.id, ids)))
        query = _first_visible(by_postcode, address_visible(ws), Address.id, Address, limit,
                               *shown, found=ids is not None)
        if ids != []:
            found.update((r.id, r) for r in session.execute(query))
    # On a team server a substring of two characters has no trigram to look up (the
    # index would be read whole): there two characters find first lines starting with them.
    short_on_server = len(text) < 3 and bool(_SERVER_SEARCH.get(session.get_bind()))
    if short_on_server:
        scan_lines = False
    if len(found) < limit and (len(text) >= 3 or short_on_server):
        # "Flat 3", "Rose Hill": a seek, not a scan
        ids = _server_ids(session, "line_start", [text], limit)
        by_start = (select(Address.id.label("id"))
                    .where(_starts_any_case(session, Address.line1, text)
                           if ids is None else _among(Address.id, ids)))
        query = _first_visible(by_start, address_visible(ws), Address.id, Address,
                               limit - len(found), *shown, found=ids is not None)
        for r in session.execute(query) if ids != [] else ():
            found.setdefault(r.id, r)
    if scan_lines and len(found) < limit:
        by_line, on_ids = _line_contains(session, text, limit - len(found))
        if by_line is not None:
            query = _first_visible(by_line, address_visible(ws), Address.id, Address,
                                   limit - len(found), *shown, found=on_ids)
            for r in session.execute(query):
                found.setdefault(r.id, r)
    hits = [SearchHit("address", r.id, ", ".join(p for p in (r.line1, r.postcode) if p),
                      r.town or "") for r in found.values()]
    return hits[:limit]


# ---------------------------------------------------------------- the service

def _merge(groups: list[list[SearchHit]], limit: int) -> list[SearchHit]:
    """Share ``limit`` fairly between kinds (round robin), keeping each kind's order."""
    quota = [0] * len(groups)
    left = limit
    while left > 0 and any(quota[i] < len(g) for i, g in enumerate(groups)):
        for i, g in enumerate(groups):
            if left and quota[i] < len(g):
                quota[i] += 1
                left -= 1
    return [hit for i, g in enumerate(groups) for hit in g[:quota[i]]]


def search(ws: Workspace, text: str, limit: int = 20) -> list[SearchHit]:
    """People, cases and addresses matching ``text`` that the actor may see (audited).

    At least two characters; results are grouped by kind, the likelier kind first (case
    references when the text looks like one, then people, then addresses).
    """
    require(ws.actor, "case.read")
    text = " ".join(text.split())
    if len(text) < MIN_LENGTH:
        raise ValidationError(f"Type at least {MIN_LENGTH} characters to search.",
                              field="text")
    text = text[:MAX_LENGTH]
    limit = max(1, min(limit, MAX_LIMIT))
    has_digit = any(ch.isdigit() for ch in text)
    looks_like_reference = bool(_REFERENCE_START.match(text))
    with ws.uow() as session:
        _plan_read_backs_once(session)
        # Names have no digits; a reference or a house number does.
        people = (_people(session, ws, text, limit)
                  if has(ws.actor, "people.read") and not has_digit else [])
        cases = _cases(session, ws, text, limit)
        # The first-line substring may read a whole index (two characters): only when
        # nothing else matched, or the text has a house number in it.
        # A known reference start with its dash ("SAN-", "CT-20") is a reference being
        # typed, not a street: no first line is read for it either.
        typed_reference = looks_like_reference or text.upper().startswith(
            tuple(REFERENCE_PREFIX.values()))
        scan_lines = not typed_reference and (has_digit or not (people or cases))
        addresses = _addresses(session, ws, text, limit, scan_lines=scan_lines)
        groups = ([cases, people, addresses] if looks_like_reference
                  else [people, cases, addresses])
        hits = _merge(groups, limit)
        audit.record(ws, session, "search", detail={
            "results": len(hits), "people": sum(h.kind == "person" for h in hits),
            "cases": sum(h.kind == "case" for h in hits),
            "addresses": sum(h.kind == "address" for h in hits)})
    return hits


def rebuild_index(ws: Workspace) -> None:
    """Rebuild the address search index from the addresses (SQLite; after a repair, or when
    the check says it disagrees with them). Nothing to do on PostgreSQL."""
    require(ws.actor, "admin.users")
    with ws.uow() as session:
        conn = session.connection()
        if not on_server(conn):
            for sql in REBUILD_ADDRESS_LINES:
                conn.exec_driver_sql(sql)


__all__ = ["SearchHit", "address_visible", "fold", "person_visible", "rebuild_index",
           "search"]
