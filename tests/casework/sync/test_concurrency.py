"""Twenty users write to one file database at once, each from their own open database:
afterwards the audit chain verifies and every count is exact (no write lost, none
doubled). Bounded: a fixed number of iterations per user."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import func, select

from casework.cases.lifecycle import add_note
from casework.core import audit, users
from casework.core.context import open_workspace
from casework.core.errors import EditConflict
from casework.people import persons
from db.models import AuditEntry, ChangeLog, Note
from tests.casework import factories
from tests.conftest import PASSWORD

pytestmark = pytest.mark.file_only(reason=(
    "twenty processes writing to one database file (the server's: "
    "tests/server/test_concurrency.py)"))

USERS = 20
ITERATIONS = 2


def test_twenty_writers_lose_nothing(db):
    admin = db.ws("admin")
    names = [f"officer{i:02d}" for i in range(USERS)]
    for name in names:
        users.add_user(admin, name, PASSWORD, "case_manager", display_name=name.title(),
                       team="ASB Team")
    case = factories.asb_case(db.ws("cm"))
    case_id, person_id = case.header.id, case.subject_person_id
    start_version = persons.get_person(db.ws("cm"), person_id).version
    workspaces: list[Any] = [None] * USERS
    saved = [0] * USERS
    refused = [0] * USERS
    errors: list[BaseException] = []
    go = threading.Barrier(USERS, timeout=120)

    def work(i: int) -> None:
        try:
            # each user unlocks the file for themselves (in parallel, as on 20 machines)
            ws = workspaces[i] = open_workspace(db.path, names[i], PASSWORD)
            go.wait()
            for j in range(ITERATIONS):
                add_note(ws, case_id, f"Visit {i}-{j}")
                # a versioned edit: the version read, then the save; another user may
                # commit in between, and then this one is refused and tries again
                while True:
                    seen = persons.get_person(ws, person_id)
                    data = persons.PersonInput(seen.given_name, seen.family_name,
                                               seen.date_of_birth, notes=f"Seen {i}-{j}")
                    try:
                        persons.edit_person(ws, person_id, data, loaded_version=seen.version)
                        saved[i] += 1
                        break
                    except EditConflict:
                        refused[i] += 1
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
            go.abort()  # the others stop waiting for this one

    threads = [threading.Thread(target=work, args=(i,)) for i in range(USERS)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=300)
        assert not [t for t in threads if t.is_alive()]
    finally:
        for opened in workspaces:
            if opened is not None:
                opened.lock()
    assert errors == []
    assert saved == [ITERATIONS] * USERS
    ws = db.ws("cm")
    assert persons.get_person(ws, person_id).version == start_version + USERS * ITERATIONS
    with ws.uow() as s:
        assert s.scalar(select(func.count()).select_from(Note)
                        .where(Note.case_id == case_id)) == USERS * ITERATIONS
        logged = s.scalar(select(func.count()).select_from(ChangeLog).where(
            ChangeLog.table_name == "notes", ChangeLog.op == "insert",
            ChangeLog.case_id == case_id))
        assert logged == USERS * ITERATIONS
        person_updates = s.scalar(select(func.count()).select_from(ChangeLog).where(
            ChangeLog.table_name == "people", ChangeLog.op == "update",
            ChangeLog.row_id == str(person_id), ChangeLog.actor.in_(names)))
        assert person_updates == USERS * ITERATIONS
        edits = s.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "person.edit", AuditEntry.record_id == str(person_id)))
        notes_audited = s.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "note.add", AuditEntry.username.in_(names)))
    assert edits == USERS * ITERATIONS
    assert notes_audited == USERS * ITERATIONS
    assert audit.verify(ws).ok
