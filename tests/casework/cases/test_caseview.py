"""Case view reads (permission, audit), settings and administration services, recovery."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from casework.admin import newdb, overview
from casework.cases import caseview, letters
from casework.cases.lifecycle import add_note
from casework.core import settings, users
from casework.core.context import open_workspace
from casework.core.errors import NotFound, PermissionDenied, ValidationError
from db.models import AuditEntry
from tests.casework.factories import asb_case
from tests.pg_backend import roster_name

NEW_PASSWORD = "a brand new password"


def _audit(ws: Any, action: str | None = None) -> list[AuditEntry]:
    with ws.uow() as session:
        stmt = select(AuditEntry).order_by(AuditEntry.seq)
        if action is not None:
            stmt = stmt.where(AuditEntry.action == action)
        rows = list(session.scalars(stmt))
        session.expunge_all()
        return rows


def test_case_reads_check_permission_and_audit_identifiable_parts(db: Any) -> None:
    ws = db.ws("cm")
    case = asb_case(ws)
    cid = case.header.id
    add_note(ws, cid, "Spoke to the complainant", shareable=True)
    before = len(_audit(db.ws("ig"), "view"))
    people = caseview.case_people(ws, cid)
    assert sorted(p.name for p in people) == ["Casey Complainant", "Sam Subject"]
    assert "Casey" not in repr(people)
    notes = caseview.case_notes(ws, cid)
    assert notes[0].body == "Spoke to the complainant" and roster_name(notes[0].author) == "cm"
    assert "Spoke" not in repr(notes)
    views = _audit(db.ws("ig"), "view")[before:]
    assert [(v.record_type, v.record_id) for v in views] == [("case", str(cid))] * 2
    assert caseview.case_header(ws, cid).reference == case.header.reference
    assert all(t.due_on for t in caseview.case_tasks(ws, cid))
    history = caseview.case_history(ws, cid)
    assert history[0].seq > history[-1].seq  # newest first
    assert {"case.create", "note.add", "view"} <= {h.action for h in history}
    for other in ("cm2", "coord", "swip", "admin"):  # refused, or hidden by a server
        with pytest.raises(db.refused):
            caseview.case_parts(db.ws(other), cid)
        with pytest.raises(db.refused):
            caseview.case_history(db.ws(other), cid)
    with pytest.raises(NotFound):
        caseview.case_people(ws, 999_999)


def test_case_parts_reads_everything_with_one_audit_entry(db: Any) -> None:
    ws = db.ws("cm")
    cid = asb_case(ws).header.id
    doc = letters.generate_letter(ws, cid, "first_warning_letter",
                                  {"action_date": "1 May 2026", "behaviour": "noise"})
    before = len(_audit(db.ws("ig")))
    parts = caseview.case_parts(ws, cid)
    assert len(_audit(db.ws("ig"))) == before + 1
    assert parts.header.id == cid and len(parts.people) == 2
    assert [d.id for d in parts.documents] == [doc.id]
    assert caseview.case_documents(ws, cid) == list(parts.documents)


def test_document_content_is_audited_and_checked(db: Any) -> None:
    ws, reader = db.ws("cm"), db.ws("ig")  # (on a server the trail is read by its readers)
    cid = asb_case(ws).header.id
    doc = letters.generate_letter(ws, cid, "first_warning_letter",
                                  {"action_date": "1 May 2026", "behaviour": "noise"})
    title, mime, content = caseview.document_content(ws, doc.id)
    assert mime == "application/pdf" and content.startswith(b"%PDF") and title == doc.title
    last = _audit(reader)[-1]
    assert (last.action, last.record_type, last.record_id) == ("view", "document", str(doc.id))
    assert "PDF" not in repr(caseview.document_content(ws, doc.id))
    with pytest.raises(db.refused):
        caseview.document_content(db.ws("cm2"), doc.id)
    with pytest.raises(NotFound):
        caseview.document_content(ws, 999_999)


def test_settings_read_and_update(db: Any) -> None:
    admin, cm = db.ws("admin"), db.ws("cm")
    key = settings.IDLE_LOCK_MINUTES
    assert settings.read(cm, key) == 10
    assert settings.read_all(cm)[key] == 10
    assert settings.update(admin, key, 5) == 5
    assert settings.read(cm, key) == 5
    entry = _audit(admin, "setting.change")[-1]
    assert entry.record_id == key and '"new":5' in entry.detail
    for bad in (-1, "five", True):
        with pytest.raises(ValidationError) as err:
            settings.update(admin, key, bad)
        assert err.value.field == key and key not in str(err.value)
    with pytest.raises(ValidationError):
        settings.update(admin, settings.TRIGGER_HATE_ONE, 1)
    with pytest.raises(PermissionDenied):
        settings.update(cm, key, 3)
    with pytest.raises(NotFound):
        settings.read(cm, "no.such.setting")
    assert settings.read(cm, key) == 5


def test_admin_overview(db: Any) -> None:
    info = overview.admin_overview(db.ws("admin"))
    if db.backend == "file":
        assert {"admin", "cm"} <= {s.name for s in info.slots}
    else:  # a team server has no key slots: its users are PostgreSQL login roles
        assert info.slots == ()
    assert info.protocol_version is not None and info.protocol_version >= 1
    assert {s.key for s in info.settings} == set(settings.SPECS)
    with pytest.raises(PermissionDenied):
        overview.admin_overview(db.ws("cm"))


def test_recover_password_resets_the_slot_and_audits(tmp_path: Path) -> None:
    path = tmp_path / "r.db"
    ws, recovery = newdb.init_database(path, "boss", "first password 1")
    users.ensure_team(ws, "ASB Team", "asb")
    users.add_user(ws, "worker", "old password 12", "case_manager", team="ASB Team")
    ws.lock()
    with pytest.raises(ValidationError) as err:
        users.recover_password(path, "not-the-key", "worker", NEW_PASSWORD)
    assert err.value.field == "recovery"
    with pytest.raises(ValidationError) as err:
        users.recover_password(path, recovery, "nobody", NEW_PASSWORD)
    assert err.value.field == "username"
    got = users.recover_password(path, recovery, "worker", NEW_PASSWORD)
    assert got.actor.username == "worker"
    got.lock()
    ws = open_workspace(path, "worker", NEW_PASSWORD)
    entry = _audit(ws, "keyslot.recover")[-1]
    assert (entry.username, entry.record_id) == ("worker", "worker")
    ws.lock()
