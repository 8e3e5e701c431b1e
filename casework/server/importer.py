"""Moving in: a file database copied into an empty team server, in one server
transaction (all or nothing), keeping people, cases, documents and the audit trail with
its signed heads, and recording the import at the end of the chain.

Users come across as casework users with NOLOGIN roles in their role's group: the server
administrator gives each a password (``server user passwd``), which lets them log in.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, insert, select, text

from casework.core import audit, clock
from casework.core.audit_chain import GENESIS, canonical, chain_hash
from casework.core.context import open_workspace
from casework.core.errors import ValidationError
from casework.core.permissions import require
from casework.server.roles import SERVER_ROLES
from casework.server.setup import _check_login_name, _run
from db.batches import chunks
from db.models import AuditEntry, Base, Case, Person, User
from db.server.connect import server_engine, translated
from db.server.policies import SCHEMA, Names, ident

DERIVED = ("case_counts", "case_list_state")  # kept by the server's own triggers
ROWS_PER_INSERT = 500


@dataclass(frozen=True)
class ImportResult:
    tables: int
    rows: int
    cases: int
    people: int
    audit_entries: int
    users: int


def import_file(url: str, path: Path, username: str, password: str, *,
                prefix: str = "casework", login_prefix: str = "") -> ImportResult:
    """Copy the file database at ``path`` (opened by its administrator ``username``) into
    the empty server schema at ``url`` (a set-up connection)."""
    names = Names(prefix)
    ws = open_workspace(Path(path), username, password)
    try:
        require(ws.actor, "admin.users")
        engine = server_engine(url)
        try:
            with translated(), ws.store.engine.connect() as src, engine.begin() as dst:
                _refuse_unless_empty(dst)
                counts = _copy(src, dst, login_prefix)
                users = _logins(dst, names, login_prefix)
                _reset_sequences(dst)
                entries = _record(dst, counts, Path(path).name)
            # Planner statistics for what was just loaded: until autovacuum gets to it,
            # a table is planned as if it were empty or of a default size, and the
            # policies' subqueries then run for seconds on the first screens.
            with translated(), engine.connect() as conn:
                conn.execute(text("ANALYZE"))
                conn.commit()
        finally:
            engine.dispose()
        with ws.uow() as session:
            audit.record(ws, session, "server.export", detail={
                "rows": sum(counts.values()), "audit_entries": entries})
    finally:
        ws.lock()
    return ImportResult(tables=len(counts), rows=sum(counts.values()),
                        cases=counts.get("cases", 0), people=counts.get("people", 0),
                        audit_entries=entries, users=users)


def _refuse_unless_empty(dst: Connection) -> None:
    for model in (Case, Person, User, AuditEntry):
        if dst.scalar(select(func.count()).select_from(model)):
            raise ValidationError("The server database already holds data: an import goes "
                                  "into a new, empty one (server init on a new database).",
                                  field="url")


def _copy(src: Connection, dst: Connection, login_prefix: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    # What the migrations seeded (vocabularies, LSOAs ...) gives way to the file's rows.
    for table in reversed(Base.metadata.sorted_tables):
        if table.name not in (*DERIVED, "audit_entries"):
            dst.execute(table.delete())
    for table in Base.metadata.sorted_tables:
        if table.name in DERIVED:
            continue
        order = list(table.primary_key.columns)
        self_refs = [fk.parent.name for fk in table.foreign_keys
                     if fk.column.table is table]
        rows = [dict(r) for r in src.execute(select(table).order_by(*order)).mappings()]
        later: list[dict[str, Any]] = []
        for row in rows:
            if table.name == "users":
                row["username"] = login_prefix + row["username"]
            for col in self_refs:  # pointing at a later row: set once all are in
                if row[col] is not None:
                    later.append({"pk": row["id"], "v": row[col], "col": col})
                    row[col] = None
        for batch in chunks(rows, ROWS_PER_INSERT):
            dst.execute(table.insert(), list(batch))
        for item in later:
            dst.execute(table.update().where(table.c.id == item["pk"])
                        .values({item["col"]: item["v"]}))
        counts[table.name] = len(rows)
    return counts


def _logins(dst: Connection, names: Names, login_prefix: str) -> int:
    made = 0
    for name, role in dst.execute(select(User.username, User.role)).all():
        _check_login_name(name, names)
        groups = [names.user] + ([names.group(role)] if role in SERVER_ROLES else [])
        if dst.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name}):
            raise ValidationError(f"A PostgreSQL role {name!r} already exists: import with "
                                  "a login prefix.", field="username")
        _run(dst, f"CREATE ROLE {ident(name)} NOLOGIN IN ROLE "
                  f"{', '.join(ident(g) for g in groups)}")
        made += 1
    return made


def _reset_sequences(dst: Connection) -> None:
    for table in Base.metadata.sorted_tables:
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or table.name in DERIVED:
            continue
        seq = dst.scalar(text("SELECT pg_get_serial_sequence(:t, :c)"),
                         {"t": f"{SCHEMA}.{table.name}", "c": pk[0].name})
        if seq:
            dst.execute(text(f"SELECT setval(:s, coalesce((SELECT max({pk[0].name}) FROM "
                             f"{SCHEMA}.{table.name}), 0) + 1, false)"), {"s": seq})


def _record(dst: Connection, counts: dict[str, int], file_name: str) -> int:
    """The import's own entry at the end of the copied chain (written as "system")."""
    last = dst.execute(select(AuditEntry.seq, AuditEntry.hash)
                       .order_by(AuditEntry.seq.desc()).limit(1)).first()
    seq = (last[0] + 1) if last else 1
    prev = last[1] if last else GENESIS
    ts = clock.now_utc().strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    detail = json.dumps({"cases": counts.get("cases", 0), "people": counts.get("people", 0),
                         "documents": counts.get("documents", 0),
                         "audit_entries": counts.get("audit_entries", 0),
                         "file": file_name[-40:]}, sort_keys=True, separators=(",", ":"))
    body = canonical(seq, ts, None, "system", "server.import", "", "", "", detail)
    dst.execute(insert(AuditEntry).values(
        seq=seq, ts=ts, user_id=None, username="system", action="server.import",
        record_type="", record_id="", reason="", detail=detail,
        hash=chain_hash(prev, seq, body)))
    return counts.get("audit_entries", 0) + 1
