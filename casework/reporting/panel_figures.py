"""A panel chair's own figures for a period: referrals, meetings and actions of the panels
they chair (counts only, by SQL aggregate; audited as "report.panel").

A chair may see their panels' referrals anyway, so these counts are not suppressed; they
are never figures of a panel the actor does not chair.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from casework.core import audit, clock
from casework.core.context import Workspace
from casework.core.permissions import require
from casework.reporting.kpis import Period, parse_period
from db.models import Case, Meeting, Panel, PanelAction


@dataclass(frozen=True)
class PanelFigures:
    panel: str
    kind: str
    referrals_received: int
    referrals_closed: int
    open_at_end: int
    meetings_held: int
    meetings_planned: int
    actions_set: int  # actions due in the period
    actions_completed: int  # completed in the period
    actions_overdue: int  # due in the period, before today, and still not completed


def _one(session: Session, panel: Panel, p: Period) -> PanelFigures:
    of_panel = Case.panel_id == panel.id
    cases = session.execute(select(
        func.sum(case((Case.opened_on.between(p.start, p.end), 1), else_=0)),
        func.sum(case((and_(Case.status == "closed", Case.closed_on.between(p.start, p.end)),
                       1), else_=0)),
        func.sum(case((and_(Case.opened_on <= p.end,
                            (Case.closed_on.is_(None)) | (Case.closed_on > p.end)), 1),
                      else_=0)))
        .where(of_panel, Case.case_type == panel.kind)).one()
    meetings = session.execute(select(
        func.sum(case((Meeting.held.is_(True), 1), else_=0)),
        func.sum(case((Meeting.held.is_(False), 1), else_=0)))
        .where(Meeting.panel_id == panel.id,
               Meeting.scheduled_on.between(p.start, p.end))).one()
    actions = session.execute(select(
        func.sum(case((PanelAction.due_on.between(p.start, p.end), 1), else_=0)),
        func.sum(case((PanelAction.completed_on.between(p.start, p.end), 1), else_=0)),
        func.sum(case((and_(PanelAction.due_on.between(p.start, p.end),
                            PanelAction.due_on < clock.today(),
                            PanelAction.completed_on.is_(None)), 1), else_=0)))
        .join(Case, Case.id == PanelAction.case_id).where(of_panel)).one()
    return PanelFigures(panel.name, panel.kind, *(int(v or 0) for v in cases),
                        *(int(v or 0) for v in meetings), *(int(v or 0) for v in actions))


def panel_figures(ws: Workspace, period: str) -> list[PanelFigures]:
    """The figures of each panel the actor chairs, for a quarter, year or month."""
    require(ws.actor, "report.panel")
    p = parse_period(period)
    with ws.uow() as session:
        panels = list(session.scalars(select(Panel).where(
            Panel.id.in_(sorted(ws.actor.chair_panel_ids))).order_by(Panel.name)))
        result = [_one(session, panel, p) for panel in panels]
        audit.record(ws, session, "report.panel", "report", p.label,
                     detail={"panels": len(result)})
    return result
