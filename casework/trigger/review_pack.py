"""The anonymised pack for a Community Trigger review meeting (one PDF per recipient body).

Select (a case manager whose team holds the application): the application, its complaints,
the escalation steps on the case, the latest review and its recommendations. The protocol's
``trigger_review_pack`` rules drop the applicant's identity, reasons, findings, responses
and complaint descriptions (free text), and give people per-pack tokens.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportlab.platypus import Flowable
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.core import vocabulary
from casework.core.context import Actor, Workspace
from casework.core.errors import NotFound, PermissionDenied, ValidationError
from casework.core.permissions import require_case
from casework.sharing import render_pdf as pdf
from casework.sharing.case_people import case_people, person_terms
from casework.sharing.pipeline import Built, ExportResult, Release, produce, rule_context
from casework.sharing.protocol import FieldRule, OutputSpec, Protocol
from casework.sharing.render_pdf import fmt as _fmt
from casework.sharing.rules import RecordRules
from db.models import (
    Case,
    EscalationStep,
    Person,
    TriggerApplication,
    TriggerComplaint,
    TriggerRecommendation,
    TriggerReview,
)

OUTPUT = "trigger_review_pack"
APPLICATION_COLUMNS = (
    "case_id", "reference", "applicant_person_id", "given_name", "family_name", "aliases",
    "phone", "email", "address", "postcode", "date_of_birth", "on_behalf", "received_on",
    "acknowledged_on", "threshold_met", "threshold_decided_on", "threshold_reasons",
    "risk_level", "review_meeting_on", "bodies", "findings", "applicant_response", "summary",
)
COMPLAINT_COLUMNS = ("behaviour_on", "complained_on", "agency", "hate_related",
                     "complainant_person_id", "description", "received_on")
# A complaint's day goes out as weeks before the application, even under a stored version
# from before that rule, which kept it exactly.
COMPLAINED = FieldRule("complained_on", "generalise", {"to": "weeks_before", "of": "received_on"})
STEP_COLUMNS = ("stage", "action", "taken_on", "reason")
RECOMMENDATION_COLUMNS = ("body", "recommendation", "due_on", "status")


@dataclass(frozen=True)
class ReviewPackData:
    application: dict[str, Any]
    complaints: tuple[dict[str, Any], ...]
    steps: tuple[dict[str, Any], ...]
    recommendations: tuple[dict[str, Any], ...]


def _bodies(review: TriggerReview | None) -> list[str]:
    try:
        found = json.loads(review.bodies) if review else []
    except ValueError:
        return []
    return [str(b) for b in found] if isinstance(found, list) else []


def build(session: Session, spec: OutputSpec, protocol: Protocol, actor: Actor, case_id: int,
          recipient: str, agency: str) -> Built:
    """Select the application the case manager may see, then release it."""
    del protocol
    case = session.get(Case, case_id)
    app = session.get(TriggerApplication, case_id)
    if case is None or app is None or case.case_type != "trigger":
        raise NotFound("There is no such Community Trigger application.")
    require_case(actor, case)
    review = session.scalars(select(TriggerReview).where(TriggerReview.case_id == case_id)
                             .order_by(TriggerReview.meeting_on.desc())).first()
    bodies = _bodies(review)
    if not recipient.strip():
        raise ValidationError("Name the person this copy is for.", field="recipient")
    if not spec.recipients.allows_agency(agency) or (bodies and agency not in bodies):
        raise PermissionDenied("The sharing protocol allows the review pack to go only to "
                               "the bodies taking part in the review.")
    ctx = rule_context(session)
    labels = vocabulary.Labels(session)
    principal, terms = case_people(session, case_id)
    applicant = (session.get(Person, app.applicant_person_id) if app.applicant_person_id
                 else principal)
    if applicant is not None:
        terms += person_terms(applicant)
    rules = RecordRules(spec.rules_for("application"), APPLICATION_COLUMNS, ctx)
    application = rules.apply({
        "case_id": case.id, "reference": case.reference,
        "applicant_person_id": app.applicant_person_id,
        "given_name": applicant.given_name if applicant else "",
        "family_name": applicant.family_name if applicant else "",
        "date_of_birth": applicant.date_of_birth if applicant else None,
        "on_behalf": app.on_behalf, "received_on": app.received_on,
        "acknowledged_on": app.acknowledged_on, "threshold_met": app.threshold_met,
        "threshold_decided_on": app.threshold_decided_on,
        "threshold_reasons": app.threshold_reasons, "risk_level": case.risk_level,
        "review_meeting_on": review.meeting_on if review else None,
        "bodies": labels.many(vocabulary.RECIPIENT_BODY, bodies),
        "findings": review.findings if review else "",
        "applicant_response": app.applicant_response, "summary": case.summary,
    }, terms)
    c_rules = RecordRules([COMPLAINED if r.field == COMPLAINED.field and r.rule == "keep" else r
                           for r in spec.rules_for("complaint")], COMPLAINT_COLUMNS, ctx)
    complaints = tuple(c_rules.apply({
        "behaviour_on": c.behaviour_on, "complained_on": c.complained_on,
        "received_on": app.received_on,
        "agency": labels.of(vocabulary.RECIPIENT_BODY, c.agency),
        "hate_related": c.hate_related, "complainant_person_id": c.complainant_person_id,
        "description": c.description}, terms)
        for c in session.scalars(select(TriggerComplaint).where(
            TriggerComplaint.case_id == case_id).order_by(TriggerComplaint.complained_on)))
    s_rules = RecordRules(spec.rules_for("step"), STEP_COLUMNS, ctx)
    steps = tuple(s_rules.apply({"stage": s.stage,
                                 "action": labels.of(vocabulary.ACTION_TYPE, s.action),
                                 "taken_on": s.taken_on, "reason": s.reason}, terms)
                  for s in session.scalars(select(EscalationStep).where(
                      EscalationStep.case_id == case_id).order_by(EscalationStep.taken_on)))
    r_rules = RecordRules(spec.rules_for("recommendation"), RECOMMENDATION_COLUMNS, ctx)
    recs = tuple(r_rules.apply({
        "body": labels.of(vocabulary.RECIPIENT_BODY, r.body), "recommendation": r.recommendation,
        "due_on": r.due_on, "status": "done" if r.completed_on else "open"}, terms)
        for r in session.scalars(select(TriggerRecommendation).where(
            TriggerRecommendation.case_id == case_id).order_by(TriggerRecommendation.order)))
    who = f"{recipient.strip()} ({labels.of(vocabulary.RECIPIENT_BODY, agency)})"
    return Built(ReviewPackData(application, complaints, steps, recs), who, str(case_id),
                 {"case_id": case_id, "complaints": len(complaints)})


def story(release: Release) -> list[Flowable]:
    """The review pack from the release alone."""
    d: ReviewPackData = release.data
    a = d.application
    out: list[Flowable] = pdf.header_block(
        release, f"Community Trigger review, {_fmt(a.get('review_meeting_on'))}")
    out.append(pdf.label("<b>Agenda</b>", "h1"))
    out.append(pdf.grid_table(["No.", "Item"], [
        ["1", "The application and the threshold decision"],
        ["2", "Complaints and the response so far"],
        ["3", "Findings of the relevant bodies"],
        ["4", "Recommendations, each to a body with a due date"],
    ], widths=[30, 445]))
    out.append(pdf.p(f"{_fmt(a.get('application'))}: {_fmt(a.get('applicant'))}", "h1"))
    out.append(pdf.facts_table([(k, _fmt(a.get(f))) for k, f in (
        ("Applicant age band", "age_band"), ("Made on the victim's behalf", "on_behalf"),
        ("Received", "received_on"), ("Acknowledged", "acknowledged_on"),
        ("Threshold met", "threshold_met"), ("Threshold decided", "threshold_decided_on"),
        ("Risk", "risk_level"), ("Bodies taking part", "bodies"),
    ) if f in a]))
    out.append(pdf.label("<b>Complaints</b>", "h2"))
    out.append(pdf.grid_table(
        ["Behaviour (month)", "Complained (before the application)", "To", "Hate-related",
         "By"],
        [[_fmt(c.get("behaviour_on")), _fmt(c.get("complained_on")), _fmt(c.get("agency")),
          _fmt(c.get("hate_related")), _fmt(c.get("complainant"))] for c in d.complaints]
        or [["-", "", "", "", ""]], widths=[85, 115, 90, 70, 115]))
    out.append(pdf.label("<b>Escalation steps taken</b>", "h2"))
    out.append(pdf.grid_table(
        ["Stage", "Action", "Month"],
        [[_fmt(s.get("stage")), _fmt(s.get("action")), _fmt(s.get("taken_on"))]
         for s in d.steps] or [["-", "None recorded on this case", ""]],
        widths=[60, 290, 125]))
    out.append(pdf.label("<b>Recommendations</b>", "h2"))
    out.append(pdf.grid_table(
        ["To", "Recommendation", "Due", "Status"],
        [[_fmt(r.get("body")), r.get("recommendation") or "(wording held by the council)",
          _fmt(r.get("due_on")), _fmt(r.get("status"))] for r in d.recommendations]
        or [["-", "None yet", "", ""]], widths=[80, 265, 70, 60]))
    return out


def render(release: Release, paths: Sequence[Path]) -> None:
    pdf.write_pdf(paths[0], release, story(release))


def export_review_pack(ws: Workspace, case_id: int, recipient: str, agency: str,
                       out: Path) -> ExportResult:
    """The anonymised Community Trigger review pack for one recipient body (audited)."""
    actor = ws.actor
    return produce(ws, OUTPUT, [Path(out)],
                   lambda s, spec, proto: build(s, spec, proto, actor, case_id, recipient,
                                                agency), render)
