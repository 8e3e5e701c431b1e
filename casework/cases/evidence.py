"""Evidence attached to a case: photos, witness statements, body-worn video stills, diary
sheets. The file's bytes are a ``Document`` (kind ``evidence``) inside the encrypted
database, never a loose file; an ``EvidenceItem`` says what it is, its date, a description
and who added it. Files open like letters (``caseview.document_content``: permission
checked, every open audited, written only to the private temporary folder).

Accepted: the types in ``ALLOWED`` (by extension, and the content must look like that
type), up to the ``evidence.max_file_mb`` setting (default 25 MB) per file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from casework.cases.lifecycle import load_case, store_document
from casework.core import audit, clock, settings
from casework.core.context import Workspace
from casework.core.errors import ValidationError
from casework.core.permissions import require
from db.models import Document, EvidenceItem, User

EVIDENCE_TYPES = ("photo", "witness_statement", "bwv_still", "diary_sheet", "audio", "video",
                  "document", "other")
# extension -> (MIME type, the bytes the content starts with; b"" when not checked)
ALLOWED: dict[str, tuple[str, tuple[bytes, ...]]] = {
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".pdf": ("application/pdf", (b"%PDF",)),
    ".txt": ("text/plain", (b"",)),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
              (b"PK\x03\x04",)),
    ".mp3": ("audio/mpeg", (b"ID3", b"\xff\xfb", b"\xff\xf3", b"\xff\xf2")),
    ".mp4": ("video/mp4", (b"",)),
}


@dataclass(frozen=True)
class EvidenceView:
    """One item of evidence (the description is free text: listing it is audited)."""

    id: int
    case_id: int
    document_id: int
    evidence_type: str
    evidence_on: date
    description: str
    file_name: str
    mime: str
    size: int
    sha256: str
    added_by: str
    added_at: datetime

    def __repr__(self) -> str:  # never print the description or the file name
        return f"EvidenceView(id={self.id}, case_id={self.case_id})"


def _extension(file_name: str) -> str:
    dot = file_name.rfind(".")
    return file_name[dot:].lower() if dot >= 0 else ""


def check_file(file_name: str, content: bytes, max_mb: int) -> str:
    """The MIME type of an acceptable file; ValidationError (``file``) naming the rule a
    file breaks: empty, too large, a type not on the list, or content of another type."""
    ext = _extension(file_name)
    if ext not in ALLOWED:
        raise ValidationError("That type of file cannot be attached. Accepted: "
                              + ", ".join(sorted(ALLOWED)) + ".", field="file")
    if not content:
        raise ValidationError("The file is empty.", field="file")
    if len(content) > max_mb * 1024 * 1024:
        raise ValidationError(f"The file is larger than the {max_mb} MB limit.", field="file")
    mime, magic = ALLOWED[ext]
    if not any(content.startswith(m) for m in magic):
        raise ValidationError(f"The file's content is not a {ext} file.", field="file")
    return mime


def add_evidence(ws: Workspace, case_id: int, file_name: str, content: bytes,
                 evidence_type: str, evidence_on: date, description: str = "") -> EvidenceView:
    """Attach a file to an open case as evidence (audited ``evidence.add``)."""
    require(ws.actor, "case.write")
    if evidence_type not in EVIDENCE_TYPES:
        raise ValidationError("Choose the kind of evidence.", field="evidence_type")
    if evidence_on > clock.today():
        raise ValidationError("The evidence cannot be dated in the future.",
                              field="evidence_on")
    name = file_name.replace("\\", "/").rsplit("/", 1)[-1].strip()[:200]
    with ws.uow() as session:
        case = load_case(ws, session, case_id)
        if case.status == "closed":
            raise ValidationError("The case is closed.", field="status")
        mime = check_file(name, content, int(settings.get(session, settings.EVIDENCE_MAX_MB)))
        title = f"{evidence_type.replace('_', ' ').capitalize()} ({evidence_on:%d %b %Y})"
        doc = store_document(ws, session, case, "evidence", title, content, mime)
        item = EvidenceItem(case_id=case.id, document_id=doc.id, evidence_type=evidence_type,
                            evidence_on=evidence_on, description=description.strip(),
                            file_name=name, added_by=ws.actor.user_id)
        session.add(item)
        session.flush()
        audit.record(ws, session, "evidence.add", "case", case.id,
                     detail={"evidence": item.id, "document": doc.id, "type": evidence_type,
                             "size": len(content)})
        return EvidenceView(item.id, case.id, doc.id, evidence_type, evidence_on,
                            item.description, name, mime, doc.size, doc.sha256,
                            ws.actor.username, item.added_at)


def list_evidence(ws: Workspace, case_id: int) -> list[EvidenceView]:
    """The case's evidence in date order (audited ``view``)."""
    with ws.uow() as session:
        load_case(ws, session, case_id)
        rows = session.execute(
            select(EvidenceItem, Document.mime, Document.size, Document.sha256, User.username)
            .join(Document, Document.id == EvidenceItem.document_id)
            .outerjoin(User, User.id == EvidenceItem.added_by)
            .where(EvidenceItem.case_id == case_id)
            .order_by(EvidenceItem.evidence_on, EvidenceItem.id)).all()
        audit.record(ws, session, "view", "case", case_id,
                     detail={"part": "evidence", "count": len(rows)})
        return [EvidenceView(e.id, e.case_id, e.document_id, e.evidence_type, e.evidence_on,
                             e.description, e.file_name, mime, size, sha, who or "",
                             e.added_at)
                for e, mime, size, sha, who in rows]
