"""The retention schedule on a team server.

The information-governance officer reads every case for review, but may change or remove
rows only within a retention run: ``retention_open``, a definer function, checks that
every case named is closed and past its retention period (the server's own settings and
date), records the run (who, what, the cases, the people and addresses they refer to, the
reason) in a table no login may write, and names the transaction. The row-level policies
below let that transaction, and no other, change and remove those rows; the run's
commit is refused unless the audit trail holds an entry for every case of the run
(``casework.safeguards.retention`` writes them in the same transaction).

Which rows belong to a case, and which columns refer to people and addresses, is read
from the schema's foreign keys (``casework.safeguards.records``), as in file mode.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, cast

from sqlalchemy import Date, DateTime, String, Table, literal_column, select
from sqlalchemy.dialects import postgresql

from casework.core import settings
from casework.safeguards import records
from casework.safeguards.retention import KEEP_TEXT, PERSON_OWNED
from db.models import Base
from db.server.policies import ACL, IDENTIFIABLE, SCHEMA, Names, RoleSpec, ident, literal

ACTIONS = ("anonymise", "delete")


def _sql(expr: Any) -> str:
    return str(expr.compile(dialect=postgresql.dialect(),  # type: ignore[no-untyped-call]
                            compile_kwargs={"literal_binds": True}))


def _belongs(table: Table) -> str:
    """The rows of ``table`` under the run's cases (as ``records.belongs_to_cases``)."""
    run = cast(list[int], select(literal_column(f"{ACL}.retention_cases()")))
    return _sql(records.belongs_to_cases(table, run))


def _people_sql() -> str:
    """Every person the cases in ``ids`` refer to."""
    parts = [f"SELECT {col.name} FROM {SCHEMA}.{table.name} WHERE {case_col.name} = "
             f"ANY(ids) AND {col.name} IS NOT NULL"
             for table, col, case_col in records.case_person_columns()]
    return " UNION ".join(parts)


def _in_use_elsewhere_sql() -> str:
    """Whether person ``p`` is referred to by anything but the cases in ``ids`` (and their
    own aliases and addresses), as ``records.person_in_use``: such a person stays."""
    parts = []
    for table, col in records.person_columns():
        if table.name in PERSON_OWNED:
            continue
        case_col = records.case_id_column(table)
        other = f" AND x.{case_col.name} <> ALL(ids)" if case_col is not None else ""
        parts.append(f"EXISTS (SELECT 1 FROM {SCHEMA}.{table.name} x WHERE x.{col.name} = p"
                     f"{other})")
    parts.append(f"EXISTS (SELECT 1 FROM {SCHEMA}.people x WHERE x.merged_into_id = p)")
    return " OR ".join(parts)


def _addresses_sql() -> str:
    """Addresses the cases in ``ids`` or their people (``pids``) point at."""
    addresses = Base.metadata.tables["addresses"]
    parts = []
    for t in records.sorted_tables():
        for fk in t.foreign_keys:
            if fk.column.table is not addresses:
                continue
            conds = []
            case_col = records.case_id_column(t)
            if case_col is not None:
                conds.append(f"{case_col.name} = ANY(ids)")
            if "person_id" in t.c:
                conds.append("person_id = ANY(pids)")
            if conds:
                parts.append(f"SELECT {fk.parent.name} FROM {SCHEMA}.{t.name} WHERE "
                             f"({' OR '.join(conds)}) AND {fk.parent.name} IS NOT NULL")
    return " UNION ".join(parts)


def _stand_in_check() -> str:
    """A person a run may add: an anonymous stand-in (no identifying value)."""
    people = Base.metadata.tables[records.PEOPLE]
    keep = KEEP_TEXT.get(records.PEOPLE, frozenset())
    conds = ["people.anonymised"]
    for col in people.columns:
        if col.name in keep or col.name == "uuid" or col.primary_key or col.foreign_keys:
            continue
        if isinstance(col.type, String):
            conds.append(f"coalesce(people.{col.name}, '') = ''")
        elif isinstance(col.type, Date) and not isinstance(col.type, DateTime):
            conds.append(f"people.{col.name} IS NULL")
    return " AND ".join(conds)


def _open_function(names: Names, roles: Mapping[str, RoleSpec], years: Mapping[str, int],
                   key: str) -> list[str]:
    a, s = ACL, SCHEMA
    allowed = ", ".join(literal(r) for r, spec in sorted(roles.items())
                        if "retention" in spec.classes) or "NULL"
    defaults = literal(json.dumps(dict(sorted(years.items()))))
    fn = f"{a}.retention_open(text, integer[], text, date)"
    return [
        f"""CREATE OR REPLACE FUNCTION {a}.retention_open(p_action text, p_case_ids integer[],
  p_reason text, p_today date) RETURNS void VOLATILE SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp LANGUAGE plpgsql AS $$
DECLARE
  ids integer[];
  pids integer[];
  aids integer[];
  stored jsonb;
  c record;
  kept integer;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM {s}.users u WHERE u.username = session_user AND u.active
                 AND u.role IN ({allowed})) THEN
    RAISE EXCEPTION 'retention is not among this user''s duties'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF p_action NOT IN ({", ".join(literal(x) for x in ACTIONS)}) THEN
    RAISE EXCEPTION 'unknown retention action' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF p_today IS NULL OR p_today > current_date + 1 THEN
    RAISE EXCEPTION 'the date given for the retention run is after the server''s date'
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF EXISTS (SELECT 1 FROM {a}.retention_runs r WHERE r.xid = txid_current()) THEN
    RAISE EXCEPTION 'one retention run per transaction'
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  SELECT array_agg(DISTINCT x) INTO ids FROM unnest(p_case_ids) x;
  IF ids IS NULL THEN
    RAISE EXCEPTION 'no cases chosen' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  SELECT st.value::jsonb INTO stored FROM {s}.settings st WHERE st.key = {literal(key)};
  FOR c IN SELECT x AS id, k.case_type, k.status, k.closed_on, k.anonymised_at
           FROM unnest(ids) x LEFT JOIN {s}.cases k ON k.id = x LOOP
    IF c.case_type IS NULL THEN
      RAISE EXCEPTION 'case % does not exist', c.id USING ERRCODE = 'no_data_found';
    END IF;
    kept := coalesce((stored ->> c.case_type)::integer,
                     ({defaults}::jsonb ->> c.case_type)::integer, 6);
    IF c.status <> 'closed' OR c.closed_on IS NULL
       OR p_today <= (c.closed_on + make_interval(years => kept))::date THEN
      RAISE EXCEPTION 'case % is not past its retention period', c.id
        USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF p_action = 'anonymise' AND c.anonymised_at IS NOT NULL THEN
      RAISE EXCEPTION 'case % is already anonymised', c.id
        USING ERRCODE = 'invalid_parameter_value';
    END IF;
  END LOOP;
  -- The people of these cases whom nothing else refers to: the run may clear or remove
  -- them (a person still in another case keeps their record; only links change).
  SELECT coalesce(array_agg(DISTINCT p), '{{}}') INTO pids FROM ({_people_sql()}) AS q(p)
    WHERE NOT ({_in_use_elsewhere_sql()});
  SELECT coalesce(array_agg(DISTINCT ad), '{{}}') INTO aids
    FROM ({_addresses_sql()}) AS q(ad);
  INSERT INTO {a}.retention_runs (xid, username, action, case_ids, people, addresses,
                                  reason, audit_seq)
  VALUES (txid_current(), session_user, p_action, ids, pids, aids, coalesce(p_reason, ''),
          coalesce((SELECT max(e.seq) FROM {s}.audit_entries e), 0));
END $$""",
        f"REVOKE ALL ON FUNCTION {fn} FROM PUBLIC",
        f"REVOKE ALL ON FUNCTION {fn} FROM {ident(names.user)}",
        *([f"GRANT EXECUTE ON FUNCTION {fn} TO "
           + ", ".join(ident(names.group(r)) for r, spec in sorted(roles.items())
                       if "retention" in spec.classes)]
          if any("retention" in spec.classes for spec in roles.values()) else []),
        # At commit: every case of the run has its entry in the audit trail, by the
        # officer, after the run was opened.
        f"""CREATE OR REPLACE FUNCTION {a}.retention_audited() RETURNS trigger
  SECURITY DEFINER SET search_path = pg_catalog, pg_temp LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM unnest(NEW.case_ids) x WHERE NOT EXISTS (
      SELECT 1 FROM {s}.audit_entries e WHERE e.seq > NEW.audit_seq
      AND e.action = 'retention.' || NEW.action AND e.record_type = 'case'
      AND e.record_id = x::text AND e.username = NEW.username)) THEN
    RAISE EXCEPTION 'a retention run must record every case in the audit trail'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NULL;
END $$""",
        f"REVOKE ALL ON FUNCTION {a}.retention_audited() FROM PUBLIC",
        f"DROP TRIGGER IF EXISTS tr_retention_audited ON {a}.retention_runs",
        f"CREATE CONSTRAINT TRIGGER tr_retention_audited AFTER INSERT ON {a}.retention_runs "
        f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
        f"EXECUTE FUNCTION {a}.retention_audited()",
    ]


def _policies(names: Names, roles: Mapping[str, RoleSpec]) -> list[str]:
    s, a = SCHEMA, ACL
    groups = ", ".join(ident(names.group(r)) for r, spec in sorted(roles.items())
                       if "retention" in spec.classes)
    own: dict[str, str] = {}
    for table in [*records.case_tables(), Base.metadata.tables[records.CASES]]:
        if table.name in IDENTIFIABLE:
            own[table.name] = _belongs(table)
    people = f"people.id IN (SELECT {a}.retention_people())"
    own[records.PEOPLE] = people
    for name in sorted(PERSON_OWNED):
        own[name] = f"{name}.person_id IN (SELECT {a}.retention_people())"
    own["addresses"] = f"addresses.id IN (SELECT {a}.retention_addresses())"
    # Every other identifiable table: nothing (e.g. meeting attendance, which the case
    # policies would let a reader of every meeting change).
    for name in IDENTIFIABLE:
        own.setdefault(name, "false")
    out: list[str] = []
    for tname, cond in sorted(own.items()):
        for cmd in ("update", "delete"):
            out += [f"DROP POLICY IF EXISTS cw_retention_{cmd} ON {s}.{tname}",
                    f"DROP POLICY IF EXISTS cw_retention_only_{cmd} ON {s}.{tname}"]
        if not groups:
            continue
        # Permissive: what a run may change; restrictive: nothing else, whatever another
        # policy allows (the case tables' own policy passes for a role that reads every
        # case). Addresses are only removed, once nothing refers to them.
        update = "false" if tname == "addresses" else cond
        for cmd, allow in (("update", update), ("delete", cond)):
            only = allow
            if tname == "tasks":  # and one's own tasks outside any case (own_tasks)
                only = (f"({allow}) OR (tasks.case_id IS NULL AND "
                        f"tasks.assigned_user_id = {a}.my_user_id())")
            for kind, name, c in (("PERMISSIVE", "cw_retention", allow),
                                  ("RESTRICTIVE", "cw_retention_only", only)):
                if c == "false" and kind == "PERMISSIVE":
                    continue
                check = f" WITH CHECK ({c})" if cmd == "update" else ""
                out.append(f"CREATE POLICY {name}_{cmd} ON {s}.{tname} AS {kind} FOR "
                           f"{cmd.upper()} TO {groups} USING ({c}){check}")
    out.append(f"DROP POLICY IF EXISTS cw_retention_stand_in ON {s}.people")
    if groups:
        out.append(f"CREATE POLICY cw_retention_stand_in ON {s}.people FOR INSERT TO "
                   f"{groups} WITH CHECK (EXISTS (SELECT {a}.retention_cases()) AND "
                   f"{_stand_in_check()})")
    return out


def ddl(names: Names, roles: Mapping[str, RoleSpec]) -> list[str]:
    """Run as the owner after the policies (``server init``)."""
    years = settings.SPECS[settings.RETENTION_YEARS].default
    return [*_open_function(names, roles, years, settings.RETENTION_YEARS),
            *_policies(names, roles)]
