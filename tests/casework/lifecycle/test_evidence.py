"""Evidence: stored inside the (encrypted) database with its facts, limited in size and
type, and every open audited."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from casework.cases import evidence
from casework.cases.caseview import document_content
from casework.core import settings
from casework.core.errors import ValidationError
from db.models import AuditEntry, Document
from tests.casework import factories as f

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_a_photo_is_kept_with_its_facts_and_every_open_is_audited(db) -> None:
    ws = db.ws("cm")
    cid = f.asb_case(ws, opened_on=date(2026, 11, 2)).header.id
    item = evidence.add_evidence(ws, cid, "/home/officer/IMG_0001.PNG", PNG, "photo",
                                 date(2026, 11, 20), "Rubbish dumped at the rear gate")
    assert (item.file_name, item.mime, item.size) == ("IMG_0001.PNG", "image/png", len(PNG))
    listed = evidence.list_evidence(ws, cid)
    assert [(e.evidence_type, e.evidence_on, e.added_by) for e in listed] == [
        ("photo", date(2026, 11, 20), db.login("cm"))]
    for _ in range(2):
        assert document_content(ws, item.document_id).content == PNG
    with db.ws("ig").uow() as s:  # (on a server the trail is read by its readers)
        opens = s.scalars(select(AuditEntry).where(AuditEntry.action == "view",
                                                   AuditEntry.record_type == "document",
                                                   AuditEntry.record_id == str(item.document_id)))
        assert len(list(opens)) == 2
    with ws.uow() as s:
        assert s.get(Document, item.document_id).kind == "evidence"
    with pytest.raises(db.refused):
        document_content(db.ws("cm2"), item.document_id)
    assert "Rubbish" not in repr(item)


@pytest.mark.parametrize(("name", "content", "message"), [
    ("virus.exe", b"MZ", "cannot be attached"),
    ("photo.jpg", PNG, "not a .jpg file"),
    ("empty.png", b"", "empty"),
])
def test_types_and_content_are_checked(db, name: str, content: bytes, message: str) -> None:
    ws = db.ws("cm")
    cid = f.asb_case(ws, opened_on=date(2026, 11, 2)).header.id
    with pytest.raises(ValidationError) as err:
        evidence.add_evidence(ws, cid, name, content, "photo", date(2026, 11, 20))
    assert message in str(err.value) and err.value.field == "file"


def test_the_size_limit_is_a_setting(db) -> None:
    ws = db.ws("cm")
    cid = f.asb_case(ws, opened_on=date(2026, 11, 2)).header.id
    assert settings.read(ws, settings.EVIDENCE_MAX_MB) == 25
    settings.update(db.ws("admin"), settings.EVIDENCE_MAX_MB, 1)
    big = PNG + b"\x00" * (1024 * 1024)
    with pytest.raises(ValidationError) as err:
        evidence.add_evidence(ws, cid, "big.png", big, "photo", date(2026, 11, 20))
    assert "1 MB" in str(err.value)
