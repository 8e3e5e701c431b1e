"""The minutes of a held panel meeting: attendance and apologies, then per referral the
progress and decision minuted and the actions agreed. An anonymised document under the
meeting pack's protocol entry (same recipients, field rules and marking), one stamped PDF
per attendee, produced through the sharing pipeline and audited."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

from reportlab.platypus import Flowable, Spacer
from sqlalchemy.orm import Session

from casework.core.context import Workspace
from casework.core.errors import ValidationError
from casework.panels import pack
from casework.sharing import render_pdf as pdf
from casework.sharing.pipeline import Built, ExportResult, Release, produce
from casework.sharing.protocol import OutputSpec, Protocol
from casework.sharing.render_pdf import fmt
from db.models import Meeting

TITLE = "Panel meeting minutes (anonymised)"


def _item(n: int, item: pack.ReleasedItem) -> list[Flowable]:
    r = item.referral
    out: list[Flowable] = [pdf.p(f"{n}. {fmt(r.get('referral'))}: {fmt(r.get('person'))} "
                                 f"({fmt(r.get('case_type'))}, risk {fmt(r.get('risk_level'))})",
                                 "h2")]
    m = item.minute
    if m is not None:
        out.append(pdf.facts_table([
            ("Progress", m.get("progress") or "(minuted; not marked shareable)"),
            ("Decision", m.get("decision") or ("(recorded; not marked shareable)"
                                               if "decision" in m else
                                               "(not released by this protocol version)")),
        ]))
    raised = [a for a, here in zip(item.actions, item.raised_here, strict=True) if here]
    if raised:
        out.append(pdf.grid_table(
            ["Agency", "Action agreed", "Due"],
            [[fmt(a.get("agency")), a.get("description") or "(recorded; not marked "
              "shareable)", fmt(a.get("due_on"))] for a in raised], widths=[110, 285, 80]))
    else:
        out.append(pdf.label("No actions agreed.", "small"))
    out.append(Spacer(1, 6))
    return out


def story(release: Release) -> list[Flowable]:
    """The minutes from the release alone."""
    data: pack.PackData = release.data
    out: list[Flowable] = pdf.header_block(release, pack.meeting_subtitle(data.meeting))
    out.extend(pack.attendance_story(data))
    out.append(Spacer(1, 6))
    out.append(pdf.label("<b>Decisions and actions, by referral</b>", "h1"))
    if not data.items:
        out.append(pdf.label("No referrals were on the agenda.", "small"))
    for n, item in enumerate(data.items, 1):
        if item.minute is not None:
            out.extend(_item(n, item))
    skipped = [f"{n}. {fmt(i.referral.get('referral'))}" for n, i in enumerate(data.items, 1)
               if i.minute is None]
    if skipped:
        out.append(pdf.label("<b>On the agenda, not discussed</b>", "h2"))
        out.append(pdf.p(", ".join(skipped), "small"))
    out.append(pdf.label("Tokens (\"Referral 3\", \"Person B\") belong to this copy only.",
                         "small"))
    return out


def render(release: Release, paths: Sequence[Path]) -> None:
    titled = dataclasses.replace(release, title=TITLE)
    pdf.write_pdf(paths[0], titled, story(titled))


def export_minutes(ws: Workspace, meeting_id: int, recipient: str, out: Path) -> ExportResult:
    """The anonymised minutes of a held meeting for one attendee, as a PDF (audited)."""
    actor = ws.actor

    def build(session: Session, spec: OutputSpec, proto: Protocol) -> Built:
        meeting = session.get(Meeting, meeting_id)
        if meeting is not None and not meeting.held:
            raise ValidationError("Minute the meeting first: the minutes follow the "
                                  "meeting.", field="meeting_id")
        built: Built = pack.build(session, spec, proto, actor, meeting_id, recipient)
        return dataclasses.replace(built, facts={**built.facts, "document": "minutes"})

    return produce(ws, pack.OUTPUT, [Path(out)], build, render)


def _safe(name: str) -> str:
    kept = "".join(c if c.isalnum() else "-" for c in name.strip().lower())
    return "-".join(p for p in kept.split("-") if p)[:40] or "copy"


def export_copies(ws: Workspace, meeting_id: int, folder: Path, document: str = "pack",
                  on: str = "") -> list[ExportResult]:
    """One stamped copy of the pack (``document="pack"``) or the minutes for every
    attendee present, written into ``folder`` (each copy audited)."""
    names = pack.attendees(ws, meeting_id, present_only=True)
    if not names:
        raise ValidationError("Record who attends first: each copy is for an attendee.",
                              field="recipient")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    fn = pack.export_pack if document == "pack" else export_minutes
    stem = "meeting-pack" if document == "pack" else "meeting-minutes"
    return [fn(ws, meeting_id, who, folder / f"{stem}{on}-{n:02d}-{_safe(who)}.pdf")
            for n, who in enumerate(names, 1)]
