"""The anonymised meeting pack for a SWIP or MART panel meeting (one PDF per recipient).

Select (the chair's panel only): the meeting, its agenda items, each referral's case,
referral, MART/NRM details, its principal person (only so that their identifiers can be
scrubbed from shareable text), open actions and earlier minutes. Every record then goes
through the protocol's ``meeting_pack`` field rules: names, aliases, addresses, contact
details, dates of birth and unmarked free text are dropped; people and referrals get
per-pack tokens. The renderer sees only the released records.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from reportlab.platypus import Flowable, PageBreak, Spacer
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.core import vocabulary
from casework.core.context import Actor, Workspace
from casework.core.errors import NotFound, PermissionDenied, ValidationError
from casework.core.permissions import require, require_case
from casework.sharing import render_pdf as pdf
from casework.sharing.case_people import case_people
from casework.sharing.pipeline import Built, ExportResult, Release, produce, rule_context
from casework.sharing.protocol import FieldRule, OutputSpec, Protocol
from casework.sharing.render_pdf import fmt
from casework.sharing.rules import RecordRules, RuleContext
from db.models import (
    Case,
    MartDetail,
    Meeting,
    MeetingAttendance,
    MeetingItem,
    NrmDecision,
    Panel,
    PanelAction,
    Referral,
    UglyMugLink,
    UglyMugReport,
)

OUTPUT = "meeting_pack"
REFERRAL_COLUMNS = (
    "case_id", "reference", "person_id", "given_name", "family_name", "aliases", "phone",
    "email", "address", "postcode", "date_of_birth", "gender", "case_type", "agenda_reason",
    "risk_level", "consent", "needs", "agencies_engaged", "location_concern", "referrer_name",
    "referrer_agency", "referred_on", "opened_on", "lsoa_code", "summary", "exploitation_type",
    "is_child", "nationality", "nrm_status", "ugly_mug_reports",
)
ACTION_COLUMNS = ("agency", "owner", "description", "shareable", "due_on", "status")
PROGRESS_COLUMNS = ("meeting_on", "progress", "decision", "progress_shareable")
MEETING_COLUMNS = ("panel_name", "panel_kind", "scheduled_on", "starts_at", "location")
ATTENDANCE_COLUMNS = ("attendee", "agency", "role", "present")
UGLY_MUG_COLUMNS = ("report_id", "code", "reported_on", "lsoa_code", "description",
                    "referrals")
EARLIER_MINUTES = 3
AGENDA_REASONS = {"new": "new referral", "review_due": "review due",
                  "actions_outstanding": "actions outstanding", "added": "added by the chair"}
ROLES = {"chair": "Chair", "member": "Panel member", "guest": "Guest"}
# What a protocol version written before these records existed releases of them: coded
# values only (no names, no free text, the month and the MSOA).
FALLBACK_RULES = {
    "attendance": (FieldRule("agency", "keep"), FieldRule("role", "keep"),
                   FieldRule("present", "keep")),
    "ugly_mug": (FieldRule("report_id", "pseudonymise",
                           {"prefix": "Report", "style": "number", "as": "report"}),
                 FieldRule("code", "keep"),
                 FieldRule("reported_on", "generalise", {"to": "month"}),
                 FieldRule("lsoa_code", "generalise", {"to": "msoa", "as": "area"}),
                 FieldRule("referrals", "keep")),
}


@dataclass(frozen=True)
class ReleasedItem:
    """One agenda item as released: the referral, its actions and its progress; which
    actions were raised at this meeting, and this meeting's minute (for the minutes)."""

    referral: dict[str, Any]
    actions: tuple[dict[str, Any], ...]
    progress: tuple[dict[str, Any], ...]
    raised_here: tuple[bool, ...] = ()
    minute: dict[str, Any] | None = None


@dataclass(frozen=True)
class PackData:
    meeting: dict[str, Any]
    items: tuple[ReleasedItem, ...]
    attendance: tuple[dict[str, Any], ...] = ()
    apologies: tuple[dict[str, Any], ...] = ()
    ugly_mugs: tuple[dict[str, Any], ...] = ()


def _rules(spec: OutputSpec, kind: str) -> tuple[FieldRule, ...]:
    try:
        return spec.rules_for(kind)
    except ValidationError:
        return FALLBACK_RULES[kind]


def _codes(text: str) -> list[str]:
    try:
        values = json.loads(text or "[]")
    except ValueError:
        return ["other"] if text else []
    return [str(v) for v in values] if isinstance(values, list) else []


def _nrm_status(mart: MartDetail | None, decisions: Sequence[NrmDecision]) -> str:
    if mart is None:
        return ""
    parts = [f"referred to the NRM {mart.nrm_referred_on:%B %Y}" if mart.nrm_referred
             and mart.nrm_referred_on else "referred to the NRM" if mart.nrm_referred
             else "not referred to the NRM"]
    if mart.duty_to_notify:
        parts.append("Duty to Notify report made")
    for d in decisions:
        kind = d.kind.replace("_", " ")
        parts.append(f"{kind} decision {'positive' if d.positive else 'negative'} "
                     f"({d.decided_on:%B %Y})")
    return "; ".join(parts)


def _status(action: PanelAction, on: date) -> str:
    if action.completed_on is not None:
        return "done"
    return "overdue" if action.due_on < on else "open"


def _referral_record(session: Session, case: Case, item: MeetingItem,
                     labels: vocabulary.Labels) -> tuple[dict[str, Any], list[str]]:
    """The referral as coded values: agencies, needs and exploitation type print as their
    vocabulary labels, and anything that is not a known code prints as "Other"."""
    referral = session.get(Referral, case.id)
    mart = session.get(MartDetail, case.id)
    decisions = session.scalars(select(NrmDecision).where(NrmDecision.case_id == case.id)
                                .order_by(NrmDecision.decided_on)).all()
    person, terms = case_people(session, case.id)
    if referral is not None and referral.referrer_name:
        terms.append(referral.referrer_name)
    mugs = len(session.scalars(select(UglyMugLink.id)
                               .where(UglyMugLink.case_id == case.id)).all())
    record: dict[str, Any] = {
        "case_id": case.id, "reference": case.reference,
        "person_id": person.id if person else None,
        "given_name": person.given_name if person else "",
        "family_name": person.family_name if person else "",
        "aliases": [a.alias for a in person.aliases] if person else [],
        "phone": person.phone if person else "", "email": person.email if person else "",
        "date_of_birth": person.date_of_birth if person else None,
        "gender": person.gender if person else None,
        "case_type": case.case_type.upper(),
        "agenda_reason": AGENDA_REASONS.get(item.reason, "review"),
        "risk_level": case.risk_level, "lsoa_code": case.lsoa_code, "summary": case.summary,
        "opened_on": case.opened_on, "ugly_mug_reports": mugs,
        "consent": referral.consent if referral else "",
        "needs": labels.many(vocabulary.NEED, _codes(referral.needs)) if referral else "",
        "agencies_engaged": labels.many(vocabulary.AGENCY, _codes(referral.agencies_engaged))
        if referral else "",
        "location_concern": referral.location_concern if referral else False,
        "referrer_name": referral.referrer_name if referral else "",
        "referrer_agency": labels.of(vocabulary.AGENCY, referral.referrer_agency)
        if referral else "",
        "referred_on": referral.referred_on if referral else None,
        "exploitation_type": labels.of(vocabulary.EXPLOITATION_TYPE, mart.exploitation_type)
        if mart else None,
        "is_child": mart.is_child if mart else None,
        "nationality": mart.nationality if mart else None,
        "nrm_status": _nrm_status(mart, decisions),
    }
    return record, terms


def recipient_of_meeting(session: Session, spec: OutputSpec, meeting_id: int,
                         recipient: str) -> str:
    """The attendee this copy is for, as 'Name (Agency)'; refused unless the protocol
    allows that attendee's agency."""
    wanted = recipient.strip().casefold()
    for a in session.scalars(select(MeetingAttendance)
                             .where(MeetingAttendance.meeting_id == meeting_id)):
        if a.attendee.strip().casefold() == wanted:
            if not spec.recipients.allows_agency(a.agency):
                raise PermissionDenied("The sharing protocol does not allow that agency to "
                                       "receive the pack.")
            agency = vocabulary.Labels(session).of(vocabulary.AGENCY, a.agency) \
                if a.agency else ""
            if agency == vocabulary.OTHER_LABEL and a.agency != vocabulary.OTHER:
                agency = a.agency  # recorded before agencies were coded: as written
            return f"{a.attendee} ({agency})" if agency else a.attendee
    raise ValidationError("Each copy of the pack is for someone on the meeting's attendance "
                          "list: record them first.", field="recipient")


def attendees(ws: Workspace, meeting_id: int, present_only: bool = False) -> list[str]:
    """The names on a meeting's attendance list (for one copy each; ``present_only``
    leaves out apologies): the panel's chair only, like the pack itself."""
    # Before any read: on a team server a role without meetings may not read the table.
    require(ws.actor, "export.pack")
    with ws.uow() as session:
        meeting = session.get(Meeting, meeting_id)
        if meeting is None:
            raise NotFound("There is no such meeting.")
        _check_chair(ws.actor, meeting)
        stmt = select(MeetingAttendance.attendee).where(
            MeetingAttendance.meeting_id == meeting_id)
        if present_only:
            stmt = stmt.where(MeetingAttendance.present.is_(True))
        return list(session.scalars(stmt.order_by(MeetingAttendance.id)))


def _check_chair(actor: Actor, meeting: Meeting) -> None:
    if actor.role != "system" and meeting.panel_id not in actor.chair_panel_ids:
        raise PermissionDenied("Only the chair of this panel can produce its meeting pack.")


def build(session: Session, spec: OutputSpec, protocol: Protocol, actor: Actor,
          meeting_id: int, recipient: str) -> Built:
    """Select what the chair may see, then release it through the field rules."""
    del protocol
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound("There is no such meeting.")
    _check_chair(actor, meeting)
    who = recipient_of_meeting(session, spec, meeting_id, recipient)
    panel = session.get(Panel, meeting.panel_id)
    ctx: RuleContext = rule_context(session)
    labels = vocabulary.Labels(session)
    meeting_rules = RecordRules(spec.rules_for("meeting"), MEETING_COLUMNS, ctx)
    referral_rules = RecordRules(spec.rules_for("referral"), REFERRAL_COLUMNS, ctx)
    action_rules = RecordRules(spec.rules_for("action"), ACTION_COLUMNS, ctx)
    progress_rules = RecordRules(spec.rules_for("progress"), PROGRESS_COLUMNS, ctx)
    items = session.scalars(select(MeetingItem).where(MeetingItem.meeting_id == meeting_id,
                                                      MeetingItem.removed.is_(False))
                            .order_by(MeetingItem.order, MeetingItem.id)).all()
    gathered = []
    meeting_terms: list[str] = []
    for item in items:
        case = session.get(Case, item.case_id)
        if case is None:
            continue
        require_case(actor, case)
        record, terms = _referral_record(session, case, item, labels)
        meeting_terms += terms
        actions = session.scalars(
            select(PanelAction).where(PanelAction.case_id == case.id)
            .where((PanelAction.completed_on.is_(None)) | (PanelAction.meeting_id == meeting_id))
            .order_by(PanelAction.due_on, PanelAction.id)).all()
        minutes = session.execute(
            select(Meeting.scheduled_on, MeetingItem.progress, MeetingItem.decision,
                   MeetingItem.progress_shareable)
            .join(Meeting, Meeting.id == MeetingItem.meeting_id)
            .where(MeetingItem.case_id == case.id, Meeting.scheduled_on <= meeting.scheduled_on,
                   Meeting.panel_id == meeting.panel_id, MeetingItem.progress != "")
            .order_by(Meeting.scheduled_on.desc()).limit(EARLIER_MINUTES)).all()
        gathered.append((record, actions, minutes, item))
    # Shareable text about one referral may name someone on another: every person on the
    # meeting's agenda is scrubbed from every item.
    released: list[ReleasedItem] = []
    tokens: dict[int, str] = {}
    for record, actions, minutes, item in gathered:
        referral = referral_rules.apply(record, meeting_terms)
        tokens[int(record["case_id"])] = str(referral.get("referral") or "")
        this = ({"meeting_on": meeting.scheduled_on, "progress": item.progress,
                 "decision": item.decision, "progress_shareable": item.progress_shareable}
                if item.discussed else None)
        released.append(ReleasedItem(
            referral=referral,
            actions=tuple(action_rules.apply({
                "agency": labels.of(vocabulary.AGENCY, a.agency), "owner": a.owner,
                "description": a.description, "shareable": a.shareable, "due_on": a.due_on,
                "status": _status(a, meeting.scheduled_on)}, meeting_terms) for a in actions),
            progress=tuple(progress_rules.apply({
                "meeting_on": m[0], "progress": m[1], "decision": m[2],
                "progress_shareable": m[3]}, meeting_terms) for m in minutes),
            raised_here=tuple(a.meeting_id == meeting_id for a in actions),
            minute=progress_rules.apply(this, meeting_terms) if this else None,
        ))
    attendance_rules = RecordRules(_rules(spec, "attendance"), ATTENDANCE_COLUMNS, ctx)
    present: list[dict[str, Any]] = []
    apologies: list[dict[str, Any]] = []
    for a in session.scalars(select(MeetingAttendance)
                             .where(MeetingAttendance.meeting_id == meeting_id)
                             .order_by(MeetingAttendance.role != "chair",
                                       MeetingAttendance.role == "guest",
                                       MeetingAttendance.id)):
        row = attendance_rules.apply({
            "attendee": a.attendee, "agency": labels.of(vocabulary.AGENCY, a.agency),
            "role": ROLES.get(a.role, "Panel member"), "present": a.present})
        (present if a.present else apologies).append(row)
    mug_rules = RecordRules(_rules(spec, "ugly_mug"), UGLY_MUG_COLUMNS, ctx)
    mugs = []
    for r in _meeting_ugly_mugs(session, meeting, list(tokens)):
        linked = session.scalars(select(UglyMugLink.case_id)
                                 .where(UglyMugLink.report_id == r.id)).all()
        on_agenda = sorted((tokens[c] for c in linked if c in tokens),
                           key=lambda t: (len(t), t))
        others = len([c for c in linked if c not in tokens])
        refs = ", ".join(on_agenda + ([f"{others} not on this agenda"] if others else []))
        mugs.append(mug_rules.apply({
            "report_id": r.id, "code": labels.of(vocabulary.DANGEROUS_INDIVIDUAL, r.code),
            "reported_on": r.reported_on, "lsoa_code": r.lsoa_code,
            "description": r.description, "referrals": refs or "none"}))
    meeting_record = meeting_rules.apply({
        "panel_name": panel.name if panel else "", "panel_kind": panel.kind if panel else "",
        "scheduled_on": meeting.scheduled_on, "starts_at": meeting.starts_at,
        "location": meeting.location})
    return Built(PackData(meeting_record, tuple(released), tuple(present), tuple(apologies),
                          tuple(mugs)), who, str(meeting_id),
                 {"meeting_id": meeting_id, "referrals": len(released),
                  "attendance": len(present), "apologies": len(apologies),
                  "ugly_mug_reports": len(mugs)})


def _meeting_ugly_mugs(session: Session, meeting: Meeting,
                       case_ids: list[int]) -> list[UglyMugReport]:
    """The panel's reports linked to a referral on the agenda, or made since the last
    meeting (up to this one's date)."""
    since = session.scalar(select(Meeting.scheduled_on).where(
        Meeting.panel_id == meeting.panel_id, Meeting.scheduled_on < meeting.scheduled_on)
        .order_by(Meeting.scheduled_on.desc()).limit(1))
    linked = select(UglyMugLink.report_id).where(UglyMugLink.case_id.in_(case_ids or [0]))
    recent = UglyMugReport.reported_on > since if since is not None else True
    return list(session.scalars(
        select(UglyMugReport).where(UglyMugReport.panel_id == meeting.panel_id,
                                    UglyMugReport.reported_on <= meeting.scheduled_on)
        .where(UglyMugReport.id.in_(linked) | recent)
        .order_by(UglyMugReport.reported_on, UglyMugReport.id)))


def _item_story(n: int, item: ReleasedItem) -> list[Flowable]:
    r = item.referral
    title = f"{n}. {fmt(r.get('referral'))}: {fmt(r.get('person'))}"
    facts = [(k, fmt(r.get(f))) for k, f in (
        ("Case type", "case_type"), ("On the agenda because", "agenda_reason"),
        ("Risk", "risk_level"), ("Age band", "age_band"), ("Gender", "gender"),
        ("Consent", "consent"), ("Needs", "needs"), ("Agencies engaged", "agencies_engaged"),
        ("Referred by (agency)", "referrer_agency"), ("Referred (month)", "referred_on"),
        ("Location concern", "location_concern"), ("Ugly-mug reports linked", "ugly_mug_reports"),
    ) if f in r]
    if r.get("exploitation_type"):
        facts += [("Exploitation type", fmt(r.get("exploitation_type"))),
                  ("Child", fmt(r.get("is_child"))), ("NRM", fmt(r.get("nrm_status")))]
    story: list[Flowable] = [pdf.p(title, "h1"), pdf.facts_table(facts), Spacer(1, 3)]
    story.append(pdf.label("<b>Actions</b>", "h2"))
    if item.actions:
        story.append(pdf.grid_table(
            ["Agency", "Action", "Due", "Status"],
            [[fmt(a.get("agency")),
              a.get("description") or "(recorded; not marked shareable)",
              fmt(a.get("due_on")), fmt(a.get("status"))] for a in item.actions],
            widths=[95, 250, 70, 60]))
    else:
        story.append(pdf.label("No open actions.", "small"))
    story.append(pdf.label("<b>Progress</b>", "h2"))
    if item.progress:
        story.append(pdf.grid_table(
            ["Meeting", "Progress", "Decision"],
            [[fmt(m.get("meeting_on")), m.get("progress") or "(minuted; not marked shareable)",
              m.get("decision") or ("-" if "decision" in m else "")]
             for m in item.progress], widths=[70, 255, 150]))
    else:
        story.append(pdf.label("No earlier minutes.", "small"))
    return story


def story(release: Release) -> list[Flowable]:
    """The whole pack from the release alone."""
    data: PackData = release.data
    m = data.meeting
    out: list[Flowable] = pdf.header_block(release, meeting_subtitle(m))
    out.append(pdf.label("<b>Agenda</b>", "h1"))
    out.append(pdf.grid_table(
        ["No.", "Referral", "Person", "Type", "Risk", "Reason"],
        [[str(i), fmt(it.referral.get("referral")), fmt(it.referral.get("person")),
          fmt(it.referral.get("case_type")), fmt(it.referral.get("risk_level")),
          fmt(it.referral.get("agenda_reason"))] for i, it in enumerate(data.items, 1)]
        or [["-", "No referrals on the agenda", "", "", "", ""]],
        widths=[30, 80, 70, 60, 60, 175]))
    out.append(pdf.label("Referral and person tokens (\"Referral 3\", \"Person B\") belong to "
                         "this pack only and cannot be matched to any other output.", "small"))
    out.extend(attendance_story(data))
    out.extend(ugly_mug_story(data))
    for n, item in enumerate(data.items, 1):
        out.append(PageBreak() if n == 1 else Spacer(1, 8))
        out.extend(_item_story(n, item))
    return out


def meeting_subtitle(m: dict[str, Any]) -> str:
    """ "SWIP Panel meeting, 1 December 2026 at 10:00" from the released meeting record."""
    at = f" at {m['starts_at']}" if m.get("starts_at") else ""
    return f"{fmt(m.get('panel_name'))} meeting, {fmt(m.get('scheduled_on'))}{at}"


def _who(rows: Sequence[dict[str, Any]]) -> list[list[str]]:
    return [[fmt(r.get("attendee")) if "attendee" in r else fmt(r.get("role")),
             fmt(r.get("agency"))] + ([fmt(r.get("role"))] if "attendee" in r else [])
            for r in rows]


def attendance_story(data: PackData) -> list[Flowable]:
    """Who attended and who sent apologies, as the protocol releases them (by default
    their role and coded agency, no names)."""
    named = any("attendee" in r for r in (*data.attendance, *data.apologies))
    header = ["Name", "Agency", "Role"] if named else ["Role", "Agency"]
    widths = [170, 200, 105] if named else [150, 325]
    out: list[Flowable] = [Spacer(1, 6), pdf.label("<b>Attendance</b>", "h1")]
    out.append(pdf.grid_table(header, _who(data.attendance)
                              or [["No attendance recorded"] + [""] * (len(header) - 1)],
                              widths=widths))
    out.append(pdf.label("<b>Apologies</b>", "h2"))
    if data.apologies:
        out.append(pdf.grid_table(header, _who(data.apologies), widths=widths))
    else:
        out.append(pdf.label("No apologies recorded.", "small"))
    return out


def ugly_mug_story(data: PackData) -> list[Flowable]:
    """Dangerous-individual reports in anonymised form: code, month, area, referrals."""
    out: list[Flowable] = [Spacer(1, 6),
                           pdf.label("<b>Ugly-mug / dangerous-individual reports</b>", "h1")]
    if not data.ugly_mugs:
        out.append(pdf.label("No reports linked to this agenda or made since the last "
                             "meeting.", "small"))
        return out
    out.append(pdf.grid_table(
        ["Report", "What was reported", "Month", "Area (MSOA)", "Referrals"],
        [[fmt(r.get("report")), fmt(r.get("code")), fmt(r.get("reported_on")),
          fmt(r.get("area")), fmt(r.get("referrals"))] for r in data.ugly_mugs],
        widths=[55, 140, 70, 80, 130]))
    return out


def render(release: Release, paths: Sequence[Path]) -> None:
    pdf.write_pdf(paths[0], release, story(release))


def export_pack(ws: Workspace, meeting_id: int, recipient: str, out: Path) -> ExportResult:
    """The anonymised pack of a panel meeting for one attendee, as a PDF (audited)."""
    actor = ws.actor
    return produce(ws, OUTPUT, [Path(out)],
                   lambda s, spec, proto: build(s, spec, proto, actor, meeting_id, recipient),
                   render)
