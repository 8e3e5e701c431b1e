"""The partnership's figures for a period: aggregate counts only (GROUP BY in SQL).

Nothing here returns a name, a date of birth, an address or free text: coordinators run
these (``report.kpis``; the Community Trigger return needs ``report.trigger_return``).
Date arithmetic (months to resolution, days to completion) is done in Python over rows
already grouped by their dates, so the SQL stays portable to PostgreSQL.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, case, func, literal, select
from sqlalchemy.orm import Session, aliased

from casework.core import aggregates, audit, clock, periods, vocabulary
from casework.core.aggregates import Aggregate, Params, aggregate
from casework.core.context import Workspace
from casework.core.permissions import require
from casework.core.workdays import add_months
from casework.trigger.figures import TriggerReturn, count_return
from db.models import (
    AsbDetail,
    Breach,
    Case,
    Contractor,
    EscalationStep,
    Incident,
    MartDetail,
    NrmDecision,
    SanctuaryFeedback,
    SanctuaryJob,
    Task,
    WorkLine,
)
from db.models.cases import CASE_STATUSES

NO_FURTHER_ASB_TARGET = 0.65
NOT_INTERVENTIONS = ("de_escalation", "closure")
TENANCY_ACTIONS = ("tenancy_enforcement", "possession")


@dataclass(frozen=True)
class Period:
    label: str
    start: date
    end: date  # inclusive


@dataclass(frozen=True)
class AsbKpis:
    cases_opened: int
    first_contact_on_time: int
    first_contact_late: int
    first_contact_outstanding: int
    updates_due: int
    updates_on_time: int
    updates_late: int
    updates_overdue: int
    cases_closed: int
    closed_resolved: int
    resolved_within_3_months: int
    resolved_within_6_months: int
    subjects_first_intervention: int
    subjects_no_further_asb: int
    no_further_asb_share: float | None
    no_further_asb_target: float
    cpw_issued: int
    cpn_issued: int
    cpn_breached: int
    cpn_breach_actions: dict[str, int]
    abcs: int
    tenancy_enforcement: int
    guardcams_installed: int
    steps_by_action: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class SanctuaryKpis:
    jobs_referred: int
    jobs_by_contractor: dict[str, int]
    jobs_completed: int
    total_cost_pence: int
    average_cost_pence: int | None
    average_days_to_completion: float | None
    feedback_collected: int
    felt_safer: int
    further_incidents: int
    moved: int
    guardcams_fitted: int = 0


@dataclass(frozen=True)
class PanelKpis:
    referrals: dict[str, int]
    outcomes: dict[str, dict[str, int]]
    open_at_end: dict[str, int]
    mart_exploitation_types: dict[str, int]
    mart_children: int
    mart_adults: int
    nrm_referrals: int
    duty_to_notify: int
    nrm_decisions: dict[str, dict[str, int]]


@dataclass(frozen=True)
class Kpis:
    period: Period
    asb: AsbKpis
    sanctuary: SanctuaryKpis
    panels: PanelKpis
    trigger: TriggerReturn


def parse_period(text: str) -> Period:
    """A period by its code (``casework.core.periods``): ``2026Q3``, ``2026``, ``FY2026``,
    ``2026-07`` or ``2026-04-01..2026-06-30``."""
    span = periods.parse(text)
    return Period(span.code, span.start, span.end)


# The queries: one registered aggregate each (``casework.core.aggregates``), so that a
# coordinator on a team server, who sees no identifiable table, gets them through the
# server's definer functions. They return counts and codes (and the dates that durations
# are worked out from, grouped), never a name, an address or free text.
ROLES = ("coordinator",)


@aggregate("kpi_asb_first_contact", ROLES)
def _q_first_contact(a: Params) -> Select[*tuple[Any, ...]]:
    return (select(func.count(),
                   func.sum(case((AsbDetail.first_contact_on <= AsbDetail.first_contact_due, 1),
                                 else_=0)),
                   func.sum(case((AsbDetail.first_contact_on > AsbDetail.first_contact_due, 1),
                                 else_=0)),
                   func.sum(case((AsbDetail.first_contact_on.is_(None), 1), else_=0)),
                   func.sum(case((AsbDetail.guardcam_installed, 1), else_=0)))
            .select_from(Case).join(AsbDetail, AsbDetail.case_id == Case.id)
            .where(Case.case_type == "asb", Case.opened_on.between(a.start, a.end)))


@aggregate("kpi_asb_updates", ROLES)
def _q_updates(a: Params) -> Select[*tuple[Any, ...]]:
    return (select(func.count(),
                   func.sum(case((Task.completed_on <= Task.due_on, 1), else_=0)),
                   func.sum(case((Task.completed_on > Task.due_on, 1), else_=0)),
                   func.sum(case((and_(Task.completed_on.is_(None), Task.due_on < a.today), 1),
                                 else_=0)))
            .where(Task.kind == "complainant_update", Task.due_on.between(a.start, a.end)))


@aggregate("kpi_asb_closed", ROLES)
def _q_closed(a: Params) -> Select[*tuple[Any, ...]]:
    return (select(Case.outcome, Case.opened_on, Case.closed_on, func.count())
            .where(Case.case_type == "asb", Case.status == "closed",
                   Case.closed_on.between(a.start, a.end))
            .group_by(Case.outcome, Case.opened_on, Case.closed_on))


@aggregate("kpi_asb_steps", ROLES)
def _q_steps(a: Params) -> Select[*tuple[Any, ...]]:
    return (select(EscalationStep.action, func.count())
            .where(EscalationStep.taken_on.between(a.start, a.end))
            .group_by(EscalationStep.action))


@aggregate("kpi_asb_breach_actions", ROLES)
def _q_breach_actions(a: Params) -> Select[*tuple[Any, ...]]:
    return (select(Breach.action_taken, func.count())
            .join(EscalationStep, EscalationStep.id == Breach.step_id)
            .where(EscalationStep.action == "cpn", Breach.occurred_on.between(a.start, a.end))
            .group_by(Breach.action_taken))


@aggregate("kpi_asb_cpn_breached", ROLES)
def _q_cpn_breached(a: Params) -> Select[*tuple[Any, ...]]:
    return (select(func.count(func.distinct(Breach.step_id)))
            .join(EscalationStep, EscalationStep.id == Breach.step_id)
            .where(EscalationStep.action == "cpn",
                   Breach.occurred_on.between(a.start, a.end)))


def _one(session: Session, agg: Aggregate, p: Period, today: date | None = None
         ) -> tuple[Any, ...]:
    got = aggregates.rows(session, agg, p.start, p.end, today)
    return got[0] if got else ()


def _pairs(session: Session, agg: Aggregate, p: Period) -> dict[str, int]:
    """Rows of (key, count) as a mapping."""
    return {str(k) if k is not None else "": int(n)
            for k, n in aggregates.rows(session, agg, p.start, p.end)}


def _asb(session: Session, p: Period, today: date) -> AsbKpis:
    fc = _one(session, _q_first_contact, p)
    upd = _one(session, _q_updates, p, today)
    closed_rows = aggregates.rows(session, _q_closed, p.start, p.end)
    closed = sum(int(n) for *_r, n in closed_rows)
    resolved: list[tuple[date, date, int]] = [
        (o, c, int(n)) for outcome, o, c, n in closed_rows
        if outcome == "resolved" and c is not None]
    within3 = sum(n for o, c, n in resolved if c <= add_months(o, 3))
    within6 = sum(n for o, c, n in resolved if c <= add_months(o, 6))
    steps = _pairs(session, _q_steps, p)
    breach_actions = _pairs(session, _q_breach_actions, p)
    cpn_breached = int(_one(session, _q_cpn_breached, p)[0] or 0)
    first, no_further = _no_further_asb(session, p)
    return AsbKpis(
        int(fc[0]), int(fc[1] or 0), int(fc[2] or 0), int(fc[3] or 0),
        int(upd[0]), int(upd[1] or 0), int(upd[2] or 0), int(upd[3] or 0),
        closed, sum(n for *_r, n in resolved), within3, within6,
        first, no_further, round(no_further / first, 4) if first else None,
        NO_FURTHER_ASB_TARGET, steps.get("cpw", 0), steps.get("cpn", 0), cpn_breached,
        _coded(session, vocabulary.BREACH_RESPONSE, breach_actions), steps.get("abc", 0),
        sum(steps.get(a, 0) for a in TENANCY_ACTIONS), int(fc[4] or 0), steps)


def _coded(session: Session, name: str, counts: dict[str, int]) -> dict[str, int]:
    """Counts keyed by vocabulary code: a value that is not a known code counts as "other"
    (free text never becomes a label); no value counts as "not_recorded"."""
    labels = vocabulary.Labels(session)
    out: Counter[str] = Counter()
    for key, n in counts.items():
        out[labels.code_of(name, key) or "not_recorded"] += n
    return dict(out)


@aggregate("kpi_asb_no_further", ROLES)
def _q_no_further(a: Params) -> Select[*tuple[Any, ...]]:
    """Subjects whose first intervention fell in the period, and how many of them had no
    incident after it (in any case where they are the subject).

    One pass over the period's steps (the step-date index): each subject's earliest
    intervention in the period; then, per subject, two index seeks: no intervention
    before the period (so the first is in it), and no incident after it.
    """
    intervention = EscalationStep.action.not_in(NOT_INTERVENTIONS)
    first = (select(AsbDetail.subject_person_id.label("pid"),
                    func.min(EscalationStep.taken_on).label("first_on"))
             .select_from(EscalationStep)
             .join(AsbDetail, AsbDetail.case_id == EscalationStep.case_id)
             .where(EscalationStep.taken_on.between(a.start, a.end), intervention,
                    AsbDetail.subject_person_id.is_not(None))
             .group_by(AsbDetail.subject_person_id)
             .subquery())
    other = aliased(AsbDetail)
    earlier = aliased(EscalationStep)
    # EXISTS (SELECT 1 ...), not SELECT *: the seeks then read only the covering indexes
    before = (select(literal(1))
              .where(other.subject_person_id == first.c.pid,
                     earlier.case_id == other.case_id,
                     earlier.taken_on < a.start,
                     earlier.action.not_in(NOT_INTERVENTIONS))
              .exists())
    again_detail = aliased(AsbDetail)
    again = (select(literal(1))
             .where(again_detail.subject_person_id == first.c.pid,
                    Incident.case_id == again_detail.case_id,
                    Incident.occurred_on > first.c.first_on)
             .exists())
    return select(func.count(), func.sum(case((again, 0), else_=1))).select_from(first) \
        .where(~before)


def _no_further_asb(session: Session, p: Period) -> tuple[int, int]:
    row = _one(session, _q_no_further, p)
    return int(row[0]), int(row[1] or 0)


@aggregate("kpi_san_referred", ROLES)
def _q_san_referred(a: Params) -> Select[*tuple[Any, ...]]:
    return select(func.count()).select_from(SanctuaryJob).where(
        SanctuaryJob.referred_on.between(a.start, a.end))


@aggregate("kpi_san_by_contractor", ROLES)
def _q_san_by_contractor(a: Params) -> Select[*tuple[Any, ...]]:
    return (select(Contractor.name, func.count()).select_from(SanctuaryJob)
            .outerjoin(Contractor, Contractor.id == SanctuaryJob.contractor_id)
            .where(SanctuaryJob.referred_on.between(a.start, a.end))
            .group_by(Contractor.name))


@aggregate("kpi_san_durations", ROLES)
def _q_san_durations(a: Params) -> Select[*tuple[Any, ...]]:
    return (select(SanctuaryJob.referred_on, SanctuaryJob.completed_on, func.count())
            .where(SanctuaryJob.completed_on.between(a.start, a.end))
            .group_by(SanctuaryJob.referred_on, SanctuaryJob.completed_on))


@aggregate("kpi_san_cost", ROLES)
def _q_san_cost(a: Params) -> Select[*tuple[Any, ...]]:
    return (select(func.coalesce(func.sum(WorkLine.cost_pence), 0))
            .join(SanctuaryJob, SanctuaryJob.case_id == WorkLine.case_id)
            .where(SanctuaryJob.completed_on.between(a.start, a.end)))


@aggregate("kpi_san_feedback", ROLES)
def _q_san_feedback(a: Params) -> Select[*tuple[Any, ...]]:
    return (select(
        func.count(), func.sum(case((SanctuaryFeedback.felt_safer.is_(True), 1), else_=0)),
        func.sum(case((SanctuaryFeedback.further_incidents.is_(True), 1), else_=0)),
        func.sum(case((SanctuaryFeedback.moved, 1), else_=0)))
        .where(SanctuaryFeedback.collected_on.between(a.start, a.end)))


@aggregate("kpi_san_guardcams", ROLES)
def _q_san_guardcams(a: Params) -> Select[*tuple[Any, ...]]:
    return (select(func.count()).select_from(WorkLine)
            .join(SanctuaryJob, SanctuaryJob.case_id == WorkLine.case_id)
            .where(SanctuaryJob.completed_on.between(a.start, a.end),
                   WorkLine.kind == "guardcam"))


def _sanctuary(session: Session, p: Period) -> SanctuaryKpis:
    referred = int(_one(session, _q_san_referred, p)[0] or 0)
    by_contractor = {name or "not_yet_assigned": int(n) for name, n in
                     aggregates.rows(session, _q_san_by_contractor, p.start, p.end)}
    durations = aggregates.rows(session, _q_san_durations, p.start, p.end)
    completed = sum(int(n) for *_d, n in durations)
    days = sum((c - r).days * int(n) for r, c, n in durations if c is not None)
    total = int(_one(session, _q_san_cost, p)[0] or 0)
    fb = _one(session, _q_san_feedback, p)
    guardcams = int(_one(session, _q_san_guardcams, p)[0] or 0)
    return SanctuaryKpis(referred, by_contractor, completed, total,
                         round(total / completed) if completed else None,
                         round(days / completed, 1) if completed else None,
                         int(fb[0]), int(fb[1] or 0), int(fb[2] or 0), int(fb[3] or 0),
                         guardcams)


PANEL_TYPES = ("swip", "mart")


@aggregate("kpi_panel_referrals", ROLES)
def _q_panel_referrals(a: Params) -> Select[*tuple[Any, ...]]:
    return (select(Case.case_type, func.count())
            .where(Case.case_type.in_(PANEL_TYPES), Case.opened_on.between(a.start, a.end))
            .group_by(Case.case_type))


@aggregate("kpi_panel_outcomes", ROLES)
def _q_panel_outcomes(a: Params) -> Select[*tuple[Any, ...]]:
    return (select(Case.case_type, Case.outcome, func.count())
            .where(Case.case_type.in_(PANEL_TYPES), Case.status == "closed",
                   Case.closed_on.between(a.start, a.end))
            .group_by(Case.case_type, Case.outcome))


# Open at the end = opened by the end less closed by the end: two index-only range counts
# (type, opened) and (type, status, closed) instead of reading every case's row for its
# closing date.
@aggregate("kpi_panel_opened_by_end", ROLES)
def _q_panel_opened_by_end(a: Params) -> Select[*tuple[Any, ...]]:
    return (select(Case.case_type, func.count())
            .where(Case.case_type.in_(PANEL_TYPES), Case.opened_on <= a.end)
            .group_by(Case.case_type))


@aggregate("kpi_panel_closed_by_end", ROLES)
def _q_panel_closed_by_end(a: Params) -> Select[*tuple[Any, ...]]:
    # (opened by the end tested in the sum, not the WHERE, so that the closing-date index
    # is the one chosen)
    return (select(Case.case_type, func.sum(case((Case.opened_on <= a.end, 1), else_=0)))
            .where(Case.case_type.in_(PANEL_TYPES), Case.status.in_(CASE_STATUSES),
                   Case.closed_on <= a.end)
            .group_by(Case.case_type))


@aggregate("kpi_mart_types", ROLES)
def _q_mart_types(a: Params) -> Select[*tuple[Any, ...]]:
    return (select(MartDetail.exploitation_type, MartDetail.is_child, func.count())
            .join(Case, Case.id == MartDetail.case_id)
            .where(Case.case_type == "mart", Case.opened_on.between(a.start, a.end))
            .group_by(MartDetail.exploitation_type, MartDetail.is_child))


@aggregate("kpi_mart_nrm", ROLES)
def _q_mart_nrm(a: Params) -> Select[*tuple[Any, ...]]:
    return select(func.count()).select_from(MartDetail).where(
        MartDetail.nrm_referred_on.between(a.start, a.end))


@aggregate("kpi_mart_dtn", ROLES)
def _q_mart_dtn(a: Params) -> Select[*tuple[Any, ...]]:
    return select(func.count()).select_from(MartDetail).where(
        MartDetail.duty_to_notify_on.between(a.start, a.end))


@aggregate("kpi_nrm_decisions", ROLES)
def _q_nrm_decisions(a: Params) -> Select[*tuple[Any, ...]]:
    return (select(NrmDecision.kind, NrmDecision.positive, func.count())
            .where(NrmDecision.decided_on.between(a.start, a.end))
            .group_by(NrmDecision.kind, NrmDecision.positive))


def _panels(session: Session, p: Period) -> PanelKpis:
    types = PANEL_TYPES
    referrals = _pairs(session, _q_panel_referrals, p)
    outcomes: dict[str, dict[str, int]] = {t: {} for t in types}
    for ctype, outcome, n in aggregates.rows(session, _q_panel_outcomes, p.start, p.end):
        outcomes[ctype][outcome or "not_recorded"] = int(n)
    opened_by_end = _pairs(session, _q_panel_opened_by_end, p)
    closed_by_end = _pairs(session, _q_panel_closed_by_end, p)
    open_end = {t: opened_by_end.get(t, 0) - closed_by_end.get(t, 0) for t in types}
    mart_rows = [(e, c, int(n)) for e, c, n in
                 aggregates.rows(session, _q_mart_types, p.start, p.end)]
    exploitation: Counter[str] = Counter()
    for etype, _child, n in mart_rows:
        exploitation[etype] += n
    nrm = int(_one(session, _q_mart_nrm, p)[0] or 0)
    dtn = int(_one(session, _q_mart_dtn, p)[0] or 0)
    decisions: dict[str, dict[str, int]] = {}
    for kind, positive, n in aggregates.rows(session, _q_nrm_decisions, p.start, p.end):
        decisions.setdefault(kind, {})["positive" if positive else "negative"] = int(n)
    return PanelKpis({t: referrals.get(t, 0) for t in types}, outcomes,
                     {t: open_end.get(t, 0) for t in types}, dict(exploitation),
                     sum(n for _e, child, n in mart_rows if child),
                     sum(n for _e, child, n in mart_rows if not child), nrm, dtn, decisions)


@aggregate("kpi_trend_opened", ROLES)
def _q_trend_opened(a: Params) -> Select[*tuple[Any, ...]]:
    return (select(Case.case_type, func.count())
            .where(Case.case_type.in_(("asb", "swip", "mart")),
                   Case.opened_on.between(a.start, a.end))
            .group_by(Case.case_type))


@aggregate("kpi_trend_closed", ROLES)
def _q_trend_closed(a: Params) -> Select[*tuple[Any, ...]]:
    return select(func.count()).select_from(Case).where(
        Case.case_type == "asb", Case.status == "closed", Case.closed_on.between(a.start, a.end))


def trend_counts(session: Session, p: Period) -> dict[str, int]:
    """The few figures the trend chart draws, by index-only range counts (no full KPIs)."""
    opened = _pairs(session, _q_trend_opened, p)
    closed = int(_one(session, _q_trend_closed, p)[0] or 0)
    referred = int(_one(session, _q_san_referred, p)[0] or 0)
    return {"asb.cases_opened": opened.get("asb", 0), "asb.cases_closed": closed,
            "sanctuary.jobs_referred": referred,
            "panels.referrals": opened.get("swip", 0) + opened.get("mart", 0)}


def compute(session: Session, p: Period, today: date | None = None) -> Kpis:
    """Every KPI for ``p`` in an open unit of work (the caller checks the capability)."""
    return Kpis(p, _asb(session, p, today or clock.today()), _sanctuary(session, p),
                _panels(session, p), count_return(session, p.label, p.start, p.end))


def compute_kpis(ws: Workspace, period: str, today: date | None = None) -> Kpis:
    """Every KPI of DOMAIN.md for a period (aggregate figures only; audited)."""
    require(ws.actor, "report.kpis")
    p = parse_period(period)
    with ws.uow() as session:
        result = compute(session, p, today)
        audit.record(ws, session, "report.kpis", "report", p.label)
        return result
