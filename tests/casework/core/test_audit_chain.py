"""The audit chain: every tampering is found, an untouched chain always verifies."""

from __future__ import annotations

import json
import random
import secrets

import pytest
import sqlcipher3
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from casework.core import audit, audit_chain
from casework.core.context import SYSTEM
from casework.core.errors import PermissionDenied
from db.models import AuditEntry

COLS = ("seq", "ts", "user_id", "username", "action", "record_type", "record_id", "reason",
        "detail", "hash")
SELECT = f"SELECT {', '.join(COLS)} FROM audit_entries ORDER BY seq"
FILE_TAMPERING = pytest.mark.file_only(reason=(
    "edits, cuts or reads the file's audit rows over a raw SQLCipher connection; on a team "
    "server the trail is append-only by grant and trigger (tests/server/test_rls_escape.py) "
    "and verify runs against the server in tests/server"))


def fill(ws, n: int = 80) -> None:
    rng = random.Random(7)
    with ws.uow() as session:
        for i in range(n):
            actor = SYSTEM if i % 9 == 0 else ws.actor
            audit.record(ws, session, rng.choice(["view", "case.update", "search", "export"]),
                         rng.choice(["case", "person", ""]), rng.randint(1, 50),
                         reason=rng.choice(["", "stage skipped: risk", "Ünïcode – “quoted”"]),
                         detail=rng.choice([None, {"count": i}, {"a": [1, 2], "b": "x\"y"}]),
                         actor=actor)


def snapshot(conn) -> list[tuple]:
    return [tuple(r) for r in conn.execute(SELECT).fetchall()]


def _different(value, rng: random.Random):
    choices = [None, 0, -1, 12345, 3.5, "", "x", "admin", "view", "0" * 64,
               secrets.token_hex(32), b"\x00\x01", '{"count":1}']
    if isinstance(value, str) and value:
        i = rng.randrange(len(value))
        choices.append(value[:i] + chr((ord(value[i]) + 1) % 128 or 65) + value[i + 1:])
        choices.append(value + " ")
    if isinstance(value, int):
        choices.append(value + 1)
    return rng.choice(choices)


def mutate(conn, rng: random.Random, rows: list[tuple]) -> str:
    """Apply one random mutation inside the open transaction; returns its kind."""
    n = len(rows)
    kind = rng.choice(["edit", "edit", "delete", "reorder", "truncate", "insert"])
    if kind == "edit":
        row = rng.choice(rows)
        col = rng.randrange(len(COLS))
        conn.execute(f"UPDATE audit_entries SET {COLS[col]} = ? WHERE seq = ?",
                     (_different(row[col], rng), row[0]))
    elif kind == "delete":
        conn.execute("DELETE FROM audit_entries WHERE seq = ?", (rng.randint(1, n),))
    elif kind == "reorder":
        a, b = rng.sample(range(1, n + 1), 2)
        if rng.random() < 0.5:  # swap the sequence numbers of two entries
            conn.execute("UPDATE audit_entries SET seq = -1 WHERE seq = ?", (a,))
            conn.execute("UPDATE audit_entries SET seq = ? WHERE seq = ?", (a, b))
            conn.execute("UPDATE audit_entries SET seq = ? WHERE seq = -1", (b,))
        else:  # swap everything but the sequence numbers
            ra, rb = rows[a - 1], rows[b - 1]
            sets = ", ".join(f"{c} = ?" for c in COLS[1:])
            conn.execute(f"UPDATE audit_entries SET {sets} WHERE seq = ?", (*rb[1:], a))
            conn.execute(f"UPDATE audit_entries SET {sets} WHERE seq = ?", (*ra[1:], b))
    elif kind == "truncate":
        conn.execute("DELETE FROM audit_entries WHERE seq > ?", (rng.randint(0, n - 1),))
    else:  # insert a forged entry (its hash computed as casework would) anywhere
        at = rng.randint(1, n + 1)
        conn.execute("UPDATE audit_entries SET seq = -seq WHERE seq >= ?", (at,))
        conn.execute("UPDATE audit_entries SET seq = 1 - seq WHERE seq < 0")
        prev = rows[at - 2][9] if at > 1 else audit.GENESIS
        body = audit.canonical(at, "2026-01-01T00:00:00.000000Z", 1, "admin", "view", "case",
                               "1", "", "")
        forged = audit.chain_hash(prev, at, body)
        conn.execute("INSERT INTO audit_entries VALUES (?,?,?,?,?,?,?,?,?,?)",
                      (at, "2026-01-01T00:00:00.000000Z", 1, "admin", "view", "case", "1", "",
                       "", forged))
    return kind


@FILE_TAMPERING
def test_a_thousand_random_mutations_are_each_detected(db):
    ws = db.ws("admin")
    fill(ws)
    head = audit.current_head(ws)
    conn = ws.store.raw_connection()
    rng = random.Random(20260601)
    done: dict[str, int] = {}
    try:
        original = snapshot(conn)
        assert audit.verify_connection(conn, head).ok
        while sum(done.values()) < 1000:
            conn.execute("BEGIN")
            try:
                try:
                    kind = mutate(conn, rng, original)
                except sqlcipher3.DatabaseError:
                    continue  # e.g. a duplicate or non-integer seq: the table refuses it
                if snapshot(conn) == original:
                    continue  # the edit happened to store the same value: not a mutation
                with_head = audit.verify_connection(conn, head)
                assert not with_head.ok, kind
                assert with_head.first_bad_seq is not None and with_head.problem
                if kind != "truncate":  # the rest are found even without a kept head
                    assert not audit.verify_connection(conn).ok, kind
                done[kind] = done.get(kind, 0) + 1
            finally:
                conn.execute("ROLLBACK")
        assert snapshot(conn) == original
        assert audit.verify_connection(conn, head).ok
    finally:
        conn.close()
    assert set(done) == {"edit", "delete", "reorder", "truncate", "insert"}


@FILE_TAMPERING
def test_first_broken_entry_is_named(db):
    ws = db.ws("admin")
    fill(ws, 30)
    conn = ws.store.raw_connection()
    try:
        conn.execute("UPDATE audit_entries SET record_id = '999' WHERE seq = 17")
        result = audit.verify_connection(conn)
    finally:
        conn.close()
    assert (result.ok, result.first_bad_seq, result.count) == (False, 17, 16)
    assert "entry 17" in result.problem


@FILE_TAMPERING
def test_head_catches_truncation_but_not_later_growth(db):
    ws = db.ws("admin")
    fill(ws, 20)
    first = audit.current_head(ws)
    fill(ws, 5)
    head = audit.current_head(ws)
    assert head.signer == "admin" and audit.parse_head(str(head)) == head
    fill(ws, 5)  # the chain grows after the head was kept: still fine
    assert audit.verify(ws, head).ok
    assert audit.verify(ws, head.hash).ok  # a bare hash works too
    assert audit.verify(ws, audit.Head(head.seq, head.hash)).ok  # and "seq:hash"
    conn = ws.store.raw_connection()
    try:
        conn.execute(f"DELETE FROM audit_entries WHERE seq > {first.seq}")
        assert not audit.verify_connection(conn).ok  # the later signed heads say so
        conn.execute(f"DELETE FROM audit_heads WHERE seq > {first.seq}")
    finally:
        conn.close()
    assert audit.verify(ws).ok  # a chain cut with its heads is self-consistent ...
    cut = audit.verify(ws, head)  # ... but not with the head kept elsewhere
    assert not cut.ok and "cut off" in cut.problem and cut.first_bad_seq == first.seq + 1
    # appending again after the cut still does not bring the old head back
    fill(ws, 10)
    assert not audit.verify(ws, head).ok


@pytest.mark.parametrize("text", ["", "zz", "12:abc", "0:" + "a" * 64, "x:" + "a" * 64])
def test_bad_heads_are_refused(text):
    with pytest.raises(ValueError):
        audit.parse_head(text)


@FILE_TAMPERING
def test_verify_on_empty_chain(db):
    ws = db.ws("admin")
    assert audit.verify(ws).ok
    conn = ws.store.raw_connection()
    try:
        conn.execute("DELETE FROM audit_heads")
        conn.execute("DELETE FROM audit_entries")
        assert audit.verify_connection(conn).count == 0
        assert audit.verify_connection(conn).ok
    finally:
        conn.close()


text = st.text(max_size=30)
entry = st.tuples(st.sampled_from(["view", "case.update", "login"]), text, text, text,
                  st.none() | st.dictionaries(st.text(max_size=5),
                                              st.integers() | text | st.booleans(),
                                              max_size=3))


# The chain keeps growing across examples: each must still verify.
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(entries=st.lists(entry, min_size=1, max_size=15))
def test_an_untouched_chain_never_fails(db, entries):
    ws = db.ws("cm")
    with ws.uow() as session:
        for action, rtype, rid, reason, detail in entries:
            audit.record(ws, session, action, rtype, rid, reason=reason, detail=detail)
    reader = db.ws("admin")  # reads the whole trail, on a server too
    result = audit.verify(reader, audit.current_head(reader))
    assert result.ok, result.problem


def test_on_a_server_only_a_reader_of_the_whole_trail_verifies(db):
    cm = db.ws("cm")
    with cm.uow() as session:
        audit.record(cm, session, "view", "case", 1, reason="nul \x00 in a reason")
    if db.backend == "postgresql":  # the case manager sees part of the trail: refused,
        with pytest.raises(PermissionDenied):  # never a false "entries were cut off"
            audit.verify(cm)
    else:  # a file's holder reads all of it
        assert audit.verify(cm).ok
    assert audit.verify(db.ws("admin")).ok
    with db.ws("admin").uow() as session:  # stored the same on both backends
        reasons = set(session.scalars(select(AuditEntry.reason)))
    assert "nul \ufffd in a reason" in reasons


@settings(max_examples=300, deadline=None)
@given(row=st.tuples(st.integers(1, 10**9), text, st.none() | st.integers(), text, text, text,
                     text, text, text))
def test_fast_encoder_is_byte_for_byte_canonical(row):
    encode = audit_chain._row_encoder()
    assert encode(row).encode("ascii") == audit.canonical(*row)
    assert json.loads(encode(row)) == list(row)


@FILE_TAMPERING
def test_sqlite_and_python_canonical_forms_agree(db):
    ws = db.ws("admin")
    fill(ws, 40)
    with ws.uow() as session:
        audit.record(ws, session, "view", "case", 1, reason="tab\there, DEL\x7f, Ünïcode")
    conn = ws.store.raw_connection()
    try:
        assert audit._sqlite_json_is_canonical(conn)  # so the fast path is what runs
        fast = list(audit_chain._fast_rows(conn))
        slow = list(audit_chain._python_rows(conn))
        assert fast == slow and len(fast) == len(snapshot(conn))
        assert audit.verify_connection(conn).ok
        conn.execute("UPDATE audit_entries SET detail = ? WHERE seq = 12", (b"\xff\x00",))
        broken = audit.verify_connection(conn)
        assert (broken.ok, broken.first_bad_seq) == (False, 12)
    finally:
        conn.close()
