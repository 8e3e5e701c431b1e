"""Community Trigger review stage: the meeting, recommendations, outcome letter, the
applicant's response and the appeal. Application and threshold live in ``trigger``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.cases.letters import LetterDraft, letter_date
from casework.cases.lifecycle import add_task, complete_tasks, complete_with_task
from casework.cases.workflow import check_date, milestone_letter
from casework.core import audit, clock
from casework.core.context import Workspace
from casework.core.errors import NotFound, ValidationError
from casework.core.permissions import require
from casework.trigger.applications import (
    APPEAL_OUTCOMES,
    LETTER_OUTCOME,
    TASK_OUTCOME,
    TASK_RECOMMENDATION,
    RecommendationView,
    ReviewView,
    TriggerView,
    load_application,
    preview_milestone,
    trigger_view,
)
from db.models import TriggerApplication, TriggerRecommendation, TriggerReview
from db.models.trigger import TRIGGER_BODIES

BODY_NAMES = {"council": "council", "police": "police", "icb": "integrated care board",
              "housing_provider": "housing provider", "other": "partner agency"}
APPEAL_ROUTE = ("Tell us if you wish to appeal and it will be considered through the "
                "Police and Crime Commissioner's route.")


def record_review(ws: Workspace, case_id: int, meeting_on: date, bodies: Sequence[str],
                  findings: str) -> ReviewView:
    """The review meeting of the relevant bodies and its findings (threshold must be met)."""
    require(ws.actor, "case.write")
    unknown = set(bodies) - set(TRIGGER_BODIES)
    if not bodies or unknown:
        raise ValidationError(f"Bodies must be some of: {', '.join(TRIGGER_BODIES)}.",
                              field="bodies")
    if not findings.strip():
        raise ValidationError("Record the review's findings.", field="findings")
    with ws.uow() as session:
        _case, app = load_application(ws, session, case_id)
        if app.threshold_met is not True:
            raise ValidationError("A review is held only once the threshold is met.",
                                  field="threshold_met")
        check_date(meeting_on, app.received_on, "meeting_on")
        review = TriggerReview(case_id=case_id, meeting_on=meeting_on,
                               bodies=json.dumps(sorted(set(bodies))), findings=findings.strip())
        session.add(review)
        session.flush()
        audit.record(ws, session, "trigger.review", "case", case_id,
                     detail={"review": review.id, "bodies": len(set(bodies))})
        return ReviewView(review.id, meeting_on, tuple(sorted(set(bodies))), review.findings)


def add_recommendation(ws: Workspace, case_id: int, body: str, recommendation: str,
                       due_on: date) -> RecommendationView:
    """A recommendation addressed to one body with a due date (a dated task)."""
    require(ws.actor, "case.write")
    if body not in TRIGGER_BODIES:
        raise ValidationError(f"The body must be one of: {', '.join(TRIGGER_BODIES)}.",
                              field="body")
    if not recommendation.strip():
        raise ValidationError("The recommendation is empty.", field="recommendation")
    with ws.uow() as session:
        case, _app_row = load_application(ws, session, case_id)
        last = session.scalar(select(TriggerReview.meeting_on).where(
            TriggerReview.case_id == case_id).order_by(TriggerReview.meeting_on.desc()).limit(1))
        if last is None:
            raise ValidationError("Record the review before its recommendations.",
                                  field="review")
        if due_on < last:
            raise ValidationError("The due date is before the review.", field="due_on")
        order = len(session.scalars(select(TriggerRecommendation.id).where(
            TriggerRecommendation.case_id == case_id)).all())
        task = add_task(session, case, TASK_RECOMMENDATION,
                        f"Recommendation to {body} due", due_on)
        rec = TriggerRecommendation(case_id=case_id, body=body,
                                    recommendation=recommendation.strip(), due_on=due_on,
                                    order=order + 1, task_id=task.id)
        session.add(rec)
        session.flush()
        audit.record(ws, session, "trigger.recommendation", "case", case_id,
                     detail={"recommendation": rec.id, "body": body})
        return RecommendationView(rec.id, body, rec.recommendation, due_on, None)


def complete_recommendation(ws: Workspace, recommendation_id: int,
                            on: date | None = None) -> RecommendationView:
    """The body reports the recommendation done (its task is completed)."""
    require(ws.actor, "case.write")
    on = on or clock.today()
    with ws.uow() as session:
        rec = session.get(TriggerRecommendation, recommendation_id)
        if rec is None:
            raise NotFound("No such recommendation.")
        load_application(ws, session, rec.case_id)
        complete_with_task(session, rec, on, "recommendation")
        audit.record(ws, session, "trigger.recommendation_done", "case", rec.case_id,
                     detail={"recommendation": rec.id})
        return RecommendationView(rec.id, rec.body, rec.recommendation, rec.due_on, on)


def _outcome_fields(session: Session, app: TriggerApplication,
                    on: date) -> dict[str, str]:
    """The outcome letter's fields, after its checks: the threshold met, a review held,
    the letter not already sent, and dated on or after the application."""
    case_id = app.case_id
    if app.threshold_met is not True:
        raise ValidationError("The outcome letter follows a review; the threshold is "
                              "not met or not decided.", field="threshold_met")
    review = session.scalar(select(TriggerReview).where(TriggerReview.case_id == case_id)
                            .order_by(TriggerReview.meeting_on.desc()).limit(1))
    if review is None:
        raise ValidationError("Record the review before the outcome letter.", field="review")
    if app.outcome_letter_on is not None:
        raise ValidationError("The outcome letter was already sent on "
                              f"{letter_date(app.outcome_letter_on)}.",
                              field="outcome_letter_on")
    if on < review.meeting_on:
        raise ValidationError("The outcome letter is dated before the review meeting.",
                              field="outcome_letter_on")
    check_date(on, app.received_on, "outcome_letter_on")
    recs = session.scalars(select(TriggerRecommendation).where(
        TriggerRecommendation.case_id == case_id).order_by(TriggerRecommendation.order))
    listed = [f"{r.order}. To the {BODY_NAMES.get(r.body, r.body)}, by "
              f"{letter_date(r.due_on)}: {r.recommendation}" for r in recs]
    return {
        "meeting_on": letter_date(review.meeting_on),
        "findings": review.findings,
        "recommendations": "\n".join(listed) or "The review made no recommendations.",
        "appeal_route": APPEAL_ROUTE,
    }


def preview_outcome(ws: Workspace, case_id: int, on: date | None = None) -> LetterDraft:
    """The outcome letter as ``send_outcome`` would issue it, not kept (audited
    ``letter.preview``)."""
    on = on or clock.today()
    return preview_milestone(ws, case_id, LETTER_OUTCOME, on,
                             lambda session, app: _outcome_fields(session, app, on))


def send_outcome(ws: Workspace, case_id: int, on: date | None = None) -> TriggerView:
    """Record the outcome letter (completes the outcome task) and produce it."""
    require(ws.actor, "case.write")
    on = on or clock.today()
    with ws.uow() as session:
        case, app = load_application(ws, session, case_id)
        fields = _outcome_fields(session, app, on)
        app.outcome_letter_on = on
        complete_tasks(session, case_id, TASK_OUTCOME, on)
        audit.record(ws, session, "trigger.outcome", "case", case_id)
        milestone_letter(ws, session, case, LETTER_OUTCOME, fields, on)
    return trigger_view(ws, case_id, audited=False)


def record_applicant_response(ws: Workspace, case_id: int, response: str) -> TriggerView:
    """What the applicant said about the outcome (after the outcome letter); recording it
    again replaces it, and each recording is audited."""
    require(ws.actor, "case.write")
    if not response.strip():
        raise ValidationError("The response is empty.", field="applicant_response")
    with ws.uow() as session:
        _case, app = load_application(ws, session, case_id)
        if app.outcome_letter_on is None:
            raise ValidationError("The applicant responds to the outcome letter: send it "
                                  "first.", field="outcome_letter_on")
        app.applicant_response = response.strip()
        audit.record(ws, session, "trigger.response", "case", case_id)
    return trigger_view(ws, case_id, audited=False)


def record_appeal(ws: Workspace, case_id: int, requested_on: date) -> TriggerView:
    """The applicant appeals (the Police and Crime Commissioner's route)."""
    require(ws.actor, "case.write")
    with ws.uow() as session:
        _case, app = load_application(ws, session, case_id)
        if app.threshold_met is None:
            raise ValidationError("There is no decision to appeal yet.", field="threshold_met")
        if app.appeal_requested_on is not None:
            raise ValidationError("An appeal is already recorded.", field="appeal_requested_on")
        check_date(requested_on, app.received_on, "appeal_requested_on")
        app.appeal_requested_on = requested_on
        audit.record(ws, session, "trigger.appeal", "case", case_id)
    return trigger_view(ws, case_id, audited=False)


APPEAL_WORDS = {"upheld": "your appeal is upheld.", "not_upheld": "your appeal is not upheld.",
                "withdrawn": "you withdrew your appeal."}
LETTER_APPEAL_OUTCOME = "trigger_appeal_outcome"
APPEALED_THRESHOLD = ("the decision that your application did not meet the threshold for "
                      "an anti-social behaviour case review (the Community Trigger)")
APPEALED_REVIEW = ("the way your anti-social behaviour case review (the Community Trigger) "
                   "was carried out")
APPEAL_UPHELD_NEXT = ("The partnership will now act on this decision and write to you about "
                      "what happens next.")
APPEAL_FINAL = ("This decision completes the Community Trigger process. If you remain "
                "dissatisfied, you may contact the Local Government and Social Care "
                "Ombudsman, or the Independent Office for Police Conduct about the police's "
                "part in the review.")


def _appeal_fields(app: TriggerApplication, outcome: str, decided_on: date,
                   reasons: str) -> dict[str, str]:
    """The appeal outcome letter's fields, after the checks of ``decide_appeal``."""
    if outcome not in APPEAL_OUTCOMES:
        raise ValidationError(f"The outcome must be one of: {', '.join(APPEAL_OUTCOMES)}.",
                              field="appeal_outcome")
    if app.appeal_requested_on is None:
        raise ValidationError("No appeal is recorded.", field="appeal_requested_on")
    if app.appeal_outcome is not None:
        raise ValidationError("The appeal's outcome is already recorded.",
                              field="appeal_outcome")
    if decided_on < app.appeal_requested_on:
        raise ValidationError("The decision is before the appeal.", field="appeal_decided_on")
    return {"decided_on": letter_date(decided_on),
            "appealed_against": (APPEALED_THRESHOLD if app.threshold_met is False
                                 else APPEALED_REVIEW),
            "next_steps": APPEAL_UPHELD_NEXT if outcome == "upheld" else APPEAL_FINAL,
            "appeal_outcome": APPEAL_WORDS.get(outcome, outcome),
            "appeal_reasons": reasons.strip() or "The reasons were explained to you at the "
                                                 "appeal."}


def preview_appeal_outcome(ws: Workspace, case_id: int, outcome: str,
                           decided_on: date | None = None, reasons: str = "") -> LetterDraft:
    """The appeal outcome letter as ``decide_appeal`` would issue it, not kept (audited
    ``letter.preview``)."""
    on = decided_on or clock.today()
    return preview_milestone(ws, case_id, LETTER_APPEAL_OUTCOME, on,
                             lambda _session, app: _appeal_fields(app, outcome, on, reasons))


def decide_appeal(ws: Workspace, case_id: int, outcome: str,
                  decided_on: date | None = None, reasons: str = "") -> TriggerView:
    """Record the appeal's outcome (upheld, not_upheld, withdrawn) and produce the appeal
    outcome letter to the applicant (``trigger_appeal_outcome``) with the reasons."""
    require(ws.actor, "case.write")
    decided_on = decided_on or clock.today()
    with ws.uow() as session:
        case, app = load_application(ws, session, case_id)
        fields = _appeal_fields(app, outcome, decided_on, reasons)
        app.appeal_outcome, app.appeal_decided_on = outcome, decided_on
        audit.record(ws, session, "trigger.appeal_decided", "case", case_id,
                     detail={"outcome": outcome})
        milestone_letter(ws, session, case, LETTER_APPEAL_OUTCOME, fields, decided_on)
    return trigger_view(ws, case_id, audited=False)
