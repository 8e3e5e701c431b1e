"""A new recovery key: an administrator replaces the recovery slot; the old key stops
working, the new one opens the database, and the audit trail still verifies."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import select

from casework.core import audit, users
from casework.core.errors import PermissionDenied
from db.errors import StoreError
from db.keyslots import slot_path
from db.models import AuditEntry
from db.store import Store
from tests.conftest import PASSWORD

pytestmark = pytest.mark.file_only(reason=(
    "the recovery slot of the file's key slots (a team server has no data "
    "key)"))


def test_only_an_administrator_makes_a_new_recovery_key(db):
    with pytest.raises(PermissionDenied):
        users.new_recovery_key(db.ws("cm"))


def test_key_new_recovery_replaces_the_old_key_and_a_rekey_retires_old_copies(
        db, tmp_path, monkeypatch, capsys):
    from casework.cli.main import main

    old_key = users.new_recovery_key(db.ws("admin"))
    Store.open_with_recovery(db.path, old_key).lock()  # the old key works until replaced
    old_copy = tmp_path / "old.keys"
    shutil.copy(slot_path(db.path), old_copy)
    db.close()
    monkeypatch.setenv("CASEWORK_PASSWORD", PASSWORD)
    capsys.readouterr()
    assert main(["--db", str(db.path), "--user", "admin", "key", "new-recovery",
                 "--rekey"]) == 0
    out = capsys.readouterr().out
    new_key = out.split("safe):\n", 1)[1].splitlines()[0].strip()
    assert new_key and new_key != old_key and "new data key" in out
    with pytest.raises(StoreError):
        Store.open_with_recovery(db.path, old_key)
    # The new key opens the database and resets a password, as the recovery route does.
    ws = users.recover_password(db.path, new_key, "cm", "a fresh passphrase for cm")
    ws.lock()
    # An old copy of the key file and the old recovery key no longer give the data key.
    shutil.copy(old_copy, slot_path(db.path))
    with pytest.raises(StoreError):
        Store.open_with_recovery(db.path, old_key).lock()


def test_a_new_recovery_key_is_audited_and_the_chain_verifies(db):
    ws = db.ws("admin")
    users.new_recovery_key(ws)
    with ws.uow() as session:
        actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)).all()
    assert actions[-2:] == ["keyslot.recovery_new", "keyslot.register"]
    assert audit.verify(ws).ok
