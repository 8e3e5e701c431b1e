"""The audit chain: append-only, HMAC-chained entries written in the caller's transaction.

h_n = HMAC(k_audit, h_{n-1} || seq || canonical entry), with k_audit derived from the data
key. Entries hold who, when, action, record type and id, a reason where required, and a
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
- ``user.*``, ``keyslot.*``: user and key-slot administration;
- ``retention.anonymise`` / ``retention.delete``: counts and ids only.

Entries about a record that belongs to a case or a person should use ``record_type``
"case"/"person" with its id, or carry ``case_id``/``person_id`` in ``detail``, so that
"who saw what" (``casework.who_saw``) finds them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casework.core import clock
from db.models import AuditEntry

if TYPE_CHECKING:
    from casework.core.context import Actor, Workspace

GENESIS = "0" * 64
log = logging.getLogger(__name__)


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
    ts = clock.now_utc().strftime("%Y-%m-%dT%H:%M:%S.%fZ")
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


# -- verification ------------------------------------------------------------------------

FETCH_ROWS = 20000
_COLUMNS = "seq, ts, user_id, username, action, record_type, record_id, reason, detail, hash"


@dataclass(frozen=True)
class Head:
    """The last entry of a chain: keep ``str(head)`` ("seq:hash") off the laptop."""

    seq: int
    hash: str

    def __str__(self) -> str:
        return f"{self.seq}:{self.hash}"


def parse_head(text: str) -> Head | str:
    """Read a head as printed by ``audit head`` ("seq:hash"), or a bare 64-hex hash."""
    value = text.strip().lower()
    seq_text, sep, digest = value.rpartition(":")
    if not sep:
        seq_text, digest = "", value
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise ValueError("A head is 'seq:hash' with a 64-character hexadecimal hash.")
    if not seq_text:
        return digest
    if not seq_text.isdigit() or int(seq_text) < 1:
        raise ValueError("The sequence number of a head is a whole number from 1.")
    return Head(int(seq_text), digest)


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    count: int
    head: str
    first_bad_seq: int | None = None
    problem: str = ""

    @property
    def head_text(self) -> str:
        """The verified head as "seq:hash" (what ``audit head`` prints)."""
        return str(Head(self.count, self.head))


class _Mac:
    """HMAC-SHA256 with the key's pads hashed once (the same bytes as ``hmac``)."""

    def __init__(self, key: bytes) -> None:
        if len(key) > 64:
            key = hashlib.sha256(key).digest()
        key = key.ljust(64, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))

    def pads(self) -> tuple[Any, Any]:
        """The inner and outer hash states, to ``copy()`` per message."""
        return self._inner, self._outer


def _row_encoder() -> Any:
    """A function giving ``canonical``'s JSON text for a row tuple, built once.

    ``json.dumps`` builds a new encoder on every call; over a million entries that is
    most of the time, so the C encoder is made once (falling back to ``json.dumps``).
    """
    import json.encoder as json_encoder

    c_make_encoder = getattr(json_encoder, "c_make_encoder", None)
    if c_make_encoder is None:  # pragma: no cover - every CPython has it
        return lambda row: json.dumps(list(row), separators=(",", ":"), ensure_ascii=True)
    make = c_make_encoder(None, None, json_encoder.encode_basestring_ascii, None, ":", ",",
                          False, False, True)
    return lambda row: "".join(make(row, 0))


def _verify_batches(key: bytes, batches: Iterable[Iterable[tuple[Any, Any, Any]]],
                    head: Head | str | None) -> VerifyResult:
    """The chain check over (seq, canonical JSON text, stored hash) triples in seq order."""
    inner0, outer0 = _Mac(key).pads()
    prev = GENESIS
    expected = 1
    want_seq = head.seq if isinstance(head, Head) else None
    want_hash = head.hash if isinstance(head, Head) else head
    head_found = False
    try:
        for triples in batches:
            for seq, body, h in triples:
                if seq != expected or type(seq) is not int:
                    return VerifyResult(False, expected - 1, prev, expected,
                                        f"entry {expected} is missing or out of order")
                inner = inner0.copy()
                inner.update(f"{prev}|{seq}|{body}".encode("ascii"))
                outer = outer0.copy()
                outer.update(inner.digest())
                if outer.hexdigest() != h:
                    return VerifyResult(False, expected - 1, prev, seq,
                                        f"entry {seq} does not match the chain")
                if h == want_hash and (want_seq is None or want_seq == seq):
                    head_found = True
                prev = h
                expected += 1
    except (TypeError, ValueError, UnicodeError):
        # A value of the wrong type (e.g. bytes) was written into the table.
        return VerifyResult(False, expected - 1, prev, expected,
                            f"entry {expected} does not match the chain")
    count = expected - 1
    if want_hash is not None and not head_found:
        if want_seq is not None and want_seq > count:
            return VerifyResult(False, count, prev, count + 1,
                                f"the chain ends at entry {count} but the recorded head is "
                                f"entry {want_seq}: entries were cut off")
        return VerifyResult(False, count, prev, want_seq if want_seq else count + 1,
                            "the recorded head is not in the chain: entries were cut off "
                            "or replaced")
    return VerifyResult(True, count, prev)


def _python_triples(rows: Iterable[Sequence[Any]]) -> Iterator[tuple[Any, Any, Any]]:
    encode = _row_encoder()
    for row in rows:
        yield row[0], encode(row[:9]), row[9]


def verify_rows(key: bytes, rows: Iterable[tuple[Any, ...]],
                head: Head | str | None = None) -> VerifyResult:
    """Recompute the chain over rows (seq, ts, user_id, username, action, record_type,
    record_id, reason, detail, hash) in seq order; name the first entry that breaks it.

    ``head`` (a ``Head`` or a bare hash) must be an entry of the chain: if it is not,
    entries were cut off the end (or the chain was replaced)."""
    return _verify_batches(key, [_python_triples(rows)], head)


# SQLite writes the canonical JSON itself (much faster than building Python objects for
# ten columns). Its text equals ``canonical``'s exactly when it is printable ASCII (checked
# per row; other rows are encoded in Python), and a tampered value of another type gives
# other text or an error, so nothing forged can pass that Python would refuse.
_FAST_SQL = ("SELECT seq, json_array(seq, ts, user_id, username, action, record_type, "
             "record_id, reason, detail), hash FROM audit_entries ORDER BY seq")


def _sqlite_json_is_canonical(conn: Any) -> bool:
    probe = "".join(chr(i) for i in range(0x7F))
    got = conn.execute("SELECT json_array(?, 1, NULL, -5)", (probe,)).fetchone()[0]
    return bool(got == json.dumps([probe, 1, None, -5], separators=(",", ":"),
                                  ensure_ascii=True))


def _fast_batches(conn: Any) -> Iterator[list[tuple[Any, Any, Any]]]:
    encode = _row_encoder()
    cur = conn.execute(_FAST_SQL)
    while rows := cur.fetchmany(FETCH_ROWS):
        out = []
        for seq, body, h in rows:
            if not (isinstance(body, str) and body.isascii()) or "\x7f" in body:
                full = conn.execute(f"SELECT {_COLUMNS} FROM audit_entries WHERE seq = ?",
                                    (seq,)).fetchone()
                body = encode(full[:9])
            out.append((seq, body, h))
        yield out


def verify_connection(conn: Any, key: bytes, head: Head | str | None = None) -> VerifyResult:
    """Verify the chain over a raw DB-API connection, streaming rows in large batches."""
    if _sqlite_json_is_canonical(conn):
        try:
            return _verify_batches(key, _fast_batches(conn), head)
        except Exception:  # noqa: BLE001 - e.g. a blob written into a text column
            # The plain Python path below reads it and names the entry.
            log.debug("The fast chain check could not read an entry; checking in Python.")
    conn.text_factory = lambda b: b.decode("utf-8", "surrogateescape")
    cur = conn.execute(f"SELECT {_COLUMNS} FROM audit_entries ORDER BY seq")

    def batches() -> Iterator[Iterator[tuple[Any, Any, Any]]]:
        while rows := cur.fetchmany(FETCH_ROWS):
            yield _python_triples(rows)

    try:
        return _verify_batches(key, batches(), head)
    finally:
        conn.text_factory = str


def verify(ws: Workspace, head: Head | str | None = None) -> VerifyResult:
    """Verify the whole chain in this database (one read transaction, raw connection)."""
    conn = ws.store.raw_connection()
    try:
        conn.execute("BEGIN")
        try:
            return verify_connection(conn, ws.audit_key, head)
        finally:
            conn.execute("ROLLBACK")
    finally:
        conn.close()


def current_head(ws: Workspace) -> Head:
    """The last entry's sequence number and hash (``Head(0, GENESIS)`` when empty)."""
    with ws.uow() as session:
        last = session.execute(
            select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)
        ).first()
    return Head(int(last[0]), str(last[1])) if last else Head(0, GENESIS)


def count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(AuditEntry)) or 0)


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
