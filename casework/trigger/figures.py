"""The Community Trigger statutory annual publication: applications, threshold not met,
reviews, reviews with recommendations, and whether they reconcile. Aggregate counts only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, case, exists, func, select
from sqlalchemy.orm import Session

from casework.core import aggregates, audit
from casework.core.aggregates import Params, aggregate
from casework.core.context import Workspace
from casework.core.permissions import require
from db.models import TriggerApplication, TriggerRecommendation, TriggerReview


@dataclass(frozen=True)
class TriggerReturn:
    """The statutory annual publication (counted by when the application was received)."""

    label: str
    applications: int
    threshold_not_met: int
    threshold_met: int
    undecided: int
    reviews: int
    reviews_with_recommendations: int
    reconciles: bool
    problems: tuple[str, ...]


@aggregate("trigger_return", ("coordinator",))
def _q_return(a: Params) -> Select[*tuple[Any, ...]]:
    """The return's counts for applications received in the period (counts only)."""
    received = TriggerApplication.received_on.between(a.start, a.end)
    has_review = exists().where(TriggerReview.case_id == TriggerApplication.case_id)
    has_recs = exists().where(TriggerRecommendation.case_id == TriggerApplication.case_id)
    return select(
        func.count(),
        func.sum(case((TriggerApplication.threshold_met.is_(False), 1), else_=0)),
        func.sum(case((TriggerApplication.threshold_met.is_(True), 1), else_=0)),
        func.sum(case((has_review, 1), else_=0)),
        func.sum(case((and_(has_review, has_recs), 1), else_=0)),
        func.sum(case((and_(has_review, TriggerApplication.threshold_met.is_not(True)), 1),
                      else_=0))).where(received)


def count_return(session: Session, label: str, start: date, end: date) -> TriggerReturn:
    """The return's counts for applications received from ``start`` to ``end`` inclusive."""
    row = aggregates.rows(session, _q_return, start, end)[0]
    apps, not_met, met = int(row[0]), int(row[1] or 0), int(row[2] or 0)
    reviews, with_recs, stray = int(row[3] or 0), int(row[4] or 0), int(row[5] or 0)
    problems = []
    if reviews > apps - not_met:
        problems.append("More reviews than applications that met the threshold.")
    if with_recs > reviews:
        problems.append("More reviews with recommendations than reviews.")
    if stray:
        problems.append(f"{stray} review(s) recorded without a met threshold decision.")
    return TriggerReturn(label, apps, not_met, met, apps - not_met - met, reviews, with_recs,
                         not problems, tuple(problems))


def trigger_return(ws: Workspace, year: int) -> TriggerReturn:
    """The Community Trigger annual return for a calendar year, with its reconciliation."""
    require(ws.actor, "report.trigger_return")
    with ws.uow() as session:
        result = count_return(session, str(year), date(year, 1, 1), date(year, 12, 31))
        audit.record(ws, session, "report.trigger_return", "report", str(year),
                     detail={"reconciles": result.reconciles})
        return result
