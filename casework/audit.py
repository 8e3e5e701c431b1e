"""The audit chain: append-only, HMAC-chained entries written in the caller's transaction.

h_n = HMAC(k_audit, h_{n-1} || seq || canonical entry), with k_audit derived from the data
key. Entries hold who, when, action, record type and id, a reason where required, and a
small JSON ``detail`` of non-sensitive facts (counts, digests, protocol versions): never a
name, address, date of birth or free text.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import AuditEntry

if TYPE_CHECKING:
    from casework.context import Actor, Workspace

GENESIS = "0" * 64


def canonical(seq: int, ts: str, user_id: int | None, username: str, action: str,
              record_type: str, record_id: str, reason: str, detail: str) -> bytes:
    """The exact bytes an entry's MAC covers."""
    return json.dumps(
        [seq, ts, user_id, username, action, record_type, record_id, reason, detail],
        separators=(",", ":"), ensure_ascii=True,
    ).encode("ascii")


def chain_hash(key: bytes, prev: str, seq: int, body: bytes) -> str:
    mac = hmac.new(key, digestmod=hashlib.sha256)
    mac.update(prev.encode("ascii"))
    mac.update(b"|%d|" % seq)
    mac.update(body)
    return mac.hexdigest()


def record(ws: Workspace, session: Session, action: str, record_type: str = "",
           record_id: object = "", *, reason: str = "", detail: dict[str, Any] | None = None,
           actor: Actor | None = None) -> AuditEntry:
    """Append one entry in ``session``'s transaction (commits or rolls back with it)."""
    who = actor or ws.actor
    last = session.execute(
        select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)
    ).first()
    seq = (last[0] + 1) if last else 1
    prev = last[1] if last else GENESIS
    ts = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    detail_text = json.dumps(detail, sort_keys=True, separators=(",", ":")) if detail else ""
    rid = "" if record_id is None else str(record_id)
    body = canonical(seq, ts, who.user_id, who.username, action, record_type, rid, reason,
                     detail_text)
    entry = AuditEntry(seq=seq, ts=ts, user_id=who.user_id, username=who.username,
                       action=action, record_type=record_type, record_id=rid, reason=reason,
                       detail=detail_text, hash=chain_hash(ws.audit_key, prev, seq, body))
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    count: int
    head: str
    first_bad_seq: int | None = None
    problem: str = ""


def verify_rows(key: bytes, rows: Iterable[tuple[Any, ...]],
                head: str | None = None) -> VerifyResult:
    """Recompute the chain over rows (seq, ts, user_id, username, action, record_type,
    record_id, reason, detail, hash) in seq order; name the first entry that breaks it."""
    prev = GENESIS
    expected_seq = 1
    count = 0
    for row in rows:
        seq, ts, uid, uname, action, rtype, rid, reason, detail, h = row
        if seq != expected_seq:
            return VerifyResult(False, count, prev, expected_seq,
                                f"entry {expected_seq} is missing or out of order")
        body = canonical(seq, ts, uid, uname, action, rtype, rid, reason, detail)
        if not hmac.compare_digest(chain_hash(key, prev, seq, body), h or ""):
            return VerifyResult(False, count, prev, seq, f"entry {seq} does not match the chain")
        prev = h
        expected_seq += 1
        count += 1
    if head is not None and head != prev:
        return VerifyResult(False, count, prev, count + 1 if count else 1,
                            "the chain does not end at the recorded head: entries were cut off")
    return VerifyResult(True, count, prev)


def verify(ws: Workspace, head: str | None = None) -> VerifyResult:
    """Verify the whole chain in this database, streaming rows."""
    with ws.uow() as session:
        result = session.execute(
            select(AuditEntry.seq, AuditEntry.ts, AuditEntry.user_id, AuditEntry.username,
                   AuditEntry.action, AuditEntry.record_type, AuditEntry.record_id,
                   AuditEntry.reason, AuditEntry.detail, AuditEntry.hash)
            .order_by(AuditEntry.seq)
            .execution_options(yield_per=5000)
        )
        return verify_rows(ws.audit_key, (tuple(r) for r in result), head)


def count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(AuditEntry)) or 0)
