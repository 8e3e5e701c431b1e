"""The encrypted store: opening, refusing, key slots, rekey, backup, check."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from db import errors
from db.keyslots import slot_path
from db.store import Store
from tests.conftest import PASSWORD, ROSTER


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def files_of(path: Path) -> dict[str, str]:
    return {p.name: digest(p) for p in path.parent.iterdir() if p.is_file()}


@pytest.mark.parametrize(
    ("user", "password", "error"),
    [
        ("admin", "wrong", errors.WrongPassword),
        ("nobody", PASSWORD, errors.UnknownUser),
        ("admin", "", errors.EmptyPassword),
        ("admin", "quote\"and'back\\slash", errors.WrongPassword),
    ],
)
def test_bad_credentials_leave_every_file_unchanged(db, user, password, error):
    before = files_of(db.path)
    with pytest.raises(error) as info:
        Store.open(db.path, user, password)
    assert password not in str(info.value) or not password
    assert files_of(db.path) == before


def test_password_with_quotes_and_backslash_works(tmp_path):
    pw = "it's \"quoted\" \\ and ; DROP"
    store, _ = Store.create(tmp_path / "q.db", "admin", pw)
    store.lock()
    Store.open(tmp_path / "q.db", "admin", pw).lock()


def test_revoked_user_is_refused_and_nothing_written(db):
    ws = db.ws("admin")
    from casework.core import users

    users.disable_user(ws, "cm")
    before = files_of(db.path)
    with pytest.raises(errors.RevokedUser):
        Store.open(db.path, "cm", PASSWORD)
    assert files_of(db.path) == before


def test_plain_sqlite_cannot_read_and_names_are_not_in_the_files(db):
    from casework.core.context import Workspace  # noqa: F401 - fixture opens through casework
    from db.models import Person

    ws = db.ws("cm")
    with ws.uow() as session:
        session.add(Person(given_name="Zebedee", family_name="Quarrington-Flint"))
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(db.path).execute("select * from sqlite_master").fetchall()
    for p in db.path.parent.iterdir():
        if p.is_file():
            assert b"Quarrington" not in p.read_bytes(), p.name


def test_not_a_database_truncated_and_flipped(db, tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"hello" * 1000)
    shutil.copy2(slot_path(db.path), slot_path(junk))
    with pytest.raises(errors.NotADatabase):
        Store.open(junk, "admin", PASSWORD)

    trunc = tmp_path / "trunc.db"
    data = db.path.read_bytes()
    trunc.write_bytes(data[: len(data) // 2 + 100])
    shutil.copy2(slot_path(db.path), slot_path(trunc))
    with pytest.raises(errors.NotADatabase):
        Store.open(trunc, "admin", PASSWORD)

    plain = tmp_path / "plain.db"
    sqlite3.connect(plain).execute("create table t(x)").connection.commit()
    with pytest.raises(errors.NotADatabase, match="plain"):
        Store.open(plain, "admin", PASSWORD)


def test_flipped_byte_in_first_page_is_damage(db, tmp_path):
    bad = tmp_path / "flip.db"
    data = bytearray(db.path.read_bytes())
    data[100] ^= 0x01
    bad.write_bytes(bytes(data))
    shutil.copy2(slot_path(db.path), slot_path(bad))
    # The key from the slot opens every other page: the file is damaged, not foreign.
    with pytest.raises(errors.DatabaseCorrupt):
        Store.open(bad, "admin", PASSWORD)


def test_key_slots_of_another_database_are_not_damage(db, tmp_path):
    other = tmp_path / "other.db"
    Store.create(other, "admin", PASSWORD)[0].lock()
    shutil.copy2(slot_path(other), slot_path(db.path))
    with pytest.raises(errors.NotADatabase):
        Store.open(db.path, "admin", PASSWORD)


def test_flipped_byte_deeper_is_found_by_check(db, tmp_path):
    bad = tmp_path / "flip2.db"
    data = bytearray(db.path.read_bytes())
    data[len(data) - 2000] ^= 0x40
    bad.write_bytes(bytes(data))
    shutil.copy2(slot_path(db.path), slot_path(bad))
    store = Store.open(bad, "admin", PASSWORD)
    try:
        assert store.check() != []
    finally:
        store.lock()


def test_missing_and_corrupt_key_slots(db, tmp_path):
    lonely = tmp_path / "lonely.db"
    shutil.copy2(db.path, lonely)
    with pytest.raises(errors.KeySlotsMissing):
        Store.open(lonely, "admin", PASSWORD)
    slot_path(lonely).write_text("{not json")
    with pytest.raises(errors.KeySlotsCorrupt):
        Store.open(lonely, "admin", PASSWORD)
    slot_path(lonely).write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(errors.KeySlotsCorrupt):
        Store.open(lonely, "admin", PASSWORD)


def test_rekey_keeps_every_user_and_old_key_stops_working(db):
    store = Store.open(db.path, "admin", PASSWORD)
    old_raw = store.slots.to_json()
    store.rekey()
    with store.engine.connect() as conn:
        assert conn.execute(text("select count(*) from users")).scalar() == 1 + len(ROSTER)
    store.lock()
    for user in ("admin", "cm", "coord"):
        Store.open(db.path, user, PASSWORD).lock()
    assert old_raw != slot_path(db.path).read_text()


def test_revoked_user_slot_gets_no_new_key_on_rekey(db):
    store = Store.open(db.path, "admin", PASSWORD)
    revoked = store.slots.find("cm")
    private = revoked.open_private(PASSWORD, store.slots.db_uuid)
    with Session(store.engine) as session, session.begin():
        store.revoke_slot("cm", session)
    store.rekey()
    store.lock()
    # Even with the revoked user's private key, nothing in the new file opens the data key.
    from db.keyslots import KeySlotFile

    slots = KeySlotFile.load(db.path)
    cm = next(s for s in slots.slots if s.name == "cm")
    assert cm.sealed == {}
    assert private is not None


def test_interrupted_rekey_resolves_on_open(db):
    store = Store.open(db.path, "admin", PASSWORD)
    from db.keyslots import new_data_key

    # Crash after the pending key was saved but before the database was rekeyed.
    store.slots.begin_rekey(new_data_key())
    store.slots.save(db.path)
    store.lock()
    reopened = Store.open(db.path, "cm", PASSWORD)
    assert reopened.slots.pending is None
    reopened.lock()


def test_recovery_key_opens_and_is_forgiving_about_format(tmp_path):
    store, recovery = Store.create(tmp_path / "r.db", "admin", "pw")
    store.lock()
    Store.open_with_recovery(tmp_path / "r.db", recovery).lock()
    Store.open_with_recovery(tmp_path / "r.db", recovery.lower().replace("-", " ")).lock()
    with pytest.raises(errors.WrongPassword):
        Store.open_with_recovery(tmp_path / "r.db", "AAAAAA-" * 7 + "AAAAAA")


def test_backup_is_encrypted_consistent_and_opens(db, tmp_path):
    store = Store.open(db.path, "admin", PASSWORD)
    dest = tmp_path / "copy.db"
    store.backup(dest)
    store.lock()
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(dest).execute("select * from sqlite_master").fetchall()
    copy = Store.open(dest, "cm", PASSWORD)
    assert copy.check() == []
    copy.lock()


def test_pragmas_are_set_on_every_connection(db):
    store = Store.open(db.path, "admin", PASSWORD)
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2
    assert "x'" not in repr(store.engine) and PASSWORD not in repr(store)
    store.lock()


def test_database_wal_and_backup_are_private_files(tmp_path):
    store, _ = Store.create(tmp_path / "p.db", "admin", "pw")
    with store.engine.begin() as conn:
        conn.exec_driver_sql("select count(*) from users")
    store.backup(tmp_path / "copy.db")
    for p in tmp_path.iterdir():
        assert p.stat().st_mode & 0o077 == 0, p.name
    store.lock()
