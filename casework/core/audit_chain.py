"""Checking the audit chain: the hash chain, the signed heads, and who signed them.

h_n = SHA-256(h_{n-1} | seq | canonical entry): no key, so anyone can recompute it, and
the chain alone proves nothing against someone who can write the file. What proves it is
the signed heads: at the end of every transaction that wrote entries, the user who
unlocked the database signs (Ed25519, a key sealed in their own key slot) the new head.
A holder of the data key cannot make another user's signature, so rewriting, inserting or
deleting entries before another user's signed head is found.

``verify_connection`` checks, in one pass:

- every entry's hash (a careless edit is named at its entry);
- every entry is covered by a head signed by its own user (or is a ``system`` entry, or
  was signed by the recovery slot): removing a user's heads and signing their entries
  with one's own key is found;
- no entry after the last signed head;
- the latest head of every signer, against the chain and the signer's registered key
  (a key registered by a ``keyslot.register`` entry before it); when one fails, every
  head of that signer is checked, to name the entries that changed;
- no ``audit.broken`` entry: before signing, every transaction checks that its user's
  own latest head still matches (``casework.core.audit``), so a user who signs on top of
  a rewritten chain records that they found it, and that record cannot be removed
  without breaking the head that covers it;
- a head given by the caller (``audit head`` kept off the laptop, or a backup's).
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from db.keyslots import RECOVERY_SLOT, fingerprint

GENESIS = "0" * 64
REGISTER_ACTION = "keyslot.register"
BROKEN_ACTION = "audit.broken"
FETCH_ROWS = 20000
_COLUMNS = "seq, ts, user_id, username, action, record_type, record_id, reason, detail, hash"
_NO_HEAD = (1 << 62, None)
log = logging.getLogger(__name__)


def canonical(seq: int, ts: str, user_id: int | None, username: str, action: str,
              record_type: str, record_id: str, reason: str, detail: str) -> bytes:
    """The exact bytes an entry's hash covers."""
    return json.dumps(
        [seq, ts, user_id, username, action, record_type, record_id, reason, detail],
        separators=(",", ":"), ensure_ascii=True,
    ).encode("ascii")


def chain_hash(prev: str, seq: int, body: bytes) -> str:
    """The hash of entry ``seq`` after ``prev``."""
    return hashlib.sha256(prev.encode("ascii") + b"|%d|" % seq + body).hexdigest()


def head_message(seq: int, digest: str, signer: str) -> bytes:
    """The bytes a signed head signs."""
    return b"casework audit head v1|%d|%s|%s" % (seq, digest.encode("ascii"),
                                                 signer.encode("utf-8"))


@dataclass(frozen=True)
class Head:
    """An entry of the chain: keep ``str(head)`` off the laptop. ``signer`` and
    ``signature`` are set for a signed head ("seq:hash:signer:signature")."""

    seq: int
    hash: str
    signer: str = ""
    signature: str = ""

    def __str__(self) -> str:
        if self.signer:
            return f"{self.seq}:{self.hash}:{self.signer}:{self.signature}"
        return f"{self.seq}:{self.hash}"


def parse_head(text: str) -> Head | str:
    """Read a head as printed by ``audit head`` ("seq:hash:signer:signature"), the older
    "seq:hash", or a bare 64-hex hash."""
    parts = text.strip().split(":")
    signer = signature = ""
    if len(parts) == 4:
        signer, signature = parts[2], parts[3]
        parts = parts[:2]
        try:
            if len(base64.b64decode(signature, validate=True)) != 64 or not signer:
                raise ValueError
        except ValueError:
            raise ValueError("A signed head is 'seq:hash:user:signature' as 'audit head' "
                             "prints it.") from None
    if len(parts) > 2:
        raise ValueError("A head is 'seq:hash' with a 64-character hexadecimal hash.")
    digest = parts[-1].lower()
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise ValueError("A head is 'seq:hash' with a 64-character hexadecimal hash.")
    if len(parts) == 1:
        return digest
    if not parts[0].isdigit() or int(parts[0]) < 1:
        raise ValueError("The sequence number of a head is a whole number from 1.")
    return Head(int(parts[0]), digest, signer, signature)


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    count: int
    head: str
    first_bad_seq: int | None = None
    problem: str = ""
    signed_seq: int = 0  # the latest signed head that was checked
    signed_by: str = ""
    signers: int = 0  # users whose latest head was checked

    @property
    def head_text(self) -> str:
        """The last entry as "seq:hash"."""
        return str(Head(self.count, self.head))


def _fail(count: int, prev: str, bad: int, problem: str) -> VerifyResult:
    return VerifyResult(False, count, prev, bad, problem)


def _row_encoder() -> Any:
    """A function giving ``canonical``'s JSON text for a row tuple, built once."""
    import json.encoder as json_encoder

    c_make_encoder = getattr(json_encoder, "c_make_encoder", None)
    if c_make_encoder is None:  # pragma: no cover - every CPython has it
        return lambda row: json.dumps(list(row), separators=(",", ":"), ensure_ascii=True)
    make = c_make_encoder(None, None, json_encoder.encode_basestring_ascii, None, ":", ",",
                          False, False, True)
    return lambda row: "".join(make(row, 0))


# SQLite writes the canonical JSON itself (much faster than building Python objects for
# ten columns). Its text equals ``canonical``'s exactly when it is printable ASCII (checked
# per row; other rows are encoded in Python), and a tampered value of another type gives
# other text or an error, so nothing forged can pass that Python would refuse.
_FAST_SQL = ("SELECT seq, username, json_array(seq, ts, user_id, username, action, "
             "record_type, record_id, reason, detail), hash FROM audit_entries ORDER BY seq")


def _sqlite_json_is_canonical(conn: Any) -> bool:
    probe = "".join(chr(i) for i in range(0x7F))
    got = conn.execute("SELECT json_array(?, 1, NULL, -5)", (probe,)).fetchone()[0]
    return bool(got == json.dumps([probe, 1, None, -5], separators=(",", ":"),
                                  ensure_ascii=True))


def _fast_rows(conn: Any) -> Iterator[tuple[Any, Any, Any, Any]]:
    encode = _row_encoder()
    cur = conn.execute(_FAST_SQL)
    while rows := cur.fetchmany(FETCH_ROWS):
        for seq, user, body, h in rows:
            if not (isinstance(body, str) and body.isascii()) or "\x7f" in body:
                full = conn.execute(f"SELECT {_COLUMNS} FROM audit_entries WHERE seq = ?",
                                    (seq,)).fetchone()
                body = encode(full[:9])
            yield seq, user, body, h


def _python_rows(conn: Any) -> Iterator[tuple[Any, Any, Any, Any]]:
    encode = _row_encoder()
    cur = conn.execute(f"SELECT {_COLUMNS} FROM audit_entries ORDER BY seq")
    while rows := cur.fetchmany(FETCH_ROWS):
        for row in rows:
            yield row[0], row[3], encode(row[:9]), row[9]


def _heads(conn: Any) -> Iterator[tuple[int, str | None]]:
    cur = conn.cursor()
    cur.execute("SELECT h.seq, k.name FROM audit_heads h LEFT JOIN signing_keys k "
                "ON k.id = h.key_id ORDER BY h.seq")
    while rows := cur.fetchmany(FETCH_ROWS):
        yield from rows
    yield _NO_HEAD


@dataclass
class _Pass:
    """One pass over the chain: its length, last hash and the hashes at chosen entries."""

    count: int
    last: str
    hashes: dict[int, str]
    failure: VerifyResult | None


def _chain_pass(rows: Iterator[tuple[Any, Any, Any, Any]], heads: Iterator[Any] | None,
                targets: set[int], want_hash: str | None) -> _Pass:
    """Hash every entry; with ``heads`` also check that each is covered by its user."""
    prev = GENESIS
    expected = 1
    hashes: dict[int, str] = {}
    sha = hashlib.sha256
    hseq, hsigner = next(heads) if heads is not None else (1 << 62, RECOVERY_SLOT)
    try:
        for seq, user, body, h in rows:
            if seq != expected or type(seq) is not int:
                gap = (f"entries {expected} to {seq - 1} are missing (cut off or deleted)"
                       if type(seq) is int and seq > expected
                       else f"entry {expected} is missing or out of order")
                return _Pass(expected - 1, prev, hashes, _fail(
                    expected - 1, prev, expected, gap))
            if sha(f"{prev}|{seq}|{body}".encode("ascii")).hexdigest() != h:
                return _Pass(expected - 1, prev, hashes, _fail(
                    expected - 1, prev, seq, f"entry {seq} does not match the chain"))
            while hseq < seq and heads is not None:
                hseq, hsigner = next(heads)
            if hsigner is None:
                return _Pass(expected - 1, prev, hashes, _fail(
                    expected - 1, prev, seq,
                    f"entry {seq} and those after it are not covered by a signed head "
                    f"(written outside casework, or the heads were removed)"))
            if user != hsigner and user != "system" and hsigner != RECOVERY_SLOT:
                return _Pass(expected - 1, prev, hashes, _fail(
                    expected - 1, prev, seq,
                    f"entry {seq} by {user} is covered only by a head signed by "
                    f"{hsigner}: {user}'s own signed heads were removed"))
            if seq in targets or h == want_hash:
                hashes[seq] = h
            prev = h
            expected += 1
    except (TypeError, ValueError, UnicodeError):
        return _Pass(expected - 1, prev, hashes, _fail(
            expected - 1, prev, expected, f"entry {expected} does not match the chain"))
    return _Pass(expected - 1, prev, hashes, None)


def signature_ok(public: str, signature: str, seq: int, digest: str | None,
                  signer: str) -> bool:
    if digest is None:
        return False
    try:
        Ed25519PublicKey.from_public_bytes(base64.b64decode(public)).verify(
            base64.b64decode(signature), head_message(seq, digest, signer))
        return True
    except (InvalidSignature, ValueError, TypeError):
        return False


def _registrations(conn: Any) -> dict[str, tuple[int, str]]:
    """fingerprint -> (seq, owner) of every key registered in the chain."""
    out: dict[str, tuple[int, str]] = {}
    for seq, owner, detail in conn.execute(
            "SELECT seq, record_id, detail FROM audit_entries WHERE action = ? ORDER BY seq",
            (REGISTER_ACTION,)):
        try:
            fp = json.loads(detail).get("sign_key")
        except (ValueError, TypeError, AttributeError):
            continue
        if isinstance(fp, str):
            out.setdefault(fp, (int(seq), str(owner)))
    return out


def _locate(conn: Any, signer: str, passed: _Pass) -> VerifyResult:
    """Every head of ``signer`` checked in order: name the entries that changed."""
    heads = conn.execute(
        "SELECT h.seq, h.signature, k.public FROM audit_heads h JOIN signing_keys k "
        "ON k.id = h.key_id WHERE k.name = ? ORDER BY h.seq", (signer,)).fetchall()
    again = _chain_pass(_python_rows(conn), None, {h[0] for h in heads}, None)
    hashes = {**passed.hashes, **again.hashes}
    good = 0
    for seq, signature, public in heads:
        if not signature_ok(public, signature, seq, hashes.get(seq), signer):
            return _fail(good, hashes.get(good, GENESIS), good + 1,
                         f"the head signed by {signer} at entry {seq} does not match the "
                         f"chain: entries {good + 1} to {seq} were rewritten, inserted or "
                         f"removed after {signer} signed them")
        good = seq
    return _fail(passed.count, passed.last, passed.count + 1,
                 f"a head signed by {signer} does not check, or a session of {signer} "
                 f"found one that did not")


def verify_connection(conn: Any, head: Head | str | None = None) -> VerifyResult:
    """Verify the chain over a raw DB-API connection, streaming rows in large batches."""
    if _sqlite_json_is_canonical(conn):
        try:
            return _verify(conn, head, _fast_rows)
        except Exception:  # noqa: BLE001 - e.g. a blob written into a text column
            # The plain Python path below reads it and names the entry.
            log.debug("The fast chain check could not read an entry; checking in Python.")
    conn.text_factory = lambda b: b.decode("utf-8", "surrogateescape")
    try:
        return _verify(conn, head, _python_rows)
    finally:
        conn.text_factory = str


def _verify(conn: Any, head: Head | str | None, rows: Any) -> VerifyResult:
    latest = conn.execute(
        "SELECT k.name, h.seq, h.signature, k.public FROM audit_heads h "
        "JOIN signing_keys k ON k.id = h.key_id JOIN (SELECT k2.name AS name, "
        "max(h2.seq) AS seq FROM audit_heads h2 JOIN signing_keys k2 ON k2.id = h2.key_id "
        "GROUP BY k2.name) m ON m.name = k.name AND m.seq = h.seq").fetchall()
    want_seq = head.seq if isinstance(head, Head) else None
    want_hash = head.hash if isinstance(head, Head) else head
    targets = {row[1] for row in latest} | ({want_seq} if want_seq else set())
    passed = _chain_pass(rows(conn), _heads(conn), targets,
                         want_hash if want_seq is None else None)
    if passed.failure is not None:
        return passed.failure
    count, last = passed.count, passed.last
    registered = _registrations(conn)
    for name, seq, signature, public in sorted(latest, key=lambda r: r[1]):
        if seq > count:
            return _fail(count, last, count + 1,
                         f"the chain ends at entry {count} but {name} signed a head at "
                         f"entry {seq}: entries were cut off")
        if not signature_ok(public, signature, seq, passed.hashes.get(seq), name):
            return _locate(conn, name, passed)
        reg = registered.get(fingerprint(public))
        if reg is None or reg[1] != name or reg[0] > seq:
            return _fail(count, last, seq,
                         f"the key that signed {name}'s head at entry {seq} was never "
                         f"registered for {name} in the audit trail")
    broken = conn.execute("SELECT seq, record_id, detail FROM audit_entries WHERE action = ? "
                          "ORDER BY seq LIMIT 1", (BROKEN_ACTION,)).fetchone()
    if broken is not None:
        found = _locate(conn, str(broken[1]), passed)
        return VerifyResult(False, found.count, found.head, found.first_bad_seq,
                            f"{found.problem} (found by {broken[1]}'s session at entry "
                            f"{broken[0]})")
    given = _given_head(conn, head, passed)
    if given is not None:
        return given
    top = max(latest, key=lambda r: r[1], default=None)
    return VerifyResult(True, count, last, signed_seq=top[1] if top else 0,
                        signed_by=top[0] if top else "", signers=len(latest))


def _given_head(conn: Any, head: Head | str | None, passed: _Pass) -> VerifyResult | None:
    """A failure when a head kept elsewhere is not in the chain (or its signature fails)."""
    if head is None:
        return None
    count, last = passed.count, passed.last
    if isinstance(head, str):
        if head in passed.hashes.values():
            return None
        return _fail(count, last, count + 1, "the recorded head is not in the chain: "
                                             "entries were cut off or replaced")
    if head.seq > count:
        return _fail(count, last, count + 1,
                     f"the chain ends at entry {count} but the recorded head is entry "
                     f"{head.seq}: entries were cut off")
    if passed.hashes.get(head.seq) != head.hash:
        return _fail(count, last, head.seq, "the recorded head is not in the chain: "
                                            "entries were cut off or replaced")
    if head.signer:
        keys = [r[0] for r in conn.execute("SELECT public FROM signing_keys WHERE name = ?",
                                           (head.signer,))]
        if not any(signature_ok(k, head.signature, head.seq, head.hash, head.signer)
                   for k in keys):
            return _fail(count, last, head.seq,
                         f"the recorded head's signature is not {head.signer}'s")
    return None
