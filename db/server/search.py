"""Search as you type on a team server: the index first, then who may see each row.

Under row-level security PostgreSQL checks a table's policies on a row before any
condition that is not leakproof, and ``ILIKE`` is not: a search would run the people
policy for every person before looking at a name, and never use the trigram indexes.
``search_ids`` (a definer function) instead finds the rows through the indexes and keeps
only those that the login (``session_user``, which ``SET ROLE`` cannot change) may see
under the same rules as the policies of ``db.server.policies``: the login's scope, team,
case types and panels are read once per call, from the tables the policies read.

The planner would rather scan a table for a short prefix it expects to match often
(then, for text that matches nothing, it reads every row): the function is planned
without sequential scans, so the trigram indexes serve every kind (and without JIT
compilation, which the cost of a refused sequential scan would otherwise start). Each
query keeps one generic plan per connection: planning the visibility rules (dozens of
subplans) cost more than running them, and a prefix is a range of its index between two
values (``v_low``, ``v_high``) that such a plan serves whatever the text.

It returns row ids only, at most ``MAX_IDS``; the caller then reads those rows through
its own policies, so nothing it returns is shown unless the policies show it too. The
text is matched as typed: wildcards in it are escaped here, so input cannot widen a
match beyond a prefix (or, for an address's first line, a substring).
"""

from __future__ import annotations

from collections.abc import Mapping

from db.server.policies import (
    ACL,
    CASE_OK,
    SCHEMA,
    Names,
    RoleSpec,
    ident,
    person_ok,
    view_context,
    view_sql,
)

FUNCTION = f"{ACL}.search_ids"
SIGNATURE = "(text, text[], integer)"
MAX_IDS = 100
# What ``search_ids`` looks for, given its texts:
#   person: people (not merged, not anonymised) whose given or family name starts with
#     every text; alias: aliases (their ids) starting with the first text; postcode:
#     addresses whose postcode starts with any text; line_start / line_contains:
#     addresses whose first line starts with / contains the first text.
KINDS = ("person", "alias", "postcode", "line_start", "line_contains")

# Index matches looked at per call, as ``casework.cases.search``: the texts of one call
# (a postcode's forms) share them (``v_budget`` each; elsewhere a constant, which the
# plan of a trigram match needs to see).
CANDIDATES = 1000


def _first_visible(match: str, visible: str, budget: str = str(CANDIDATES)) -> str:
    """The first ``$8`` rows of ``visible`` among the first ``budget`` index matches
    (``match`` selects their ids as ``id``): the rule runs per candidate, an index probe or
    two, so the cost does not grow with the table."""
    return (f"SELECT q.id FROM (SELECT * FROM ({match}) AS m LIMIT {budget}) AS q "
            f"WHERE {visible.replace('{id}', 'q.id')} LIMIT $8")


def _prefix(table: str, expr: str, pattern: str, *also: str,
            budget: str = str(CANDIDATES)) -> str:
    """The ids of ``table`` whose ``expr`` (lower case) starts with the text of
    ``pattern``, in the order of the lower-case prefix index (``PREFIX_INDEXES``): its range
    between ``v_low`` and ``v_high``, which a plan made once serves whatever the text, read
    in order so that the first ``budget`` end the scan (a bitmap of the range would
    collect every match first). ``also``: more conditions on each row."""
    where = " AND ".join((f"{expr} ~>=~ v_low", f"{expr} ~<~ v_high",
                          f"{expr} LIKE lower({pattern})", *also))
    return (f"(SELECT {table.split()[-1]}.id FROM {SCHEMA}.{table} WHERE {where} "
            f"ORDER BY {expr} USING ~<~ LIMIT {budget})")


def _address_shown(aid: str) -> str:
    """The addresses a search shows: a visible case's, or a visible person's who is not
    anonymised (as ``casework.cases.search.address_visible``), which the addresses policy
    also lets the login read. The caller reads the rows back under that policy alone."""
    s = SCHEMA
    return (f"($6 OR ($1 IN ('team', 'panel') AND ("
            f"EXISTS (SELECT 1 FROM {s}.cases c WHERE c.address_id = {aid} AND {CASE_OK}) "
            f"OR EXISTS (SELECT 1 FROM {s}.person_addresses pa JOIN {s}.people pp ON "
            f"pp.id = pa.person_id WHERE pa.address_id = {aid} AND NOT pp.anonymised AND "
            f"{person_ok('pa.person_id')}))))")


def _queries() -> dict[str, str]:
    s = SCHEMA
    # $7 the escaped texts (each ends in %), $8 the limit; v_i the text a loop is at.
    person, address = person_ok("{id}"), _address_shown("{id}")
    return {
        # The first text's prefix on either name, each name's btree range read in order
        # (an OR of the two would collect every match first), the other texts checked
        # on each row met.
        # Two words or more: each of the first two words' trigram matches, intersected
        # in the index (a name prefix of one word matches too many to read in order).
        "person_words": _first_visible(
            f"SELECT p.id FROM {s}.people p WHERE (p.family_name ILIKE $7[1] OR "
            f"p.given_name ILIKE $7[1]) AND (p.family_name ILIKE $7[2] OR "
            f"p.given_name ILIKE $7[2]) AND NOT EXISTS (SELECT 1 FROM unnest($7) w "
            f"WHERE NOT (p.family_name ILIKE w OR p.given_name ILIKE w)) AND "
            f"p.merged_into_id IS NULL AND NOT p.anonymised", person),
        "person": _first_visible(" UNION ALL ".join(
            _prefix("people p", f"lower(p.{name})", "$7[1]",
                    "NOT EXISTS (SELECT 1 FROM unnest($7) w WHERE NOT (p.family_name ILIKE w "
                    "OR p.given_name ILIKE w))", "p.merged_into_id IS NULL",
                    "NOT p.anonymised")
            for name in ("family_name", "given_name")), person),
        "alias": _first_visible(
            f"SELECT a.id, a.person_id FROM {s}.person_aliases a JOIN {s}.people p ON "
            f"p.id = a.person_id WHERE a.alias ILIKE $7[1] AND p.merged_into_id IS NULL "
            f"AND NOT p.anonymised",
            person.replace("{id}", "q.person_id")),
        # Prefixes of postcodes and first lines: a range of the lower-case btree index,
        # read in order and left as soon as enough are visible (a trigram index must
        # first collect every match: all of "SX" is most addresses). One text at a time.
        "postcode": _first_visible(
            _prefix("addresses ad", "lower(ad.postcode)", "$7[v_i]", budget="v_budget"),
            address, "v_budget"),
        "line_start": _first_visible(
            _prefix("addresses ad", "lower(ad.line1)", "$7[v_i]", budget="v_budget"),
            address, "v_budget"),
        "line_contains": _first_visible(
            f"SELECT ad.id FROM {s}.addresses ad WHERE ad.line1 ILIKE '%' || $7[1]",
            address),
    }


_EACH_TEXT = ("postcode", "line_start")  # every text looked up on its own
PREFIX_INDEXES = (("addresses", "postcode"), ("addresses", "line1"),
                  ("people", "family_name"), ("people", "given_name"))
# The range of prefix ``v_low``: ``text_pattern_ops`` compares bytes, and in UTF-8 no
# character's bytes sort after U+10FFFF's (the server's databases are UTF-8: ``server
# init`` refuses another encoding).
# Planned without bitmap scans (the setting ends with the function): a bitmap of a range
# collects all of it before the first row, where the index read in order stops early.
_RANGE = ("v_low := lower(v_raw[{i}]); v_high := v_low || chr(1114111);\n"
          "      PERFORM set_config('enable_bitmapscan', 'off', true);")


def _branch(kind: str, sql: str) -> str:
    if kind == "person":  # one word: its prefix, in order; more: see "person_words"
        words = view_sql(_queries()["person_words"])
        return (f"    IF cardinality(v_texts) > 1 THEN\n      RETURN QUERY {words};\n"
                f"    ELSE\n      {_RANGE.format(i=1)}\n"
                f"      RETURN QUERY {view_sql(sql)};\n    END IF;")
    if kind not in _EACH_TEXT:
        return f"    RETURN QUERY {view_sql(sql)};"
    return (f"    v_budget := {CANDIDATES} / cardinality(v_texts);\n"
            f"    FOR v_i IN 1 .. cardinality(v_texts) LOOP\n      {_RANGE.format(i='v_i')}\n"
            f"      RETURN QUERY {view_sql(sql)};\n    END LOOP;")


def index_ddl() -> list[str]:
    """The lower-case prefix indexes (run as the owner; safe to run again)."""
    return [f"CREATE INDEX IF NOT EXISTS ix_prefix_{t}_{c} ON {SCHEMA}.{t} "
            f"(lower({c}) text_pattern_ops)" for t, c in PREFIX_INDEXES]


def ddl(names: Names, roles: Mapping[str, RoleSpec]) -> list[str]:
    """Run as the schema owner after the policies (``server init``; safe to run again).
    EXECUTE goes to the group roles that work cases (those that search), and to no one
    else: not PUBLIC, not every casework login."""
    branches = "\n".join(
        f"  {'IF' if i == 0 else 'ELSIF'} p_kind = '{kind}' THEN\n{_branch(kind, sql)}"
        for i, (kind, sql) in enumerate(
            (k, q) for k, q in _queries().items() if k != "person_words"))
    body = f"""CREATE OR REPLACE FUNCTION {FUNCTION}(p_kind text, p_texts text[],
  p_limit integer) RETURNS SETOF integer STABLE SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp SET enable_seqscan = off SET enable_bitmapscan = on
  SET jit = off
  SET plan_cache_mode = force_generic_plan LANGUAGE plpgsql AS $$
DECLARE
  v_raw text[];
  v_texts text[];
  v_i integer;
  v_low text;
  v_high text;
  v_limit integer;
  v_budget integer;
{view_context("session_user")}
  IF p_texts IS NULL OR cardinality(p_texts) = 0 OR (v_scope NOT IN ('team', 'panel')
                                                       AND NOT v_sar) THEN
    RETURN;
  END IF;
  -- The texts as typed: LIKE's wildcards and escape character match themselves.
  SELECT array_agg(x ORDER BY n),
         array_agg(replace(replace(replace(x, '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%'
                   ORDER BY n)
    INTO v_raw, v_texts FROM unnest(p_texts) WITH ORDINALITY AS q(x, n) WHERE x IS NOT NULL;
  IF v_texts IS NULL THEN
    RETURN;
  END IF;
  v_limit := greatest(0, least(coalesce(p_limit, 0), {MAX_IDS}));
{branches}
  ELSE
    RAISE EXCEPTION 'unknown search kind' USING ERRCODE = 'invalid_parameter_value';
  END IF;
END $$"""
    sig = FUNCTION + SIGNATURE
    readers = [names.group(r) for r, spec in sorted(roles.items()) if "case" in spec.classes]
    out = [*index_ddl(), body, f"REVOKE ALL ON FUNCTION {sig} FROM PUBLIC",
           f"REVOKE ALL ON FUNCTION {sig} FROM {ident(names.user)}"]
    if readers:
        out.append(f"GRANT EXECUTE ON FUNCTION {sig} TO "
                   f"{', '.join(ident(g) for g in readers)}")
    return out
