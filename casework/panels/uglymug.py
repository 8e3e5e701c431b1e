"""Ugly-mug / dangerous-individual reports: records of their own, held by a panel, with a
coded description (vocabulary ``dangerous_individual``), the date, the small area and the
referrals they concern. The meeting pack shares them in anonymised form only: the code,
the month and the MSOA, never the free-text account."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.cases.workflow import SafeRepr, check_date
from casework.core import audit, vocabulary
from casework.core.context import Workspace
from casework.core.errors import NotFound, PermissionDenied, ValidationError
from casework.core.permissions import require
from casework.panels.referrals import load_referral
from db.models import Case, Lsoa, UglyMugLink, UglyMugReport


@dataclass(frozen=True, repr=False)
class UglyMugView(SafeRepr):
    """One report as its panel's members see it."""

    id: int
    panel_id: int
    code: str
    reported_on: date
    lsoa_code: str
    description: str
    referrals: tuple[tuple[int, str], ...]  # (case id, reference)


def _require_panel(ws: Workspace, panel_id: int, capability: str) -> None:
    require(ws.actor, capability)
    if ws.actor.role != "system" and panel_id not in ws.actor.panel_ids:
        raise PermissionDenied("You are not a member of this panel.")


def _view(session: Session, r: UglyMugReport) -> UglyMugView:
    refs = session.execute(select(Case.id, Case.reference)
                           .join(UglyMugLink, UglyMugLink.case_id == Case.id)
                           .where(UglyMugLink.report_id == r.id).order_by(Case.id)).all()
    return UglyMugView(r.id, r.panel_id or 0, r.code, r.reported_on, r.lsoa_code or "",
                       r.description, tuple((int(i), str(ref)) for i, ref in refs))


def _link(ws: Workspace, session: Session, report: UglyMugReport, case_id: int) -> None:
    case, _ref = load_referral(ws, session, case_id)
    if case.panel_id != report.panel_id:
        raise ValidationError("Link referrals of the report's own panel.", field="case_ids")
    have = session.scalar(select(UglyMugLink.id).where(UglyMugLink.report_id == report.id,
                                                       UglyMugLink.case_id == case_id))
    if have is None:
        session.add(UglyMugLink(report_id=report.id, case_id=case_id))


def record_report(ws: Workspace, panel_id: int, code: str, reported_on: date,
                  lsoa_code: str = "", case_ids: Sequence[int] = (),
                  description: str = "") -> UglyMugView:
    """Record a dangerous-individual report for the panel, linked to its referrals. The
    description is kept for the panel and never leaves it; outputs print the code."""
    _require_panel(ws, panel_id, "case.write")
    with ws.uow() as session:
        code = vocabulary.check(session, vocabulary.DANGEROUS_INDIVIDUAL, code, "code")
        check_date(reported_on, None, "reported_on")
        area = lsoa_code.strip().upper()
        if area and session.get(Lsoa, area) is None:
            raise ValidationError("That is not a known LSOA code (e.g. E01028522).",
                                  field="lsoa_code")
        report = UglyMugReport(panel_id=panel_id, code=code, reported_on=reported_on,
                               lsoa_code=area or None, description=description.strip(),
                               case_id=case_ids[0] if case_ids else None)
        session.add(report)
        session.flush()
        for case_id in dict.fromkeys(case_ids):
            _link(ws, session, report, case_id)
        session.flush()
        audit.record(ws, session, "ugly_mug.add", "ugly_mug", report.id,
                     detail={"panel": panel_id, "referrals": len(set(case_ids))})
        return _view(session, report)


def link_referral(ws: Workspace, report_id: int, case_id: int) -> UglyMugView:
    """Link one more referral of the panel to a report."""
    with ws.uow() as session:
        report = session.get(UglyMugReport, report_id)
        if report is None or report.panel_id is None:
            raise NotFound("No such report.")
        _require_panel(ws, report.panel_id, "case.write")
        _link(ws, session, report, case_id)
        session.flush()
        audit.record(ws, session, "ugly_mug.link", "ugly_mug", report_id,
                     detail={"case": case_id})
        return _view(session, report)


def list_reports(ws: Workspace, panel_id: int) -> list[UglyMugView]:
    """The panel's reports, newest first (a read of panel records: audited)."""
    _require_panel(ws, panel_id, "case.read")
    with ws.uow() as session:
        rows = session.scalars(select(UglyMugReport).where(UglyMugReport.panel_id == panel_id)
                               .order_by(UglyMugReport.reported_on.desc(),
                                         UglyMugReport.id.desc())).all()
        audit.record(ws, session, "view", "ugly_mug", f"panel:{panel_id}",
                     detail={"reports": len(rows)})
        return [_view(session, r) for r in rows]
