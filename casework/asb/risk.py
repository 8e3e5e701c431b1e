"""The ASB risk assessment: scored personal, situational and incidental vulnerability.

Each question is answered 0 (not at all) to 4 (very much). The total sets the risk level
by the thresholds in settings (``RISK_MEDIUM_FROM``, ``RISK_HIGH_FROM``) and the level sets
the review cadence (``REVIEW_DAYS_*``). Assessing (at intake or on review) updates the
case's risk level and next review date and replaces the open review task.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.cases.lifecycle import add_task, complete_tasks, load_case
from casework.core import audit, clock, settings
from casework.core.context import Workspace
from casework.core.errors import ValidationError
from casework.core.permissions import require
from casework.core.workdays import add_working_days
from db.models import AsbDetail, Case, RiskAssessment, Task

SECTIONS = ("personal", "situational", "incidental")
MAX_ANSWER = 4


@dataclass(frozen=True)
class Question:
    key: str
    section: str
    text: str


QUESTIONS: tuple[Question, ...] = (
    Question("mental_health", "personal", "Mental health condition affecting coping"),
    Question("disability", "personal", "Physical disability or long-term illness"),
    Question("age", "personal", "Vulnerable because of age (young or elderly)"),
    Question("isolation", "personal", "Lives alone or has little support"),
    Question("repeat_victim", "personal", "Has been a victim before"),
    Question("frequency", "situational", "How often the behaviour happens"),
    Question("duration", "situational", "How long the behaviour has gone on"),
    Question("targeted", "situational", "The victim or household is targeted"),
    Question("hate", "situational", "Motivated by hostility to a protected characteristic"),
    Question("children", "situational", "Children in the household are affected"),
    Question("violence", "incidental", "Threats or violence"),
    Question("damage", "incidental", "Damage to property"),
    Question("daily_life", "incidental", "Impact on daily life, sleep or work"),
    Question("unsafe", "incidental", "Feels unsafe at home"),
    Question("moving", "incidental", "Considering moving because of the behaviour"),
)
QUESTION_KEYS = frozenset(q.key for q in QUESTIONS)


@dataclass(frozen=True)
class RiskAssessmentView:
    id: int
    case_id: int
    assessed_on: date
    personal_score: int
    situational_score: int
    incidental_score: int
    total_score: int
    level: str
    next_review_on: date | None
    is_intake: bool
    answers: tuple[tuple[str, int], ...]

    @classmethod
    def of(cls, row: RiskAssessment) -> RiskAssessmentView:
        answers = json.loads(row.answers or "{}")
        return cls(row.id, row.case_id, row.assessed_on, row.personal_score,
                   row.situational_score, row.incidental_score, row.total_score, row.level,
                   row.next_review_on, row.is_intake, tuple(sorted(answers.items())))


def level_for(session: Session, total: int) -> str:
    """The risk level of a total score under the configured thresholds."""
    if total >= int(settings.get(session, settings.RISK_HIGH_FROM)):
        return "high"
    if total >= int(settings.get(session, settings.RISK_MEDIUM_FROM)):
        return "medium"
    return "standard"


def review_days(session: Session, level: str) -> int:
    key = {"high": settings.REVIEW_DAYS_HIGH, "medium": settings.REVIEW_DAYS_MEDIUM,
           "standard": settings.REVIEW_DAYS_STANDARD}[level]
    return int(settings.get(session, key))


def first_contact_days(session: Session, level: str) -> int:
    """Working days allowed for first contact with the complainant at this risk level."""
    key = settings.FIRST_CONTACT_HIGH if level == "high" else settings.FIRST_CONTACT_OTHER
    return int(settings.get(session, key))


def score(answers: Mapping[str, int]) -> dict[str, int]:
    """Section scores and total; raises ValidationError on unknown or out-of-range answers."""
    unknown = set(answers) - QUESTION_KEYS
    if unknown:
        raise ValidationError("Unknown risk question.", field="answers")
    sums = dict.fromkeys(SECTIONS, 0)
    for q in QUESTIONS:
        value = answers.get(q.key, 0)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_ANSWER:
            raise ValidationError(f"Each answer is 0 to {MAX_ANSWER}.", field="answers")
        sums[q.section] += value
    sums["total"] = sum(sums[s] for s in SECTIONS)
    return sums


def assess_in(ws: Workspace, session: Session, case: Case, answers: Mapping[str, int],
              assessed_on: date, is_intake: bool) -> RiskAssessment:
    """Record an assessment inside the caller's unit of work (audited)."""
    if assessed_on < case.opened_on:
        raise ValidationError("An assessment cannot predate the case.", field="assessed_on")
    if assessed_on > clock.today():
        raise ValidationError("An assessment cannot be in the future.", field="assessed_on")
    sums = score(answers)
    level = level_for(session, sums["total"])
    next_review = assessed_on + timedelta(days=review_days(session, level))
    row = RiskAssessment(case_id=case.id, assessed_on=assessed_on, assessor_id=ws.actor.user_id,
                         personal_score=sums["personal"], situational_score=sums["situational"],
                         incidental_score=sums["incidental"], total_score=sums["total"],
                         level=level, answers=json.dumps(dict(sorted(answers.items()))),
                         next_review_on=next_review, is_intake=is_intake)
    session.add(row)
    case.risk_level = level
    case.next_review_on = next_review
    complete_tasks(session, case.id, "risk_review", assessed_on)
    add_task(session, case, "risk_review", "Review the risk assessment", next_review)
    detail = session.get(AsbDetail, case.id)
    if detail is not None and detail.first_contact_on is None and level == "high":
        due = add_working_days(case.opened_on, first_contact_days(session, level))
        if detail.first_contact_due is None or due < detail.first_contact_due:
            detail.first_contact_due = due
            for task in session.scalars(select(Task).where(
                    Task.case_id == case.id, Task.kind == "first_contact",
                    Task.completed_on.is_(None))):
                task.due_on = due
    session.flush()
    audit.record(ws, session, "asb.risk_assess", "case", case.id,
                 detail={"assessment": row.id, "total": sums["total"], "level": level,
                         "intake": is_intake})
    return row


def assess_risk(ws: Workspace, case_id: int, answers: Mapping[str, int],
                assessed_on: date | None = None) -> RiskAssessmentView:
    """Review the risk of an open ASB case: sets its level, next review and review task."""
    require(ws.actor, "case.write")
    with ws.uow() as session:
        case = load_case(ws, session, case_id, "asb")
        if case.status == "closed":
            raise ValidationError("The case is closed.", field="status")
        row = assess_in(ws, session, case, answers, assessed_on or clock.today(), False)
        return RiskAssessmentView.of(row)
