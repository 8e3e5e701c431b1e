"""Identifiable outputs of one case: the printable case summary and the court bundle.

Both go through the one pipeline (``pipeline.produce``): the protocol names the roles that
may produce them (identifiable roles only), the recipients and the fields kept; the case
must be one the user may see (``load_case``); the files are rendered into a private
staging folder, moved into place whole and audited with their digests.

- ``export_case_summary``: one PDF, the case's facts, people, tasks, notes, documents and
  evidence index, marked on every page.
- ``export_court_bundle``: an indexed PDF (each item's number, kind, date, description,
  who added it, and the SHA-256 of the file in the bundle) plus the evidence files
  themselves, named by item number and kind (never by the name they were uploaded under,
  which may carry a person's name).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportlab.platypus import Flowable, PageBreak
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.cases import caseview
from casework.cases.evidence import ALLOWED
from casework.cases.lifecycle import load_case
from casework.core.context import Workspace
from casework.core.errors import ValidationError
from casework.sharing import render_pdf as pdf
from casework.sharing.pipeline import Built, ExportResult, Release, named_recipient, produce
from casework.sharing.protocol import OutputSpec, Protocol
from casework.sharing.rules import RecordRules
from db.models import Document, EvidenceItem, User

SUMMARY = "case_summary"
BUNDLE = "court_bundle"
CASE_COLUMNS = ("reference", "case_type", "status", "opened_on", "closed_on", "outcome",
                "risk_level", "next_review_on", "lsoa_code", "summary")
PARTY_COLUMNS = ("name", "role", "date_of_birth", "agency", "ended_on")
EVIDENCE_COLUMNS = ("number", "evidence_type", "evidence_on", "description", "added_by",
                    "sha256", "size", "bundle_file")
NOTES_SHOWN = 30


@dataclass(frozen=True)
class CaseOutputData:
    """What the renderers receive: released records only (and, for a bundle, the files)."""

    case: dict[str, Any]
    parties: tuple[dict[str, Any], ...]
    tasks: tuple[dict[str, Any], ...]
    notes: tuple[dict[str, Any], ...]
    documents: tuple[dict[str, Any], ...]
    evidence: tuple[dict[str, Any], ...]
    files: tuple[bytes, ...] = ()
    notes_left_out: int = 0

    def __repr__(self) -> str:  # never print a name, a note or a file
        return f"CaseOutputData(evidence={len(self.evidence)})"


def _rules(spec: OutputSpec, kind: str, columns: Sequence[str]) -> RecordRules | None:
    return RecordRules(spec.records[kind], columns) if kind in spec.records else None


def _released(rules: RecordRules | None, rows: Sequence[dict[str, Any]]
              ) -> tuple[dict[str, Any], ...]:
    return tuple(rules.apply(r) for r in rows) if rules is not None else ()


def _evidence_rows(session: Session, case_id: int, reference: str
                   ) -> list[tuple[dict[str, Any], bytes]]:
    rows = session.execute(
        select(EvidenceItem, Document.content, Document.size, Document.sha256, User.username)
        .join(Document, Document.id == EvidenceItem.document_id)
        .outerjoin(User, User.id == EvidenceItem.added_by)
        .where(EvidenceItem.case_id == case_id)
        .order_by(EvidenceItem.evidence_on, EvidenceItem.id)).all()
    out = []
    for n, (item, content, size, sha, who) in enumerate(rows, start=1):
        ext = item.file_name[item.file_name.rfind("."):].lower() if "." in item.file_name \
            else ""
        ext = ext if ext in ALLOWED else ".bin"
        out.append(({
            "number": f"E{n:02d}", "evidence_type": item.evidence_type.replace("_", " "),
            "evidence_on": item.evidence_on, "description": item.description,
            "added_by": who or "", "sha256": sha, "size": size,
            "bundle_file": f"{reference}-E{n:02d}-{item.evidence_type}{ext}",
        }, bytes(content)))
    return out


def build(ws: Workspace, session: Session, spec: OutputSpec, case_id: int,
          recipient: str | None, bundle: bool) -> Built:
    """Select the case the user may see and release it under the protocol's rules."""
    who = named_recipient(spec, recipient)
    case = load_case(ws, session, case_id)
    parts = caseview.read_parts(session, case)
    record = {"reference": case.reference, "case_type": case.case_type,
              "status": case.status, "opened_on": case.opened_on,
              "closed_on": case.closed_on, "outcome": case.outcome,
              "risk_level": case.risk_level, "next_review_on": case.next_review_on,
              "lsoa_code": case.lsoa_code, "summary": case.summary}
    case_rules = _rules(spec, "case", CASE_COLUMNS)
    released_case = case_rules.apply(record) if case_rules else {}
    parties = _released(_rules(spec, "party", PARTY_COLUMNS), [
        {"name": p.name, "role": p.role.replace("_", " "), "date_of_birth": p.date_of_birth,
         "agency": p.agency, "ended_on": p.ended_on} for p in parts.people])
    evidence = _evidence_rows(session, case.id, case.reference)
    if bundle and not evidence:
        raise ValidationError("The case has no evidence to put in a court bundle.",
                              field="evidence")
    released_evidence = _released(_rules(spec, "evidence", EVIDENCE_COLUMNS),
                                  [e for e, _c in evidence])
    tasks = _released(_rules(spec, "task", ("title", "due_on", "completed_on")), [
        {"title": t.title, "due_on": t.due_on, "completed_on": t.completed_on}
        for t in parts.tasks])
    notes = parts.notes[:NOTES_SHOWN]
    released_notes = _released(_rules(spec, "note", ("created_at", "author", "body")), [
        {"created_at": n.created_at, "author": n.author, "body": n.body} for n in notes])
    documents = _released(_rules(spec, "document", ("title", "created_at")), [
        {"title": d.title, "created_at": d.created_at} for d in parts.documents
        if d.kind != "evidence"])
    files = tuple(c for _e, c in evidence) if bundle else ()
    data = CaseOutputData(released_case, parties, tasks if not bundle else (),
                          released_notes if not bundle else (),
                          documents if not bundle else (), released_evidence, files,
                          max(0, len(parts.notes) - NOTES_SHOWN) if not bundle else 0)
    return Built(data, who, str(case.id), {
        "case_id": case.id, "people": len(parties), "evidence": len(released_evidence),
        "files": len(files)})


def _header(release: Release, d: CaseOutputData, subtitle: str) -> list[Flowable]:
    c = d.case
    out: list[Flowable] = [*([pdf.p(release.caveat, "h2")] if release.caveat else []),
                           pdf.p(f"{release.title}: {pdf.fmt(c.get('reference'))}", "title"),
                           pdf.p(subtitle, "h2")]
    out.append(pdf.facts_table([
        ("Protective marking", release.marking), ("Copy for", release.recipient),
        ("Purpose", release.purpose), ("Lawful basis", release.lawful_basis),
        ("Sharing protocol", f"version {release.protocol_version}"),
        ("Produced", f"{release.produced_on.isoformat()} by {release.produced_by}"),
    ]))
    out.append(pdf.label("Identifiable personal data. Keep it secure, share it only as the "
                         "information-sharing protocol allows, and destroy it when no "
                         "longer needed.", "small"))
    labels = (("Case type", "case_type"), ("Status", "status"), ("Opened", "opened_on"),
              ("Closed", "closed_on"), ("Outcome", "outcome"), ("Risk", "risk_level"),
              ("Next review", "next_review_on"), ("LSOA", "lsoa_code"),
              ("Summary", "summary"))
    out.append(pdf.label("<b>The case</b>", "h1"))
    out.append(pdf.facts_table([(k, pdf.fmt(c.get(f))) for k, f in labels if f in c]))
    if d.parties:
        out.append(pdf.label("<b>People</b>", "h2"))
        out.append(pdf.grid_table(
            ["Name", "Role", "Date of birth", "Agency", "Ended"],
            [[pdf.fmt(p.get("name")), pdf.fmt(p.get("role")), pdf.fmt(p.get("date_of_birth")),
              pdf.fmt(p.get("agency")), pdf.fmt(p.get("ended_on"))] for p in d.parties],
            widths=[150, 95, 80, 90, 60]))
    return out


def _evidence_table(d: CaseOutputData, bundle: bool) -> list[Flowable]:
    out: list[Flowable] = [pdf.label("<b>Evidence</b>" if not bundle else
                                     "<b>Index of evidence</b>", "h2")]
    if not d.evidence:
        return [*out, pdf.p("No evidence is attached to this case.")]
    header = ["No.", "Kind", "Dated", "Description", "Added by"]
    rows = [[pdf.fmt(e.get("number")), pdf.fmt(e.get("evidence_type")),
             pdf.fmt(e.get("evidence_on")), pdf.fmt(e.get("description")),
             pdf.fmt(e.get("added_by"))] for e in d.evidence]
    out.append(pdf.grid_table(header, rows, widths=[35, 80, 65, 225, 70]))
    if bundle:
        out.append(pdf.label("<b>Files in this bundle</b>", "h2"))
        out.append(pdf.label("Each file is named by its item number. Its SHA-256 digest "
                             "below lets anyone check that the file is the one the council "
                             "holds, unaltered.", "small"))
        out.append(pdf.grid_table(["No.", "File", "Size", "SHA-256"], [
            [pdf.fmt(e.get("number")), pdf.fmt(e.get("bundle_file")),
             f"{int(e.get('size') or 0):,} bytes", e.get("sha256") or "-"]
            for e in d.evidence], widths=[35, 150, 70, 220]))
    return out


def summary_story(release: Release) -> list[Flowable]:
    """The case summary from the release alone."""
    d: CaseOutputData = release.data
    out = _header(release, d, "Case summary")
    open_tasks = [t for t in d.tasks if not t.get("completed_on")]
    out.append(pdf.label("<b>Open tasks</b>", "h2"))
    out.append(pdf.grid_table(["Task", "Due"], [
        [pdf.fmt(t.get("title")), pdf.fmt(t.get("due_on"))] for t in open_tasks]
        or [["None open", ""]], widths=[385, 90]))
    out += _evidence_table(d, bundle=False)
    out.append(pdf.label("<b>Documents</b>", "h2"))
    out.append(pdf.grid_table(["Document", "Created (UTC)"], [
        [pdf.fmt(x.get("title")), pdf.fmt(x.get("created_at"))] for x in d.documents]
        or [["None", ""]], widths=[355, 120]))
    out.append(pdf.label("<b>Notes</b> (newest first)", "h2"))
    out.append(pdf.grid_table(["When (UTC)", "By", "Note"], [
        [pdf.fmt(n.get("created_at")), pdf.fmt(n.get("author")), n.get("body") or "-"]
        for n in d.notes] or [["-", "", "No notes"]], widths=[85, 65, 325]))
    if d.notes_left_out:
        out.append(pdf.p(f"{d.notes_left_out} older notes are not printed here.", "small"))
    return out


def bundle_story(release: Release) -> list[Flowable]:
    """The court bundle's index from the release alone."""
    d: CaseOutputData = release.data
    out = _header(release, d, "Evidence bundle")
    out.append(PageBreak())
    out += _evidence_table(d, bundle=True)
    return out


def render_summary(release: Release, paths: Sequence[Path]) -> None:
    pdf.write_pdf(paths[0], release, summary_story(release))


def render_bundle(release: Release, paths: Sequence[Path]) -> None:
    d: CaseOutputData = release.data
    pdf.write_pdf(paths[0], release, bundle_story(release))
    for content, path in zip(d.files, paths[1:], strict=True):
        path.write_bytes(content)


def _reference(ws: Workspace, case_id: int) -> str:
    with ws.uow() as session:
        return load_case(ws, session, case_id).reference


def export_case_summary(ws: Workspace, case_id: int, out: Path,
                        recipient: str | None = None) -> ExportResult:
    """The printable case summary (one PDF at ``out``), marked and audited."""
    def run(s: Session, spec: OutputSpec, proto: Protocol) -> Built:
        del proto
        return build(ws, s, spec, case_id, recipient, bundle=False)

    return produce(ws, SUMMARY, [Path(out)], run, render_summary)


def export_court_bundle(ws: Workspace, case_id: int, out_dir: Path,
                        recipient: str | None = None) -> ExportResult:
    """The court bundle into the folder ``out_dir``: the index PDF and every evidence file,
    appearing together or not at all, audited with each file's digest."""
    out_dir = Path(out_dir)
    with ws.uow() as session:
        case = load_case(ws, session, case_id)
        names = [e["bundle_file"] for e, _c in _evidence_rows(session, case.id,
                                                              case.reference)]
        reference = case.reference
    finals = [out_dir / f"{reference}-bundle-index.pdf", *(out_dir / n for n in names)]

    def run(s: Session, spec: OutputSpec, proto: Protocol) -> Built:
        del proto
        built = build(ws, s, spec, case_id, recipient, bundle=True)
        if len(built.data.files) != len(names):
            raise ValidationError("Evidence was added or removed while the bundle was "
                                  "being made: make it again.", field="evidence")
        return built

    return produce(ws, BUNDLE, finals, run, render_bundle,
                   prepare=lambda: out_dir.mkdir(exist_ok=True))
