"""The audit chain: append-only, hash-chained entries written in the caller's transaction,
and at the end of each transaction a head signed by the user who unlocked the database
(``casework.core.audit_chain`` says what that proves and how it is checked). Nothing in
it depends on the data key, so a rekey leaves it as it was.

Entries hold who, when, action, record type and id, a reason where required, and a
small JSON ``detail`` of non-sensitive facts (counts, digests, protocol versions): never a
name, address, date of birth or free text.

Action names in use (the UI and other services record these):

- ``login``: a user unlocked the database (``open_workspace``);
- ``unlock.failed``: written at the next successful login, ``detail={"count": n}``
  failed password attempts since the last one (see ``casework.lockout``);
- ``lock`` / ``unlock``: the desktop locked (idle or by hand) and was unlocked again
  (``record_lock`` / ``record_unlock``);
- ``view``: an identifiable record was read (``record_type`` "person" or "case");
- ``search``: a search ran (``detail`` holds counts, never the search text);
- ``case.*``, ``note.add``, ``document.add`` ...: changes, ``record_type`` "case";
- ``export.*``, ``sar.export``: an output left the database;
- ``user.*``, ``keyslot.*``: user and key-slot administration; ``keyslot.register``
  (``record_id`` the slot's name, ``detail={"sign_key": fingerprint}``) registers a
  signing key, and a head is trusted only when signed by a key registered before it;
- ``audit.broken``: a session found its user's latest signed head no longer matching
  the chain (entries before it were changed); ``audit verify`` fails on it;
- ``audit.migrate``: the chain of a database from before signed heads was checked under
  its old key and sealed (``detail`` says what the check found);
- ``retention.anonymise`` / ``retention.delete``: counts and ids only.

Entries about a record that belongs to a case or a person should use ``record_type``
"case"/"person" with its id, or carry ``case_id``/``person_id`` in ``detail``, so that
"who saw what" (``casework.who_saw``) finds them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from sqlalchemy import event, func, insert, select, text
from sqlalchemy.orm import Session

from casework.core import clock
from casework.core.audit_chain import (
    BROKEN_ACTION,
    FETCH_ROWS,
    GENESIS,
    REGISTER_ACTION,
    Head,
    VerifyResult,
    _row_encoder,
    _sqlite_json_is_canonical,
    canonical,
    chain_hash,
    head_message,
    parse_head,
    signature_ok,
    verify_connection,
)
from casework.core.permissions import require
from db.dialects import on_server
from db.models import AuditEntry, AuditHead, SigningKey
from db.server import chain

if TYPE_CHECKING:
    from casework.core.context import Actor, Workspace

_HEAD = "casework.audit.head"
log = logging.getLogger(__name__)


def record(ws: Workspace, session: Session, action: str, record_type: str = "",
           record_id: object = "", *, reason: str = "", detail: dict[str, Any] | None = None,
           actor: Actor | None = None) -> AuditEntry:
    """Append one entry in ``session``'s transaction (commits or rolls back with it), and
    sign the transaction's new head."""
    who = actor or ws.actor
    # NUL cannot be stored in PostgreSQL text: both backends keep U+FFFD in its place,
    # so an entry reads, hashes and verifies the same wherever it was written.
    action, record_type, reason = _no_nul(action), _no_nul(record_type), _no_nul(reason)
    record_id = "" if record_id is None else _no_nul(str(record_id))
    if _HEAD not in session.info and _PENDING not in session.info \
            and action != BROKEN_ACTION:
        _check_own_head(ws, session)
    if on_server(session):
        return _defer(ws, session, who, action, record_type, record_id, reason, detail)
    last = _tail(session)
    seq = (last[0] + 1) if last else 1
    prev = last[1] if last else GENESIS
    top_head = session.scalar(select(func.max(AuditHead.seq)))
    if top_head is not None and top_head >= seq:
        seq = top_head + 1  # entries were cut off under their heads: leave the gap visible
    ts = clock.now_utc().strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    detail_text = json.dumps(detail, sort_keys=True, separators=(",", ":")) if detail else ""
    rid = "" if record_id is None else str(record_id)
    body = canonical(seq, ts, who.user_id, who.username, action, record_type, rid, reason,
                     detail_text)
    digest = chain_hash(prev, seq, body)
    entry = AuditEntry(seq=seq, ts=ts, user_id=who.user_id, username=who.username,
                       action=action, record_type=record_type, record_id=rid, reason=reason,
                       detail=detail_text, hash=digest)
    session.add(entry)
    _sign_head(ws, session, seq, digest)
    session.flush()
    return entry


def _no_nul(text: str) -> str:
    return text.replace("\x00", "\ufffd")


# -- the team server: entries numbered at commit ----------------------------------------
#
# Every writer on a server appends to one chain, so the place in it is taken under one
# lock (``casework_acl.audit_tail()``) held until the transaction ends. To keep that queue
# short, the entries of a server transaction wait in ``session.info`` until it commits:
# then, after everything else of the transaction is flushed, one statement takes the lock
# and reads the tail, the entries are numbered, hashed and the head signed here, one
# statement inserts them with the head, and the commit follows. Under the lock: two
# statements and the commit, whatever the transaction did before.

_PENDING = "casework.audit.pending"  # session.info: (workspace, entry fields) to append


def _defer(ws: Workspace, session: Session, who: Actor, action: str, record_type: str,
           record_id: object, reason: str, detail: dict[str, Any] | None) -> AuditEntry:
    detail_text = json.dumps(detail, sort_keys=True, separators=(",", ":")) if detail else ""
    rid = "" if record_id is None else str(record_id)
    fields = {"user_id": who.user_id, "username": who.username, "action": action,
              "record_type": record_type, "record_id": rid, "reason": reason,
              "detail": detail_text}
    session.info.setdefault(_PENDING, []).append((ws, fields))
    # Not in the session: numbered and written when the transaction commits.
    return AuditEntry(**fields)


def _append_pending(session: Session) -> None:
    """Before a server transaction commits: write its entries at the end of the chain."""
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    session.flush()  # all the transaction's other work, before the lock is taken
    ws = pending[-1][0]
    conn = session.connection()
    # The tail under the lock (its query sees every chain write committed before the
    # lock was granted), and the highest signed head, so that entries cut off under their
    # heads leave their gap visible (heads only grow: an older reading is no higher).
    last = conn.execute(text(
        "SELECT t.seq, t.hash, (SELECT max(h.seq) FROM audit_heads h) "
        "FROM casework_acl.audit_tail() t")).first()
    seq = (last[0] + 1) if last is not None and last[0] is not None else 1
    prev = last[1] if last is not None and last[0] is not None else GENESIS
    if last is not None and last[2] is not None and last[2] >= seq:
        seq = last[2] + 1
    ts = clock.now_utc().strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    rows: list[dict[str, Any]] = []
    for _ws, f in pending:
        body = canonical(seq, ts, f["user_id"], f["username"], f["action"], f["record_type"],
                         f["record_id"], f["reason"], f["detail"])
        prev = chain_hash(prev, seq, body)
        rows.append({**f, "seq": seq, "ts": ts, "hash": prev})
        seq += 1
    top = seq - 1
    key_id, signature = ws.store.sign(head_message(top, prev, ws.store.unlocked_as))
    signed = base64.b64encode(signature).decode("ascii")
    head = session.info.get(_HEAD)
    params: dict[str, Any] = {}
    values = []
    for i, r in enumerate(rows):
        values.append(f"(:s{i}, :t{i}, :u{i}, :n{i}, :a{i}, :rt{i}, :ri{i}, :re{i}, :d{i}, "
                      f":h{i})")
        params.update({f"s{i}": r["seq"], f"t{i}": r["ts"], f"u{i}": r["user_id"],
                       f"n{i}": r["username"], f"a{i}": r["action"],
                       f"rt{i}": r["record_type"], f"ri{i}": r["record_id"],
                       f"re{i}": r["reason"], f"d{i}": r["detail"], f"h{i}": r["hash"]})
    entries = ("INSERT INTO audit_entries (seq, ts, user_id, username, action, record_type, "
               "record_id, reason, detail, hash) VALUES " + ", ".join(values))
    if head is not None and head in session:
        # A batch (``record_many``) already wrote this transaction's head: move it on.
        conn.execute(text(entries), params)
        head.seq, head.key_id, head.signature = top, key_id, signed
        session.flush()
    else:
        # The entries, the head and the commit in one message: the lock is released one
        # round trip sooner (``db.server.chain``).
        chain.append_and_commit(conn.connection.dbapi_connection, rows, (top, key_id, signed))
    ws.store.note_head_checked(top, prev, signed)


def _forget_pending(session: Session, transaction: Any) -> None:
    """A transaction that ended without committing takes its entries with it."""
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


event.listen(Session, "before_commit", _append_pending)
event.listen(Session, "after_transaction_end", _forget_pending)


def _tail(session: Session) -> Any:
    """(seq, hash) of the last entry, or None. On the team server the tail is read under a
    lock held to the end of the transaction, so concurrent writers queue, never fork."""
    if on_server(session):
        row = session.execute(text("SELECT seq, hash FROM casework_acl.audit_tail()")).first()
        return row if row is not None and row[0] is not None else None
    return session.execute(
        select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)
    ).first()


def record_many(ws: Workspace, session: Session,
                entries: Iterable[tuple[str, str, object, dict[str, Any] | None]]) -> int:
    """Append many entries (action, record type, record id, detail) in ``session``'s
    transaction as one batch: the same chained entries ``record`` would write one by one,
    inserted together, with the transaction's head signed once at the end (a bulk import
    audits every record it creates without a signature and a flush per record).
    Returns the last entry's sequence number (0 when ``entries`` is empty)."""
    who = ws.actor
    if _HEAD not in session.info:
        _check_own_head(ws, session)
    session.flush()
    last = _tail(session)
    seq = (last[0] + 1) if last else 1
    prev = last[1] if last else GENESIS
    top_head = session.scalar(select(func.max(AuditHead.seq)))
    if top_head is not None and top_head >= seq:
        seq = top_head + 1
    first = seq
    ts = clock.now_utc().strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    rows: list[dict[str, Any]] = []
    for action, record_type, record_id, detail in entries:
        detail_text = json.dumps(detail, sort_keys=True, separators=(",", ":")) if detail \
            else ""
        rid = "" if record_id is None else str(record_id)
        body = canonical(seq, ts, who.user_id, who.username, action, record_type, rid, "",
                         detail_text)
        prev = chain_hash(prev, seq, body)
        rows.append({"seq": seq, "ts": ts, "user_id": who.user_id, "username": who.username,
                     "action": action, "record_type": record_type, "record_id": rid,
                     "reason": "", "detail": detail_text, "hash": prev})
        seq += 1
        if len(rows) >= 20000:
            session.execute(insert(AuditEntry), rows)
            rows = []
    if rows:
        session.execute(insert(AuditEntry), rows)
    if seq == first:
        return 0  # nothing was written
    _sign_head(ws, session, seq - 1, prev)
    session.flush()
    return seq - 1


def _check_own_head(ws: Workspace, session: Session) -> None:
    """Before the first entry of a transaction: does the signer's own latest head still
    match the chain? If not, someone changed the entries before it since it was signed;
    an ``audit.broken`` entry says so, and the new head (signed over the changed chain)
    cannot hide it: removing the entry breaks that head."""
    signer = ws.store.unlocked_as
    entry_hash = ("casework_acl.audit_hash(h.seq) FROM audit_heads h" if on_server(session)
                  else "e.hash FROM audit_heads h LEFT JOIN audit_entries e ON e.seq = h.seq")
    row = session.execute(text(
        f"SELECT h.seq, h.signature, k.public, {entry_hash} "
        "JOIN signing_keys k ON k.id = h.key_id "
        "WHERE h.key_id IN (SELECT id FROM signing_keys WHERE name = :n) "
        "ORDER BY h.seq DESC LIMIT 1"), {"n": signer}).first()
    if row is None:
        return
    seq, signature, public, digest = row
    if ws.store.head_checked(seq, digest, signature):
        return
    if signature_ok(public, signature, seq, digest, signer):
        ws.store.note_head_checked(seq, digest, signature)
        return
    log.warning("The audit trail was changed before this user's latest signed head.")
    record(ws, session, BROKEN_ACTION, "user", signer, detail={"signed_head": int(seq)})


def _sign_head(ws: Workspace, session: Session, seq: int, digest: str) -> None:
    """One signed head per transaction, moved on by every entry it writes."""
    key_id, signature = ws.store.sign(head_message(seq, digest, ws.store.unlocked_as))
    head = session.info.get(_HEAD)
    if head is None or head not in session:
        head = AuditHead(seq=seq, key_id=key_id, signature="")
        session.add(head)
        session.info[_HEAD] = head
    head.seq, head.key_id = seq, key_id
    head.signature = base64.b64encode(signature).decode("ascii")
    ws.store.note_head_checked(seq, digest, head.signature)  # keyed on the stored values


def verify(ws: Workspace, head: Head | str | None = None) -> VerifyResult:
    """Verify the whole chain in this database (one read transaction, raw connection).

    On a team server only a role that reads the whole trail may (``audit.verify``): any
    other role sees only the entries about its own cases, and a chain read in part would
    look cut off when nothing is wrong. (A file's holder reads all of it.)"""
    if on_server(ws.store.engine):
        require(ws.actor, "audit.verify")
    conn = ws.store.raw_connection()
    try:
        conn.execute("BEGIN")
        try:
            return verify_connection(conn, head)
        finally:
            conn.execute("ROLLBACK")
    finally:
        conn.close()


def current_head(ws: Workspace) -> Head:
    """The latest signed head ("seq:hash:signer:signature"; ``Head(0, GENESIS)`` when the
    chain is empty)."""
    with ws.uow() as session:
        row = session.execute(
            select(AuditHead.seq, AuditEntry.hash, SigningKey.name, AuditHead.signature)
            .join(AuditEntry, AuditEntry.seq == AuditHead.seq)
            .join(SigningKey, SigningKey.id == AuditHead.key_id)
            .order_by(AuditHead.seq.desc()).limit(1)).first()
    if row is None:
        return Head(0, GENESIS)
    return Head(int(row[0]), str(row[1]), str(row[2]), str(row[3]))


def count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(AuditEntry)) or 0)


def register_key(ws: Workspace, session: Session, owner: str, fp: str) -> None:
    """The entry that registers ``owner``'s signing key ``fp`` (a fingerprint)."""
    record(ws, session, REGISTER_ACTION, "user", owner, detail={"sign_key": fp})


# -- databases from before signed heads ------------------------------------------------

def legacy_hash(key: bytes, prev: str, seq: int, body: bytes) -> str:
    """The chain hash before 0003_signing: HMAC keyed from the data key."""
    mac = hmac.new(key, digestmod=hashlib.sha256)
    mac.update(prev.encode("ascii"))
    mac.update(b"|%d|" % seq)
    mac.update(body)
    return mac.hexdigest()


def needs_seal(session: Session) -> bool:
    """Entries but no signed head: a chain from before 0003_signing."""
    return (session.scalar(select(AuditHead.id).limit(1)) is None
            and session.scalar(select(AuditEntry.seq).limit(1)) is not None)


def seal_legacy(session: Session, old_key: bytes) -> dict[str, Any]:
    """Check the old HMAC chain once under its key, then re-hash it as the new chain (the
    caller's next entry and its signed head seal it). Returns what the check found."""
    encode = _row_encoder()
    conn = session.connection()
    rows = conn.execute(text(
        "SELECT seq, ts, user_id, username, action, record_type, record_id, reason, "
        "detail, hash FROM audit_entries ORDER BY seq")).all()
    prev_old, prev_new, broken = GENESIS, GENESIS, 0
    updates: list[dict[str, Any]] = []
    for expected, row in enumerate(rows, start=1):
        body = encode(tuple(row[:9])).encode("ascii")
        if not broken and (row[0] != expected
                           or legacy_hash(old_key, prev_old, row[0], body) != row[9]):
            broken = expected
        prev_old = row[9]
        prev_new = chain_hash(prev_new, row[0], body)
        updates.append({"s": row[0], "h": prev_new})
        if len(updates) >= FETCH_ROWS:
            conn.execute(text("UPDATE audit_entries SET hash = :h WHERE seq = :s"), updates)
            updates = []
    if updates:
        conn.execute(text("UPDATE audit_entries SET hash = :h WHERE seq = :s"), updates)
    return {"legacy_entries": len(rows),
            "legacy_check": f"broken at entry {broken}" if broken else "ok"}


__all__ = ["FETCH_ROWS", "GENESIS", "Head", "VerifyResult", "_sqlite_json_is_canonical",
           "canonical", "chain_hash", "parse_head", "verify_connection"]


# -- desktop lock and unlock ------------------------------------------------------------
def record_lock(ws: Workspace, why: str = "manual") -> None:
    """Record that the desktop is locking (``why``: "manual" or "idle"). Call it before
    ``ws.lock()``, while the database is still open."""
    with ws.uow() as session:
        record(ws, session, "lock", "user", ws.actor.username, detail={"why": why})


def record_unlock(ws: Workspace) -> None:
    """Record that the desktop was unlocked again by its signed-in user."""
    with ws.uow() as session:
        record(ws, session, "unlock", "user", ws.actor.username)
