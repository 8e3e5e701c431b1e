"""A database from before signed heads (the released 0001 fixture) is migrated at its first
unlock: slots registered, the old chain checked under its old key and sealed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from casework.core import audit, lockout
from casework.core.context import open_workspace
from db.engine import connect_raw
from db.keyslots import KeySlotFile, slot_path
from db.store import Store

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "schema-0001" / "casework.db"
PASSWORD = "fixture-0001-synthetic"


def legacy_copy(tmp_path: Path) -> Path:
    dest = tmp_path / "old.db"
    shutil.copy2(FIXTURE, dest)
    shutil.copy2(slot_path(FIXTURE), slot_path(dest))
    lockout.initialise(dest)  # installed as init would: a sound failure counter beside it
    return dest


def migration_entry(ws) -> dict:
    conn = ws.store.raw_connection()
    try:
        rows = conn.execute("SELECT detail, username FROM audit_entries "
                            "WHERE action = 'audit.migrate'").fetchall()
    finally:
        conn.close()
    assert len(rows) == 1
    return {**json.loads(rows[0][0]), "by": rows[0][1]}


def test_the_first_unlock_seals_the_old_chain_and_it_then_survives_rekey(tmp_path):
    path = legacy_copy(tmp_path)
    before = len(json.loads(slot_path(path).read_text())["slots"])
    ws = open_workspace(path, "admin", PASSWORD)
    try:
        found = migration_entry(ws)
        assert found["legacy_check"] == "ok" and found["legacy_entries"] > 0
        assert found["by"] == "admin"
        assert audit.verify(ws).ok
        assert len(ws.store.slot_names()) == before
        assert all(state != "refused" for _n, _k, state in ws.store.slot_names())
    finally:
        ws.lock()
    other = open_workspace(path, "asb1", PASSWORD)  # enrolled at their first unlock
    try:
        result = audit.verify(other)
        assert result.ok and result.signed_by == "asb1" and result.signers == 2
        other.store.rekey()
        assert audit.verify(other).ok
    finally:
        other.lock()
    slots = KeySlotFile.load(path)
    assert {s.name for s in slots.slots if s.sign_public} == {"admin", "asb1"}
    again = open_workspace(path, "admin", PASSWORD)
    try:
        assert audit.verify(again).ok
    finally:
        again.lock()


def test_an_old_chain_already_broken_is_sealed_with_what_the_check_found(tmp_path):
    path = legacy_copy(tmp_path)
    store = Store.open(path, "admin", PASSWORD)  # upgrades the schema, enrols nobody
    key = bytes(store._key or b"")
    store.lock()
    conn = connect_raw(path, key)
    try:
        conn.execute("UPDATE audit_entries SET record_id = 'x' WHERE seq = 5")
    finally:
        conn.close()
    ws = open_workspace(path, "admin", PASSWORD)
    try:
        assert migration_entry(ws)["legacy_check"] == "broken at entry 5"
        assert audit.verify(ws).ok  # sealed as found; the seal entry says what it found
    finally:
        ws.lock()
