"""Logins, failed unlocks, lock and unlock, views, changes, exports, user and key-slot
administration all reach the chain, and the chain still verifies afterwards."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from casework.core import audit, users
from casework.core.context import open_workspace
from casework.people import persons as people
from casework.safeguards import sar
from db import errors
from db.models import AuditEntry
from tests.conftest import PASSWORD


@pytest.mark.file_only(reason=(
    "unlocks the file with a wrong password and backs the file up; on a team server a "
    "failed sign-in is PostgreSQL's to log and backups are the server administrator's "
    "(sign-in, key and user entries on a server: tests/server/test_workspace.py)"))
def test_every_kind_of_event_is_recorded(db, world, tmp_path):
    admin = db.ws("admin")
    with pytest.raises(errors.WrongPassword):
        open_workspace(db.path, "cm", "wrong")
    cm = open_workspace(db.path, "cm", PASSWORD)  # login + unlock.failed
    people.get_person(cm, world.subject_id)  # view of an identifiable record
    audit.record_lock(cm, "idle")
    audit.record_unlock(cm)
    sar.export(db.ws("ig"), world.subject_id, tmp_path)  # export (information governance)
    users.add_user(admin, "newbie", PASSWORD, "case_manager", team="ASB Team")
    users.change_password(admin, "newbie", "another password")
    users.disable_user(admin, "newbie")  # user admin + key-slot revocation
    admin.store.backup(tmp_path / "b.db")
    with admin.uow() as session:
        audit.record(admin, session, "backup", detail={"file": "b.db"})
        actions = set(session.scalars(select(AuditEntry.action)))
    cm.lock()
    assert {"login", "unlock.failed", "view", "lock", "unlock", "sar.request", "sar.export",
            "user.add", "user.passwd", "user.disable", "keyslot.revoke", "backup",
            "case.create"} <= actions
    assert audit.verify(admin).ok
