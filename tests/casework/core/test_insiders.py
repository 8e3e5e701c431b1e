"""Attacks by an insider who holds a valid password and the files (issue: rekey keeps the
proof, revocation really revokes). Each of these worked before the key-slot registry and
the signed audit heads."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from casework.core import audit, users
from casework.core.audit_chain import head_message
from casework.core.context import open_workspace
from db.errors import StoreError
from db.keyslots import RECOVERY_SLOT, KeySlotFile, new_recovery_key
from db.store import SlotRefused, Store
from tests.conftest import PASSWORD

pytestmark = pytest.mark.file_only(reason=(
    "key slots, rekey and raw reads of the encrypted file (the server's: "
    "tests/server/test_rls_escape.py)"))

OWN = "an insider's own long password"


def admin_rekeys(path: Path) -> dict[str, str]:
    ws = open_workspace(path, "admin", PASSWORD)
    try:
        return ws.store.rekey()
    finally:
        ws.lock()


def current_key(path: Path) -> bytes:
    store = Store.open(path, "admin", PASSWORD)
    try:
        return bytes(store._key or b"")
    finally:
        store.lock()


def insider_key(path: Path, user: str = "cm") -> bytes:
    """The data key, as every user with a password holds it."""
    store = Store.open(path, user, PASSWORD)
    try:
        return bytes(store._key or b"")
    finally:
        store.lock()


def test_rekey_leaves_the_audit_trail_verifying(db):
    ws = db.ws("admin")
    assert audit.verify(ws).ok
    ws.store.rekey()
    assert audit.verify(ws).ok
    db.close()
    other = open_workspace(db.path, "coord", PASSWORD)
    try:
        result = audit.verify(other)
        assert result.ok, result.problem
        assert result.signed_by == "coord" and result.signed_seq == result.count
    finally:
        other.lock()


def test_a_slot_added_with_ones_own_password_is_refused_and_never_rekeyed_to(db):
    key = insider_key(db.path)
    slots = KeySlotFile.load(db.path)
    slots.add("mallory", "user", OWN, key)
    slots.save(db.path)
    with pytest.raises(SlotRefused):
        Store.open(db.path, "mallory", OWN)
    ws = db.ws("admin")
    assert dict((n, s) for n, _k, s in ws.store.slot_names())["mallory"] == "refused"
    refused = ws.store.rekey()
    assert "mallory" in refused and "not registered" in refused["mallory"]
    with pytest.raises(StoreError):
        Store.open(db.path, "mallory", OWN)
    assert "mallory" not in {s.name for s in KeySlotFile.load(db.path).slots}


def test_a_disabled_users_restored_slot_gets_nothing(db):
    old_copy = KeySlotFile.load(db.path)
    users.disable_user(db.ws("admin"), "cm")
    db.close()
    restored = KeySlotFile.load(db.path)
    restored.slots = [s for s in restored.slots if s.name != "cm"]
    restored.slots.append(next(s for s in old_copy.slots if s.name == "cm"))
    restored.save(db.path)
    with pytest.raises(SlotRefused):  # the old data key still works, but not the slot
        Store.open(db.path, "cm", PASSWORD)
    refused = admin_rekeys(db.path)
    assert "revoked" in refused["cm"]
    new_key = current_key(db.path)
    # with the old slot's private key, nothing in the new file opens the new data key
    cm_old = next(s for s in old_copy.slots if s.name == "cm")
    private = cm_old.open_private(PASSWORD, old_copy.db_uuid)
    after = KeySlotFile.load(db.path)
    for slot in after.slots:
        for generation in slot.sealed:
            with pytest.raises(StoreError):
                assert slot.open_data_key(private, after.db_uuid, generation) != new_key
    with pytest.raises(StoreError):
        Store.open(db.path, "cm", PASSWORD)


def test_a_swapped_recovery_public_key_is_refused(db):
    key = insider_key(db.path)
    slots = KeySlotFile.load(db.path)
    mine = new_recovery_key()
    slots.slots = [s for s in slots.slots if s.name != RECOVERY_SLOT]
    slots.add(RECOVERY_SLOT, "recovery", mine, key)
    slots.save(db.path)
    with pytest.raises(SlotRefused):
        Store.open_with_recovery(db.path, mine)
    refused = admin_rekeys(db.path)
    assert RECOVERY_SLOT in refused
    with pytest.raises(StoreError):
        Store.open_with_recovery(db.path, mine)


def test_a_password_change_makes_a_new_key_pair(db):
    old_copy = KeySlotFile.load(db.path)
    new_password = "a brand new passphrase for cm"
    users.change_password(db.ws("cm"), "cm", new_password, PASSWORD)
    db.close()
    admin_rekeys(db.path)
    new_key = current_key(db.path)
    # Splice the old password's sealing of the private key into the current file.
    spliced = KeySlotFile.load(db.path)
    cm_now = next(s for s in spliced.slots if s.name == "cm")
    cm_old = next(s for s in old_copy.slots if s.name == "cm")
    assert cm_now.public != cm_old.public and cm_now.sign_public != cm_old.sign_public
    private = cm_old.open_private(PASSWORD, old_copy.db_uuid)
    with pytest.raises(StoreError):
        assert spliced.data_key_for(cm_now, private) != new_key
    for field in ("salt", "priv_nonce", "priv_sealed", "kdf"):
        setattr(cm_now, field, getattr(cm_old, field))
    spliced.save(db.path)
    with pytest.raises(StoreError):
        Store.open(db.path, "cm", PASSWORD)


def _rewrite_without(conn, drop: set[int], signer_key, key_id: int, signer: str) -> None:
    """Delete entries ``drop``, renumber and re-hash the rest, re-sign every head with the
    insider's own key where it was theirs, and keep the others' heads (renumbered)."""
    cols = "seq, ts, user_id, username, action, record_type, record_id, reason, detail"
    rows = conn.execute(f"SELECT {cols} FROM audit_entries ORDER BY seq").fetchall()
    heads = conn.execute("SELECT seq, key_id, signature FROM audit_heads ORDER BY seq").fetchall()
    conn.execute("DELETE FROM audit_entries")
    conn.execute("DELETE FROM audit_heads")
    prev, new_seq, moved = audit.GENESIS, 0, {}
    for row in rows:
        if row[0] in drop:
            continue
        new_seq += 1
        moved[row[0]] = new_seq
        body = audit.canonical(new_seq, *row[1:])
        prev = audit.chain_hash(prev, new_seq, body)
        conn.execute("INSERT INTO audit_entries VALUES (?,?,?,?,?,?,?,?,?,?)",
                     (new_seq, *row[1:], prev))
        for seq, kid, sig in heads:
            if seq == row[0]:
                if kid == key_id:
                    sig = base64.b64encode(signer_key.sign(
                        head_message(new_seq, prev, signer))).decode("ascii")
                conn.execute("INSERT INTO audit_heads (seq, key_id, signature) VALUES "
                             "(?,?,?)", (new_seq, kid, sig))


def test_a_case_manager_with_the_data_key_cannot_rewrite_their_own_entries(db):
    cm = db.ws("cm")
    with cm.uow() as session:
        for i in range(8):
            audit.record(cm, session, "view", "case", i + 1)
    with db.ws("admin").uow() as session:
        audit.record(db.ws("admin"), session, "user.list")
    assert audit.verify(db.ws("admin")).ok
    conn = cm.store.raw_connection()  # a raw connection with the data key cm holds
    try:
        own = [r[0] for r in conn.execute(
            "SELECT seq FROM audit_entries WHERE username = 'cm' AND action = 'view' "
            "ORDER BY seq")]
        drop = set(own[2:7])
        conn.execute("BEGIN IMMEDIATE")
        _rewrite_without(conn, drop, cm.store._signing, cm.store.signing_key_id, "cm")
        conn.execute("COMMIT")
    finally:
        conn.close()
    result = audit.verify(db.ws("admin"))
    assert not result.ok
    assert "signed by admin" in result.problem and "rewritten" in result.problem
    assert result.first_bad_seq is not None and result.first_bad_seq <= min(drop)
    # The administrator signs in again (a new head, signed over the rewritten chain):
    # their session finds its own last head broken, and says so for good.
    db.close()
    fresh = open_workspace(db.path, "admin", PASSWORD)
    try:
        again = audit.verify(fresh)
        assert not again.ok and "found by admin's session" in again.problem
        assert again.first_bad_seq is not None and again.first_bad_seq <= min(drop)
    finally:
        fresh.lock()


def test_replacing_anothers_heads_with_ones_own_is_found(db):
    admin = db.ws("admin")
    with admin.uow() as session:
        audit.record(admin, session, "user.list")
    cm = db.ws("cm")
    with cm.uow() as session:
        audit.record(cm, session, "view", "case", 1)
    conn = cm.store.raw_connection()
    try:
        conn.execute("BEGIN IMMEDIATE")
        admin_key = conn.execute("SELECT id FROM signing_keys WHERE name = 'admin'").fetchone()
        # every head becomes cm's: re-signed with cm's own key
        for seq, digest in conn.execute(
                "SELECT h.seq, e.hash FROM audit_heads h JOIN audit_entries e "
                "ON e.seq = h.seq").fetchall():
            sig = base64.b64encode(cm.store._signing.sign(head_message(seq, digest, "cm")))
            conn.execute("UPDATE audit_heads SET key_id = ?, signature = ? WHERE seq = ?",
                         (cm.store.signing_key_id, sig.decode("ascii"), seq))
        conn.execute("COMMIT")
        assert admin_key is not None
    finally:
        conn.close()
    result = audit.verify(admin)
    assert not result.ok and "by admin is covered only by a head signed by cm" in result.problem


def test_a_key_swapped_in_the_registry_does_not_sign_for_anyone(db):
    cm = db.ws("cm")
    admin = db.ws("admin")
    with admin.uow() as session:
        audit.record(admin, session, "user.list")
    conn = cm.store.raw_connection()
    try:
        head = conn.execute("SELECT h.seq, e.hash FROM audit_heads h JOIN audit_entries e "
                            "ON e.seq = h.seq ORDER BY h.seq DESC LIMIT 1").fetchone()
        forged = Ed25519PrivateKey.generate()
        public = base64.b64encode(forged.public_key().public_bytes_raw()).decode("ascii")
        sig = base64.b64encode(forged.sign(head_message(*head, "admin")))
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("UPDATE signing_keys SET public = ? WHERE name = 'admin'", (public,))
        conn.execute("UPDATE audit_heads SET signature = ? WHERE seq = ?",
                     (sig.decode("ascii"), head[0]))
        conn.execute("COMMIT")
    finally:
        conn.close()
    result = audit.verify(admin)
    assert not result.ok and "never registered for admin" in result.problem


def test_rekey_names_the_other_sessions_then_works_once_they_close(db):
    import threading

    from db import engine
    from db.errors import DatabaseBusy

    other = db.ws("coord")
    admin = open_workspace(db.path, "admin", PASSWORD)
    previous = engine.set_busy_timeout(0.3)
    try:
        with pytest.raises(DatabaseBusy) as info:
            admin.store.rekey()
        assert "by: coord" in str(info.value) and "damaged" not in str(info.value)
        engine.set_busy_timeout(20)
        threading.Timer(0.5, other.lock).start()  # the other session closes a moment later
        admin.store.rekey()  # waited for it
        assert audit.verify(admin).ok
    finally:
        engine.set_busy_timeout(previous)
        admin.lock()


def test_every_backup_carries_a_signed_head_that_verify_accepts(db, tmp_path, monkeypatch,
                                                                 capsys):
    from casework.cli.main import main

    monkeypatch.setenv("CASEWORK_PASSWORD", PASSWORD)
    base = ["--db", str(db.path), "--user", "admin"]
    assert main([*base, "backup", str(tmp_path / "b.db")]) == 0
    head = (tmp_path / "b.db.head").read_text().strip()
    seq, _digest, signer, _sig = head.split(":")
    assert signer == "admin" and int(seq) > 0
    assert main([*base, "rekey"]) == 0
    capsys.readouterr()
    assert main([*base, "audit", "verify", "--head", head]) == 0
    out = capsys.readouterr().out
    assert out.startswith("OK:") and "the recorded head is in it" in out
    assert "latest signed head checked: entry" in out and "signed by admin" in out
    assert main([*base, "audit", "head"]) == 0
    printed = audit.parse_head(capsys.readouterr().out)
    assert isinstance(printed, audit.Head) and printed.signer == "admin"
    # a head whose signature is not admin's is refused
    forged = ":".join([seq, _digest, signer, base64.b64encode(bytes(64)).decode()])
    assert main([*base, "audit", "verify", "--head", forged]) == 1
    assert "signature is not admin's" in capsys.readouterr().out


def test_user_disable_says_a_rekey_is_needed_and_does_it_when_asked(db, monkeypatch, capsys):
    from casework.cli.main import main

    monkeypatch.setenv("CASEWORK_PASSWORD", PASSWORD)
    old = KeySlotFile.load(db.path)
    base = ["--db", str(db.path), "--user", "admin"]
    assert main([*base, "user", "disable", "cm", "--rekey"]) == 0
    out = capsys.readouterr().out
    assert "A rekey is needed" in out and "new data key" in out
    assert KeySlotFile.load(db.path).generation != old.generation
