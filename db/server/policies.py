"""The DDL that makes a PostgreSQL schema enforce casework's permissions itself.

Everything is derived from two inputs: the table classes below (which tables hold case
content, which hold people, which are reference data) and the role table the caller
passes in (``RoleSpec`` per casework role: its case scope and its table classes). Adding
a casework role is one entry in that table: ``server init`` (or ``server roles``) writes it
into ``casework_acl.roles``, creates its group role and grants its classes. A role the
table does not name has no group role, no grants and no scope: it sees nothing.

Policies read who the user is from ``users`` and ``panel_memberships`` through
``current_user`` only; no setting a client can change is consulted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

SCHEMA = "casework"
ACL = "casework_acl"

# Tables whose rows belong to one case (a ``case_id`` column naming ``cases``).
CASE_CHILD_TABLES = (
    "asb_details", "case_parties", "documents", "incidents", "mart_details", "notes",
    "nrm_decisions", "referrals", "risk_assessments", "sanctuary_feedback", "sanctuary_jobs",
    "trigger_applications", "trigger_complaints", "trigger_reviews",
    "work_lines", "escalation_steps", "evidence_items", "panel_actions",
    "trigger_recommendations", "meeting_items", "mart_outcomes", "ugly_mug_links",
)
# Tables whose rows belong to a person.
PERSON_CHILD_TABLES = ("person_aliases", "person_addresses")
# Where a person is linked to a case: (table, person column).
PERSON_LINKS = (
    ("case_parties", "person_id"), ("asb_details", "subject_person_id"),
    ("incidents", "reporter_person_id"), ("trigger_applications", "applicant_person_id"),
    ("trigger_complaints", "complainant_person_id"),
)
# Other references a written row must name a visible row for: (table, column, target).
REFERENCE_LINKS = (("ugly_mug_links", "report_id", "ugly_mug_reports"),)
# Every table with identifiable content: ENABLE and FORCE ROW LEVEL SECURITY.
# (ugly_mug_reports: held by a panel, optionally first recorded on one referral.)
IDENTIFIABLE = ("cases", *CASE_CHILD_TABLES, "breaches", "tasks", "people",
                *PERSON_CHILD_TABLES, "addresses", "meetings", "meeting_attendance",
                "ugly_mug_reports")
# The disclosure log (subject access): read and appended by roles with "disclosures".
DISCLOSURES = ("disclosures",)
# The change log (``db.changelog``): appended by every writer, in its own name; a row is
# read by whoever sees its case (rows of no case: by the roles that see people).
CHANGE_LOG = "change_log"

# The login's own user, team, case types and panels, written into the policies as plain
# sub-selects over the tables the policies read (through current_user): each is run once
# per statement, and planned with it, so a prepared statement plans it once. (Called as
# SQL functions, the same queries were planned again at every execution: a third of a
# millisecond for each statement that names cases.)
_ME = (f"FROM {SCHEMA}.users u JOIN {ACL}.roles r ON r.role = u.role "
       f"WHERE u.username = current_user AND u.active")
_MY = {  # the queries, also the bodies of the invoker functions my_user_id() and the rest
    "user_id": f"SELECT u.id {_ME}",
    "team_id": f"SELECT u.team_id {_ME} AND r.scope = 'team'",
    "team_types": (f"SELECT tc.case_type FROM {SCHEMA}.users u JOIN {ACL}.roles r ON "
                   f"r.role = u.role JOIN {SCHEMA}.teams t ON t.id = u.team_id JOIN "
                   f"{ACL}.team_case_types tc ON tc.team_kind = t.kind WHERE u.username = "
                   f"current_user AND u.active AND r.scope = 'team'"),
    "panels": (f"SELECT pm.panel_id FROM {SCHEMA}.panel_memberships pm JOIN {SCHEMA}.users u "
               f"ON u.id = pm.user_id JOIN {ACL}.roles r ON r.role = u.role WHERE "
               f"u.username = current_user AND u.active AND r.scope = 'panel'"),
}
MY_USER_ID, MY_TEAM_ID, MY_TEAM_TYPES, MY_PANELS = (
    f"({_MY[k]})" for k in ("user_id", "team_id", "team_types", "panels"))
MY_IDENTIFIABLE = f"EXISTS (SELECT 1 {_ME} AND r.scope IN ('team', 'panel'))"


def my_scope_is(wanted: str) -> str:
    """The login's role has scope ``wanted`` (a constant of this module)."""
    return f"EXISTS (SELECT 1 {_ME} AND r.scope = '{wanted}')"

# Read by every casework login; written only by roles with the class "admin".
REFERENCE = ("users", "teams", "panels", "panel_memberships", "settings",
             "sharing_protocols", "vocabulary_terms", "contractors",
             "letter_template_versions", "lsoas", "key_slots", "signing_keys",
             "audit_heads", "case_list_state", "case_counts", "police_asb_imports",
             "police_asb_incidents", "alembic_version")
ADMIN_WRITES = ("users", "teams", "panels", "panel_memberships", "settings",
                "sharing_protocols", "vocabulary_terms", "contractors",
                "letter_template_versions", "lsoas")
POLICE = ("police_asb_imports", "police_asb_incidents")
# Reference rows a case worker adds while working a case (the app's "case.write"): a
# sanctuary officer names the contractor firm a job is ordered from. Added, never changed
# or removed (an administrator does that).
CASE_ADDS = ("contractors",)
AUDIT = "audit_entries"
# Table classes a role may hold.
#   case: read and write the cases of the role's scope; admin: reference writes;
#   police: police imports; audit_read: the whole audit trail; sar_read: read (only) every
#   identifiable table, all case types, for subject access (scope "subject_access");
#   disclosures: the disclosure log; own_tasks: tasks with no case assigned to oneself;
#   retention: change or remove the rows of cases past their retention period, only
#   within a run that ``retention_open`` (a definer function) checked and recorded;
#   chair: note a member's coded agency on the memberships of the panels one chairs (the
#   attendance of a meeting remembers it), no other column and no other panel.
CLASSES = frozenset({"case", "admin", "police", "audit_read", "sar_read", "disclosures",
                     "own_tasks", "retention", "chair"})
SCOPES = frozenset({"team", "panel", "none", "subject_access"})
# Model tables deliberately not on the server (none so far): every other model table is
# in IDENTIFIABLE, REFERENCE, DISCLOSURES, or is the change log or the audit trail (tests/server/
# test_classified.py fails on a table in none of them).
NOT_ON_SERVER: tuple[str, ...] = ()
AUDIT_LOCK = 7_243_001  # the advisory lock that serialises audit sequence numbers
REFERENCE_LOCK = 7_243_002  # with a prefix's hash: case references


@dataclass(frozen=True)
class RoleSpec:
    """What one casework role may reach on the server."""

    scope: str  # "team": its team's cases; "panel": its panels' referrals;
    # "subject_access": reads every case (with the class sar_read); "none"
    classes: frozenset[str]

    def __post_init__(self) -> None:
        if self.scope not in SCOPES or not self.classes <= CLASSES:
            raise ValueError("unknown scope or table class")


@dataclass(frozen=True)
class Names:
    """The cluster-wide role names of one installation (PostgreSQL roles are global)."""

    prefix: str = "casework"

    @property
    def owner(self) -> str:
        return f"{self.prefix}_owner"

    @property
    def user(self) -> str:
        return f"{self.prefix}_user"

    def group(self, role: str) -> str:
        return f"{self.prefix}_r_{role}"


def ident(name: str) -> str:
    """A quoted identifier (names here come from code or checked user names)."""
    return '"' + name.replace('"', '""') + '"'


def literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def cluster_roles(names: Names, roles: Mapping[str, RoleSpec]) -> list[str]:
    """Roles to create as a superuser (or CREATEROLE) before the schema exists."""
    wanted = [names.owner, names.user, *(names.group(r) for r in sorted(roles))]
    return [f"DO $$BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = {literal(n)}) "
            f"THEN CREATE ROLE {ident(n)} NOLOGIN; END IF; END$$" for n in wanted]


def schemas(names: Names, database: str) -> list[str]:
    o, u = ident(names.owner), ident(names.user)
    return [
        f"REVOKE ALL ON DATABASE {ident(database)} FROM PUBLIC",
        f"GRANT CONNECT, TEMPORARY ON DATABASE {ident(database)} TO {u}",
        f"CREATE SCHEMA IF NOT EXISTS {SCHEMA} AUTHORIZATION {o}",
        f"CREATE SCHEMA IF NOT EXISTS {ACL} AUTHORIZATION {o}",
        f"REVOKE ALL ON SCHEMA {SCHEMA}, {ACL} FROM PUBLIC",
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
        f"GRANT USAGE ON SCHEMA {SCHEMA}, {ACL} TO {u}",
    ]


def _acl_tables(names: Names, roles: Mapping[str, RoleSpec],
                team_types: Mapping[str, frozenset[str]], panel_types: frozenset[str]) -> list[str]:
    u = ident(names.user)
    out = [
        f"CREATE TABLE IF NOT EXISTS {ACL}.roles (role text PRIMARY KEY, scope text NOT NULL, "
        f"classes text[] NOT NULL)",
        # An older installation's check named only the first three scopes.
        f"ALTER TABLE {ACL}.roles DROP CONSTRAINT IF EXISTS roles_scope_check",
        f"ALTER TABLE {ACL}.roles ADD CONSTRAINT roles_scope_check CHECK (scope IN "
        f"({', '.join(literal(x) for x in sorted(SCOPES))}))",
        f"CREATE TABLE IF NOT EXISTS {ACL}.team_case_types (team_kind text NOT NULL, "
        f"case_type text NOT NULL, PRIMARY KEY (team_kind, case_type))",
        f"CREATE TABLE IF NOT EXISTS {ACL}.panel_case_types (case_type text PRIMARY KEY)",
        f"DELETE FROM {ACL}.roles", f"DELETE FROM {ACL}.team_case_types",
        f"DELETE FROM {ACL}.panel_case_types",
        f"GRANT SELECT ON {ACL}.roles, {ACL}.team_case_types, {ACL}.panel_case_types TO {u}",
        # Retention runs: written by ``retention_open`` only (no login has a grant); each
        # names the transaction it opens, which alone may act on the run's rows.
        f"CREATE TABLE IF NOT EXISTS {ACL}.retention_runs (id bigserial PRIMARY KEY, "
        f"xid bigint NOT NULL, username name NOT NULL, action text NOT NULL, "
        f"case_ids integer[] NOT NULL, people integer[] NOT NULL, "
        f"addresses integer[] NOT NULL, reason text NOT NULL, audit_seq integer NOT NULL, "
        f"at timestamptz NOT NULL DEFAULT now())",
        f"REVOKE ALL ON {ACL}.retention_runs FROM PUBLIC",
    ]
    for role, spec in sorted(roles.items()):
        classes = "ARRAY[" + ", ".join(literal(c) for c in sorted(spec.classes)) + "]::text[]"
        out.append(f"INSERT INTO {ACL}.roles VALUES ({literal(role)}, {literal(spec.scope)}, "
                   f"{classes})")
    for kind, types in sorted(team_types.items()):
        for t in sorted(types):
            out.append(f"INSERT INTO {ACL}.team_case_types VALUES ({literal(kind)}, "
                       f"{literal(t)})")
    for t in sorted(panel_types):
        out.append(f"INSERT INTO {ACL}.panel_case_types VALUES ({literal(t)})")
    return out


# The login's view, as the policies compute it, for functions that answer for it: $1 its
# scope, $2 its team, $3 its team's case types, $4 the panels' case types, $5 its panels,
# $6 whether it reads every case (subject access). In a plpgsql function these are the
# variables ``view_context`` declares and sets (``view_sql`` names them).
VIEW_VARIABLES = ("v_scope", "v_team", "v_types", "v_ptypes", "v_panels", "v_sar")
CASE_OK = ("((c.case_type = ANY($3) AND (c.team_id IS NULL OR c.team_id = $2)) "
           "OR (c.case_type = ANY($4) AND c.panel_id = ANY($5)))")


def _person_links_ok(pid: str) -> str:
    """Person ``pid`` is on a case the login sees (by any route), or on no case at all."""
    s = SCHEMA
    seen = " OR ".join(f"EXISTS (SELECT 1 FROM {s}.{t} x JOIN {s}.cases c ON c.id = x.case_id "
                       f"WHERE x.{col} = {pid} AND {CASE_OK})" for t, col in PERSON_LINKS)
    linked = " OR ".join(f"EXISTS (SELECT 1 FROM {s}.{t} x WHERE x.{col} = {pid})"
                         for t, col in PERSON_LINKS)
    return f"({seen} OR NOT ({linked}))"


def person_ok(pid: str) -> str:
    """The people policy for person ``pid``: on a case the login sees (by any route), or on
    no case at all; every person with subject access. A merged duplicate (its links moved
    to the record it was merged into) is as visible as that record, which must not be
    merged itself (merges are flattened), as ``casework.people.persons.can_see_person``
    says: left unlinked, it would otherwise show to everyone."""
    s = SCHEMA
    into = f"(SELECT m.merged_into_id FROM {s}.people m WHERE m.id = {pid})"
    target = (f"EXISTS (SELECT 1 FROM {s}.people t WHERE t.id = {into} AND "
              f"t.merged_into_id IS NULL AND {_person_links_ok('t.id')})")
    rule = f"(CASE WHEN {into} IS NULL THEN {_person_links_ok(pid)} ELSE {target} END)"
    return f"($6 OR ($1 IN ('team', 'panel') AND {rule}))"


def address_ok(aid: str) -> str:
    """The addresses policy: a visible person's, a visible case's, or nobody's."""
    s = SCHEMA
    return (f"($6 OR ($1 IN ('team', 'panel') AND ("
            f"EXISTS (SELECT 1 FROM {s}.person_addresses pa WHERE pa.address_id = {aid} AND "
            f"{person_ok('pa.person_id')}) "
            f"OR EXISTS (SELECT 1 FROM {s}.cases c WHERE c.address_id = {aid} AND {CASE_OK}) "
            f"OR (NOT EXISTS (SELECT 1 FROM {s}.person_addresses pa WHERE pa.address_id = "
            f"{aid}) AND NOT EXISTS (SELECT 1 FROM {s}.cases c WHERE c.address_id = {aid})))))")


def view_sql(sql: str) -> str:
    """``sql`` reading the variables of ``view_context`` for its parameters $1..$6 (and
    $7, $8 for the plpgsql variables ``v_texts`` and ``v_limit``, where declared)."""
    names = (*VIEW_VARIABLES, "v_texts", "v_limit")
    for n in range(len(names), 0, -1):
        sql = sql.replace(f"${n}", names[n - 1])
    return sql


def view_context(who: str) -> str:
    """plpgsql declarations and one statement that read login ``who``'s view, once per
    call, from the tables the policies read (nothing a client can set)."""
    s, a = SCHEMA, ACL
    return f"""  v_uid integer; v_scope text; v_team integer; v_types text[]; v_ptypes text[];
  v_panels integer[]; v_sar boolean;
BEGIN
  SELECT u.id, r.scope, u.team_id,
         coalesce(ARRAY(SELECT tc.case_type FROM {a}.team_case_types tc JOIN {s}.teams t
                        ON t.kind = tc.team_kind WHERE t.id = u.team_id AND r.scope = 'team'),
                  '{{}}'),
         coalesce(ARRAY(SELECT pc.case_type FROM {a}.panel_case_types pc), '{{}}'),
         coalesce(ARRAY(SELECT pm.panel_id FROM {s}.panel_memberships pm
                        WHERE pm.user_id = u.id AND r.scope = 'panel'), '{{}}'),
         r.scope = 'subject_access' AND 'sar_read' = ANY(r.classes)
    INTO v_uid, v_scope, v_team, v_types, v_ptypes, v_panels, v_sar
    FROM {s}.users u JOIN {a}.roles r ON r.role = u.role
    WHERE u.username = {who} AND u.active;
  v_scope := coalesce(v_scope, 'none');
  v_sar := coalesce(v_sar, false);"""



def _visible_functions(a: str, kind: str, arg: str, rule: str, table: str) -> list[str]:
    """``{kind}_visible_as(who, {arg})``, a definer answering for the login ``who`` (the
    caller or a role it may take, never another login) by ``rule``, and the invoker's
    ``{kind}_visible({arg})`` that asks it for current_user."""
    return [
        f"""CREATE OR REPLACE FUNCTION {a}.{kind}_visible_as(who name, {arg} integer)
  RETURNS boolean STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
  SET jit = off LANGUAGE plpgsql AS $$
DECLARE
{view_context("who")}
  IF who IS NULL OR {arg} IS NULL OR NOT pg_has_role(session_user, who, 'MEMBER') THEN
    RETURN false;
  END IF;
  v_sar := false;  -- subject access reads {table} through a policy of its own
  RETURN {view_sql(rule)};
END $$""",
        f"CREATE OR REPLACE FUNCTION {a}.{kind}_visible({arg} integer) RETURNS boolean "
        f"STABLE LANGUAGE sql AS $$ SELECT {a}.{kind}_visible_as(current_user, {arg}) $$",
    ]

def _functions(names: Names) -> list[str]:
    s, a, me = SCHEMA, ACL, _ME
    links = " UNION ALL ".join(f"SELECT 1 FROM {s}.{t} WHERE {c} = pid" for t, c in PERSON_LINKS)
    return [
        # Retired definers (no policy uses them): a server initialised before keeps none.
        f"DROP FUNCTION IF EXISTS {a}.address_on_visible_case(integer)",
        f"DROP FUNCTION IF EXISTS {a}.address_unlinked(integer)",
        # Invoker functions: they run as the caller, so current_user is the login role and
        # the cases they read are filtered by the caller's own policies.
        f"CREATE OR REPLACE FUNCTION {a}.my_user_id() RETURNS integer STABLE LANGUAGE sql "
        f"AS $$ {_MY['user_id']} $$",
        f"CREATE OR REPLACE FUNCTION {a}.my_team_id() RETURNS integer STABLE LANGUAGE sql "
        f"AS $$ {_MY['team_id']} $$",
        f"""CREATE OR REPLACE FUNCTION {a}.case_visible_for(who name, ct text, team integer,
  panel integer) RETURNS boolean STABLE LANGUAGE sql AS $$
SELECT EXISTS (SELECT 1 {me.replace("current_user", "who")} AND (
  (r.scope = 'team' AND (team IS NULL OR team = u.team_id) AND ct IN (
     SELECT tc.case_type FROM {a}.team_case_types tc JOIN {s}.teams t ON t.kind = tc.team_kind
     WHERE t.id = u.team_id))
  OR (r.scope = 'panel' AND ct IN (SELECT pc.case_type FROM {a}.panel_case_types pc)
      AND panel IN (SELECT pm.panel_id FROM {s}.panel_memberships pm
                    WHERE pm.user_id = u.id))))
$$""",
        f"CREATE OR REPLACE FUNCTION {a}.case_visible(ct text, team integer, panel integer) "
        f"RETURNS boolean STABLE LANGUAGE sql AS $$ SELECT {a}.case_visible_for(current_user, "
        f"ct, team, panel) $$",
        f"CREATE OR REPLACE FUNCTION {a}.my_team_types() RETURNS SETOF text STABLE "
        f"LANGUAGE sql AS $$ {_MY['team_types']} $$",
        f"CREATE OR REPLACE FUNCTION {a}.scope_is(wanted text) RETURNS boolean STABLE "
        f"LANGUAGE sql AS $$ SELECT EXISTS (SELECT 1 {me} AND r.scope = wanted) $$",
        f"CREATE OR REPLACE FUNCTION {a}.identifiable() RETURNS boolean STABLE "
        f"LANGUAGE sql AS $$ SELECT EXISTS (SELECT 1 {me} AND r.scope IN ('team', 'panel')) $$",
        f"CREATE OR REPLACE FUNCTION {a}.my_panels() RETURNS SETOF integer STABLE "
        f"LANGUAGE sql AS $$ {_MY['panels']} $$",
        # Definer: whether a person is on any case at all (a person just added, before
        # being linked, is visible to roles that add people). It answers yes or no only.
        f"CREATE OR REPLACE FUNCTION {a}.person_unlinked(pid integer) RETURNS boolean "
        f"STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp LANGUAGE sql "
        f"AS $$ SELECT NOT EXISTS ({links}) $$",
        # Definer: whether login ``who`` sees person ``pid`` through the people policy's
        # rule (``person_ok``). ``who`` is the caller's current_user (``person_visible``
        # passes it): the login itself or a role it may take, never another login. Its
        # view is read once per call and every route is an index probe; written as an
        # invoker's SQL the rule ran a dozen nested functions per person, about a
        # millisecond each time; written out in the policy, every query naming people
        # took seconds to plan.
        *_visible_functions(a, "person", "pid", person_ok("pid"), "people"),
        # The same for an address (``address_ok``): a visible person's, a visible case's,
        # or nobody's.
        *_visible_functions(a, "address", "aid", address_ok("aid"), "addresses"),
        # Definer: the next case reference of a prefix over every case (a user sees only
        # some, so counting their own would collide), serialised per prefix.
        f"""CREATE OR REPLACE FUNCTION {a}.next_reference(prefix text) RETURNS text
SECURITY DEFINER SET search_path = pg_catalog, pg_temp LANGUAGE plpgsql AS $$
DECLARE last text;
BEGIN
  PERFORM pg_advisory_xact_lock({REFERENCE_LOCK}, hashtext(prefix));
  SELECT max(c.reference) INTO last FROM {s}.cases c WHERE c.reference LIKE prefix || '%';
  RETURN prefix || lpad((coalesce(split_part(last, '-', 3)::integer, 0) + 1)::text, 6, '0');
END $$""",
        # Definer: the cases, people and addresses of the retention run this transaction
        # opened (none in any other transaction): what the retention policies allow.
        *(f"CREATE OR REPLACE FUNCTION {a}.retention_{what}() RETURNS SETOF integer STABLE "
          f"SECURITY DEFINER SET search_path = pg_catalog, pg_temp LANGUAGE sql AS $$ "
          f"SELECT unnest(r.{col}) FROM {a}.retention_runs r WHERE r.xid = txid_current() "
          f"AND r.username = session_user $$"
          for what, col in (("cases", "case_ids"), ("people", "people"),
                            ("addresses", "addresses"))),
        # Definer: a transfer (``transitions.transfer_case``) hands a case the caller sees
        # to another team that handles its type, once its owner (already set, in the same
        # transaction) is an active member of that team. A plain UPDATE cannot: the moved
        # row leaves the caller's view, and PostgreSQL checks it against their reading
        # policies too. 0 when anything does not hold (nothing changed), else the version.
        f"""CREATE OR REPLACE FUNCTION {a}.transfer_case(cid integer, to_team integer,
  seen integer, at timestamp) RETURNS integer
SECURITY DEFINER SET search_path = pg_catalog, pg_temp LANGUAGE plpgsql AS $$
DECLARE c record;
BEGIN
  SELECT k.* INTO c FROM {s}.cases k WHERE k.id = cid FOR UPDATE;
  IF NOT FOUND OR c.version <> seen OR c.panel_id IS NOT NULL OR c.team_id = to_team
     OR NOT EXISTS (SELECT 1 FROM {s}.users u JOIN {a}.roles r ON r.role = u.role
                    WHERE u.username = session_user AND u.active AND r.scope = 'team'
                    AND 'case' = ANY (r.classes))
     OR NOT {a}.case_visible_for(session_user, c.case_type, c.team_id, c.panel_id)
     OR NOT EXISTS (SELECT 1 FROM {s}.teams t JOIN {a}.team_case_types tc
                    ON tc.team_kind = t.kind WHERE t.id = to_team
                    AND tc.case_type = c.case_type)
     OR NOT EXISTS (SELECT 1 FROM {s}.users u WHERE u.id = c.owner_id
                    AND u.team_id = to_team AND u.active) THEN
    RETURN 0;
  END IF;
  UPDATE {s}.cases SET team_id = to_team, version = c.version + 1, updated_at = at
   WHERE id = cid;
  RETURN c.version + 1;
END $$""",
        # Definer: a user sets the job title their own letters are signed with (the users
        # table is the administrators' to write), and nothing else of any row.
        f"""CREATE OR REPLACE FUNCTION {a}.set_own_job_title(title text) RETURNS integer
SECURITY DEFINER SET search_path = pg_catalog, pg_temp LANGUAGE plpgsql AS $$
DECLARE n integer;
BEGIN
  UPDATE {s}.users SET job_title = left(title, 120)
   WHERE username = session_user AND active;
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END $$""",
        f"REVOKE ALL ON ALL FUNCTIONS IN SCHEMA {a} FROM PUBLIC",
        f"GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA {a} TO {ident(names.user)}",
    ]


def _policy(table: str, expr: str, check: str = "") -> list[str]:
    """``expr`` selects the rows a user sees; a row written must also meet ``check``."""
    checked = f"({expr}) AND ({check})" if check else expr
    return [f"DROP POLICY IF EXISTS cw_access ON {SCHEMA}.{table}",
            f"CREATE POLICY cw_access ON {SCHEMA}.{table} USING ({expr}) "
            f"WITH CHECK ({checked})"]


def _sees(table: str, column: str, alias: str) -> str:
    """A reference written into a row must name a row the writer can see: a foreign-key
    check alone looks past the policies, so a hidden person or address could otherwise be
    linked to a visible case and so come into view."""
    return f"{column} IS NULL OR EXISTS (SELECT 1 FROM {SCHEMA}.{table} {alias} " \
           f"WHERE {alias}.id = {column})"


LINK_CHECKS: dict[str, list[tuple[str, str]]] = {}
for _table, _column in PERSON_LINKS:
    LINK_CHECKS.setdefault(_table, []).append(("people", _column))
for _table, _column, _target in REFERENCE_LINKS:
    LINK_CHECKS.setdefault(_table, []).append((_target, _column))


def _owner_reads(names: Names, table: str) -> list[str]:
    """The schema owner (no one logs in as it) may read: only its definer functions do."""
    return [f"DROP POLICY IF EXISTS cw_owner_reads ON {SCHEMA}.{table}",
            f"CREATE POLICY cw_owner_reads ON {SCHEMA}.{table} FOR SELECT "
            f"TO {ident(names.owner)} USING (true)"]


def _owner_transfers(names: Names) -> list[str]:
    """The schema owner may update a case row: only ``transfer_case`` (a definer) does."""
    return [f"DROP POLICY IF EXISTS cw_owner_transfers ON {SCHEMA}.cases",
            f"CREATE POLICY cw_owner_transfers ON {SCHEMA}.cases FOR UPDATE "
            f"TO {ident(names.owner)} USING (true) WITH CHECK (true)"]


def _row_security(names: Names) -> list[str]:
    s, a = SCHEMA, ACL
    out: list[str] = []
    for t in IDENTIFIABLE:
        out += [f"ALTER TABLE {s}.{t} ENABLE ROW LEVEL SECURITY",
                f"ALTER TABLE {s}.{t} FORCE ROW LEVEL SECURITY"]
    # The same rule as case_visible, written so that the user's team, case types and
    # panels are looked up once per statement (sub-selects), not once per row.
    out += _policy("cases", f"(case_type IN {MY_TEAM_TYPES} AND (team_id IS "
                            f"NULL OR team_id = {MY_TEAM_ID})) OR (case_type IN "
                            f"(SELECT pc.case_type FROM {a}.panel_case_types pc) AND panel_id "
                            f"IN {MY_PANELS})",
                   _sees("addresses", "cases.address_id", "ad"))
    for t in CASE_CHILD_TABLES:
        checks = " AND ".join(f"({_sees(ref, f'{t}.{col}', 'ref')})"
                              for ref, col in LINK_CHECKS.get(t, []))
        out += _policy(t, f"EXISTS (SELECT 1 FROM {s}.cases c WHERE c.id = {t}.case_id)",
                       checks)
    out += _policy("breaches", f"EXISTS (SELECT 1 FROM {s}.escalation_steps e "
                               f"WHERE e.id = breaches.step_id)")
    out += _policy("tasks", f"CASE WHEN tasks.case_id IS NOT NULL THEN EXISTS (SELECT 1 FROM "
                            f"{s}.cases c WHERE c.id = tasks.case_id) ELSE ("
                            f"{MY_IDENTIFIABLE}) AND (tasks.assigned_user_id = "
                            f"{MY_USER_ID} OR tasks.team_id = {MY_TEAM_ID}) "
                            f"END")
    out += _policy("people", f"{a}.person_visible(people.id)")
    for t in PERSON_CHILD_TABLES:
        check = _sees("addresses", f"{t}.address_id", "ad") if t == "person_addresses" else ""
        out += _policy(t, f"EXISTS (SELECT 1 FROM {s}.people p WHERE p.id = {t}.person_id)",
                       check)
    out += _policy("addresses", f"{a}.address_visible(addresses.id)")
    out += _policy("meetings", f"({my_scope_is('panel')}) AND meetings.panel_id IN "
                               f"{MY_PANELS}")
    out += _policy("ugly_mug_reports",
                   f"(ugly_mug_reports.case_id IS NOT NULL AND EXISTS (SELECT 1 FROM "
                   f"{s}.cases c WHERE c.id = ugly_mug_reports.case_id)) OR "
                   f"ugly_mug_reports.panel_id IN {MY_PANELS}")
    out += _policy("meeting_attendance", f"EXISTS (SELECT 1 FROM {s}.meetings m "
                                         f"WHERE m.id = meeting_attendance.meeting_id)")
    # The owner reads every identifiable table: only its definer functions run as it
    # (the checks above, and the aggregate and retention functions of ``server init``).
    for t in IDENTIFIABLE:
        out += _owner_reads(names, t)
    out += _owner_transfers(names)
    # Group counts: not identifiable, but only of the groups the user's cases fall in.
    out += ["ALTER TABLE casework.case_counts ENABLE ROW LEVEL SECURITY",
            *_policy("case_counts", f"{a}.case_visible(case_type, team_id, panel_id)")]
    # Signing keys and heads: anyone reads; a user writes only their own.
    out += ["ALTER TABLE casework.signing_keys ENABLE ROW LEVEL SECURITY",
            "ALTER TABLE casework.signing_keys FORCE ROW LEVEL SECURITY",
            "DROP POLICY IF EXISTS cw_read ON casework.signing_keys",
            "CREATE POLICY cw_read ON casework.signing_keys FOR SELECT USING (true)",
            "DROP POLICY IF EXISTS cw_own ON casework.signing_keys",
            "CREATE POLICY cw_own ON casework.signing_keys FOR INSERT "
            "WITH CHECK (name = current_user)",
            "ALTER TABLE casework.audit_heads ENABLE ROW LEVEL SECURITY",
            "ALTER TABLE casework.audit_heads FORCE ROW LEVEL SECURITY",
            "DROP POLICY IF EXISTS cw_read ON casework.audit_heads",
            "CREATE POLICY cw_read ON casework.audit_heads FOR SELECT USING (true)"]
    own_key = ("key_id IN (SELECT k.id FROM casework.signing_keys k "
               "WHERE k.name = current_user)")
    for cmd in ("INSERT", "UPDATE"):
        name = f"cw_own_{cmd.lower()}"
        check = f"WITH CHECK ({own_key})" if cmd == "INSERT" else \
            f"USING ({own_key}) WITH CHECK ({own_key})"
        out += [f"DROP POLICY IF EXISTS {name} ON casework.audit_heads",
                f"CREATE POLICY {name} ON casework.audit_heads FOR {cmd} {check}"]
    return out


def _groups(names: Names, roles: Mapping[str, RoleSpec], cls: str) -> str:
    return ", ".join(ident(names.group(r)) for r, spec in sorted(roles.items())
                     if cls in spec.classes)


def _subject_access(names: Names, roles: Mapping[str, RoleSpec]) -> list[str]:
    """Subject access: read-only policies over every identifiable table (all case types),
    the disclosure log, and tasks of one's own that belong to no case."""
    s, a = SCHEMA, ACL
    out: list[str] = []
    readers = _groups(names, roles, "sar_read")
    for t in IDENTIFIABLE:
        out.append(f"DROP POLICY IF EXISTS cw_sar_read ON {s}.{t}")
        if readers:
            # SELECT only: with no write grant and no write policy, nothing is changed.
            out.append(f"CREATE POLICY cw_sar_read ON {s}.{t} FOR SELECT TO {readers} "
                       f"USING ({my_scope_is('subject_access')})")
    loggers = _groups(names, roles, "disclosures")
    out += [f"ALTER TABLE {s}.disclosures ENABLE ROW LEVEL SECURITY",
            f"ALTER TABLE {s}.disclosures FORCE ROW LEVEL SECURITY",
            f"DROP POLICY IF EXISTS cw_read ON {s}.disclosures",
            f"DROP POLICY IF EXISTS cw_own ON {s}.disclosures"]
    if loggers:
        out += [f"CREATE POLICY cw_read ON {s}.disclosures FOR SELECT TO {loggers} "
                f"USING ({MY_USER_ID} IS NOT NULL)",
                # In the writer's own name only.
                f"CREATE POLICY cw_own ON {s}.disclosures FOR INSERT TO {loggers} "
                f"WITH CHECK (recorded_by = {MY_USER_ID})"]
    owners = _groups(names, roles, "own_tasks")
    own = f"tasks.case_id IS NULL AND tasks.assigned_user_id = {MY_USER_ID}"
    # (A role that also applies retention removes a case's tasks within a run.)
    mine_or_run = f"({own}) OR tasks.case_id IN (SELECT {a}.retention_cases())"
    out.append(f"DROP POLICY IF EXISTS cw_own_tasks ON {s}.tasks")
    for cmd in ("insert", "update", "delete"):
        out.append(f"DROP POLICY IF EXISTS cw_own_tasks_{cmd} ON {s}.tasks")
    if owners:
        out.append(f"CREATE POLICY cw_own_tasks ON {s}.tasks TO {owners} USING ({own}) "
                   f"WITH CHECK ({own})")
        # Restrictive: whatever else these roles may read (a case's tasks, through
        # sar_read), they write only their own tasks outside any case.
        out += [f"CREATE POLICY cw_own_tasks_insert ON {s}.tasks AS RESTRICTIVE FOR INSERT "
                f"TO {owners} WITH CHECK ({own})",
                f"CREATE POLICY cw_own_tasks_update ON {s}.tasks AS RESTRICTIVE FOR UPDATE "
                f"TO {owners} USING ({mine_or_run}) WITH CHECK ({mine_or_run})",
                f"CREATE POLICY cw_own_tasks_delete ON {s}.tasks AS RESTRICTIVE FOR DELETE "
                f"TO {owners} USING ({mine_or_run})"]
    return out


def _memberships(names: Names, roles: Mapping[str, RoleSpec]) -> list[str]:
    """Panel memberships: read by every login (the policies read them too); written by
    the roles with "admin"; a chair (class "chair") updates only the coded agency
    (a column grant) of the memberships of the panels they chair. Row security is
    enabled, not forced: the owner's definer functions read every membership."""
    s, a, t = SCHEMA, ACL, "panel_memberships"
    out = [f"ALTER TABLE {s}.{t} ENABLE ROW LEVEL SECURITY",
           f"ALTER TABLE {s}.{t} NO FORCE ROW LEVEL SECURITY",
           f"CREATE OR REPLACE FUNCTION {a}.chairs_panel(panel integer) RETURNS boolean "
           f"STABLE LANGUAGE sql AS $$ SELECT panel IN (SELECT pm.panel_id FROM {s}.{t} pm "
           f"JOIN {s}.users u ON u.id = pm.user_id JOIN {a}.roles r ON r.role = u.role "
           f"WHERE u.username = current_user AND u.active AND pm.is_chair "
           f"AND r.scope = 'panel') $$",
           f"REVOKE ALL ON FUNCTION {a}.chairs_panel(integer) FROM PUBLIC",
           f"GRANT EXECUTE ON FUNCTION {a}.chairs_panel(integer) TO {ident(names.user)}",
           *(f"DROP POLICY IF EXISTS {n} ON {s}.{t}" for n in ("cw_read", "cw_admin",
                                                                "cw_chair"))]
    out.append(f"CREATE POLICY cw_read ON {s}.{t} FOR SELECT USING (true)")
    admins = _groups(names, roles, "admin")
    if admins:
        out.append(f"CREATE POLICY cw_admin ON {s}.{t} TO {admins} USING (true) "
                   f"WITH CHECK (true)")
    chairs = _groups(names, roles, "chair")
    if chairs:
        mine = f"{a}.chairs_panel({t}.panel_id)"
        out.append(f"CREATE POLICY cw_chair ON {s}.{t} FOR UPDATE TO {chairs} "
                   f"USING ({mine}) WITH CHECK ({mine})")
    # Meetings, their attendance and agenda are the chair's to write (``meeting.manage``):
    # a panel member reads them, and writes none of them even with ``psql``.
    panel_roles = ", ".join(ident(names.group(r)) for r, spec in sorted(roles.items())
                            if spec.scope == "panel")
    of_meeting = {"meetings": "meetings.panel_id",
                  "meeting_attendance": f"(SELECT m.panel_id FROM {s}.meetings m "
                                        f"WHERE m.id = meeting_attendance.meeting_id)",
                  "meeting_items": f"(SELECT m.panel_id FROM {s}.meetings m "
                                   f"WHERE m.id = meeting_items.meeting_id)"}
    for table, panel in of_meeting.items():
        chair = f"{a}.chairs_panel({panel})"
        for cmd in ("insert", "update", "delete"):
            name = f"cw_chair_writes_{cmd}"
            out.append(f"DROP POLICY IF EXISTS {name} ON {s}.{table}")
            if not panel_roles:
                continue
            clause = {"insert": f"WITH CHECK ({chair})",
                      "update": f"USING ({chair}) WITH CHECK ({chair})",
                      "delete": f"USING ({chair})"}[cmd]
            out.append(f"CREATE POLICY {name} ON {s}.{table} AS RESTRICTIVE FOR "
                       f"{cmd.upper()} TO {panel_roles} {clause}")
    return out


def _change_log(names: Names, roles: Mapping[str, RoleSpec]) -> list[str]:
    s, a, t = SCHEMA, ACL, CHANGE_LOG
    readers = ", ".join(ident(names.group(r)) for r, spec in sorted(roles.items())
                        if {"case", "sar_read"} & spec.classes) or ident(names.owner)
    return [
        f"ALTER TABLE {s}.{t} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {s}.{t} FORCE ROW LEVEL SECURITY",
        f"DROP POLICY IF EXISTS cw_read ON {s}.{t}",
        f"DROP POLICY IF EXISTS cw_read_cases ON {s}.{t}",
        # Retired: the set of every visible case's id, built whole for each statement
        # (O(visible cases): 0.4 s a poll at 1,000,000 cases).
        f"DROP FUNCTION IF EXISTS {a}.visible_case_ids()",
        # Everyone reads their own changes. (A writer also reads back what it wrote: the
        # rows of a case it has just removed, under retention, name a case no longer there.)
        f"CREATE POLICY cw_read ON {s}.{t} FOR SELECT USING "
        f"({t}.actor_id = {MY_USER_ID})",
        # The roles that read cases: a row of a case they see, one primary-key lookup under
        # the cases' own policy per row read (the desktop's poll reads the newest rows
        # only); rows of no case, as the roles that see people. A policy only for these
        # roles, as the others may not read ``cases`` at all.
        f"CREATE POLICY cw_read_cases ON {s}.{t} FOR SELECT TO {readers} USING "
        f"(({t}.case_id IS NOT NULL AND EXISTS (SELECT 1 FROM {s}.cases c WHERE c.id = "
        f"{t}.case_id)) OR ({t}.case_id IS NULL AND ({MY_IDENTIFIABLE} OR "
        f"{my_scope_is('subject_access')})))",
        f"DROP POLICY IF EXISTS cw_append ON {s}.{t}",
        # (The writer's id read once per statement: a bulk import appends thousands.)
        f"CREATE POLICY cw_append ON {s}.{t} FOR INSERT WITH CHECK "
        f"(actor_id = {MY_USER_ID})",
    ]


def _audit(names: Names, roles: Mapping[str, RoleSpec]) -> list[str]:
    s, a, t = SCHEMA, ACL, AUDIT
    readers = [names.group(r) for r, spec in sorted(roles.items()) if "audit_read" in spec.classes]
    out = [
        f"ALTER TABLE {s}.{t} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {s}.{t} FORCE ROW LEVEL SECURITY",
        f"DROP POLICY IF EXISTS cw_append ON {s}.{t}",
        # Entries in the writer's own name only (not another user's, not "system").
        f"CREATE POLICY cw_append ON {s}.{t} FOR INSERT WITH CHECK (username = current_user)",
        *_owner_reads(names, t),
        f"DROP POLICY IF EXISTS cw_readers ON {s}.{t}",
    ]
    if readers:
        out.append(f"CREATE POLICY cw_readers ON {s}.{t} FOR SELECT TO "
                   f"{', '.join(ident(r) for r in readers)} USING (true)")
    # A case's history (the case view shows it): entries about cases the reader sees.
    workers = [names.group(r) for r, spec in sorted(roles.items()) if "case" in spec.classes]
    out.append(f"DROP POLICY IF EXISTS cw_case_history ON {s}.{t}")
    if workers:
        out.append(f"CREATE POLICY cw_case_history ON {s}.{t} FOR SELECT TO "
                   f"{', '.join(ident(r) for r in workers)} USING (record_type = 'case' AND "
                   f"EXISTS (SELECT 1 FROM {s}.cases c WHERE c.id::text = {t}.record_id))")
    out += [
        # The tail of the chain, read under a transaction-scoped lock: the next writer
        # waits until this transaction ends, so two writers cannot take the same place.
        # VOLATILE (the default): its query takes a snapshot after the lock is granted.
        f"""CREATE OR REPLACE FUNCTION {a}.audit_tail(OUT seq integer, OUT hash text)
SECURITY DEFINER SET search_path = pg_catalog, pg_temp LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock({AUDIT_LOCK});
  SELECT e.seq, e.hash INTO seq, hash FROM {s}.{t} e ORDER BY e.seq DESC LIMIT 1;
END $$""",
        # An entry's hash only (a session checks its own latest head against it).
        f"CREATE OR REPLACE FUNCTION {a}.audit_hash(at integer) RETURNS text STABLE "
        f"SECURITY DEFINER SET search_path = pg_catalog, pg_temp LANGUAGE sql "
        f"AS $$ SELECT e.hash FROM {s}.{t} e WHERE e.seq = at $$",
        f"""CREATE OR REPLACE FUNCTION {a}.audit_guard() RETURNS trigger
SECURITY DEFINER SET search_path = pg_catalog, pg_temp LANGUAGE plpgsql AS $$
DECLARE top integer;
BEGIN
  IF TG_OP <> 'INSERT' THEN
    RAISE EXCEPTION 'the audit trail is append-only: % refused', TG_OP
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  PERFORM pg_advisory_xact_lock({AUDIT_LOCK});
  SELECT max(e.seq) INTO top FROM {s}.{t} e;
  IF top IS NOT NULL AND NEW.seq <= top THEN
    RAISE EXCEPTION 'audit entry % is not after the end of the chain (%)', NEW.seq, top
      USING ERRCODE = 'unique_violation';
  END IF;
  RETURN NEW;
END $$""",
        f"DROP TRIGGER IF EXISTS tr_audit_guard ON {s}.{t}",
        f"CREATE TRIGGER tr_audit_guard BEFORE INSERT OR UPDATE OR DELETE ON {s}.{t} "
        f"FOR EACH ROW EXECUTE FUNCTION {a}.audit_guard()",
        f"DROP TRIGGER IF EXISTS tr_audit_no_truncate ON {s}.{t}",
        f"CREATE TRIGGER tr_audit_no_truncate BEFORE TRUNCATE ON {s}.{t} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {a}.audit_guard()",
        f"REVOKE ALL ON FUNCTION {a}.audit_guard() FROM PUBLIC",
        f"REVOKE ALL ON FUNCTION {a}.audit_tail(), {a}.audit_hash(integer) FROM PUBLIC",
        f"GRANT EXECUTE ON FUNCTION {a}.audit_tail(), {a}.audit_hash(integer) "
        f"TO {ident(names.user)}",
    ]
    return out


def _grants(names: Names, roles: Mapping[str, RoleSpec], tables: list[str]) -> list[str]:
    s = SCHEMA
    u = ident(names.user)
    known = set(tables)

    def q(ts: tuple[str, ...] | list[str]) -> str:
        return ", ".join(f"{s}.{t}" for t in ts if t in known)

    out = [f"REVOKE ALL ON ALL TABLES IN SCHEMA {s} FROM PUBLIC",
           f"REVOKE ALL ON ALL TABLES IN SCHEMA {s} FROM {u}",
           f"GRANT SELECT ON {q(REFERENCE)} TO {u}",
           f"GRANT INSERT ON {s}.{AUDIT} TO {u}",
           *([f"GRANT SELECT, INSERT ON {s}.{CHANGE_LOG} TO {u}"] if CHANGE_LOG in known
             else []),
           f"GRANT INSERT ON {s}.signing_keys TO {u}",
           f"GRANT INSERT, UPDATE ON {s}.audit_heads TO {u}",
           f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA {s} TO {u}"]
    # Tables nobody classified (a newer revision's) hold nothing any role is granted.
    for t in sorted(known - set(IDENTIFIABLE) - set(REFERENCE) - set(DISCLOSURES)
                    - {AUDIT, CHANGE_LOG}):
        out += [f"ALTER TABLE {s}.{t} ENABLE ROW LEVEL SECURITY",
                f"ALTER TABLE {s}.{t} FORCE ROW LEVEL SECURITY"]
    for role, spec in sorted(roles.items()):
        g = ident(names.group(role))
        out.append(f"REVOKE ALL ON ALL TABLES IN SCHEMA {s} FROM {g}")
        if "case" in spec.classes:
            out.append(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {q(IDENTIFIABLE)} TO {g}")
            out.append(f"GRANT SELECT ON {s}.{AUDIT} TO {g}")
            out.append(f"GRANT INSERT ON {q(CASE_ADDS)} TO {g}")
        if "admin" in spec.classes:
            out.append(f"GRANT INSERT, UPDATE, DELETE ON {q(ADMIN_WRITES)} TO {g}")
        if "police" in spec.classes:
            out.append(f"GRANT INSERT, UPDATE, DELETE ON {q(POLICE)} TO {g}")
        if "audit_read" in spec.classes:
            out.append(f"GRANT SELECT ON {s}.{AUDIT} TO {g}")
        if "sar_read" in spec.classes:
            out.append(f"GRANT SELECT ON {q(IDENTIFIABLE)} TO {g}")
        if "disclosures" in spec.classes:
            out.append(f"GRANT SELECT, INSERT ON {q(DISCLOSURES)} TO {g}")
        if "own_tasks" in spec.classes:
            out.append(f"GRANT SELECT, INSERT, UPDATE ON {s}.tasks TO {g}")
        if "chair" in spec.classes and "panel_memberships" in known:
            out.append(f"GRANT UPDATE (agency) ON {s}.panel_memberships TO {g}")
        if "retention" in spec.classes:
            # Rows only of an open retention run (the policies of ``server init``).
            out.append(f"GRANT UPDATE, DELETE ON {q(IDENTIFIABLE)} TO {g}")
            out.append(f"GRANT INSERT ON {s}.people TO {g}")
    return out


def secure(names: Names, roles: Mapping[str, RoleSpec], tables: list[str],
           team_types: Mapping[str, frozenset[str]], panel_types: frozenset[str]) -> list[str]:
    """Run as the schema owner after the migrations: role table, functions, row-level
    security, the audit guard and the grants. Safe to run again (``server init`` on an
    existing schema brings the policies up to date)."""
    return [*_acl_tables(names, roles, team_types, panel_types), *_functions(names),
            *_row_security(names), *_subject_access(names, roles),
            *_memberships(names, roles), *_change_log(names, roles),
            *_audit(names, roles),
            *_grants(names, roles, tables)]


# Search as you type: ``casework.cases.search`` matches with ILIKE on PostgreSQL; these
# trigram indexes serve it (prefix and substring alike) at any size.
TRIGRAM_INDEXES = (("people", "family_name"), ("people", "given_name"),
                   ("person_aliases", "alias"), ("addresses", "line1"),
                   ("addresses", "postcode"), ("cases", "reference"))


def trigram_indexes(extension_schema: str, tables: list[str]) -> list[str]:
    """Run as the owner once ``pg_trgm`` is installed in ``extension_schema``."""
    ops = f"{ident(extension_schema)}.gin_trgm_ops"
    return [f"CREATE INDEX IF NOT EXISTS ix_trgm_{t}_{c} ON {SCHEMA}.{t} USING gin ({c} {ops})"
            for t, c in TRIGRAM_INDEXES if t in tables]
