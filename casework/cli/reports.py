"""casework-cli report kpis | trigger-return: aggregate figures, as text or JSON."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from datetime import date
from typing import Any

from casework.cli.common import out, signed_in
from casework.reporting import kpis
from casework.trigger import figures


def register(sub: Any) -> None:
    """Add the ``report`` command group."""
    p = sub.add_parser("report", help="KPIs and the Community Trigger annual return")
    rs = p.add_subparsers(dest="report", required=True, metavar="REPORT")
    k = rs.add_parser("kpis", help="the partnership's KPIs for a quarter, year or month")
    k.add_argument("--period", required=True, help="2026Q3, 2026 or 2026-07")
    k.add_argument("--json", action="store_true",
                   help="print JSON instead of text (with the sharing protocol's small-number "
                        "suppression, compared with the previous and last year's period)")
    k.set_defaults(func=cmd_kpis)
    t = rs.add_parser("trigger-return", help="the Community Trigger statutory annual return")
    t.add_argument("--year", required=True, type=int)
    t.add_argument("--json", action="store_true", help="print JSON instead of text")
    t.set_defaults(func=cmd_trigger_return)


def _json(value: Any) -> str:
    def default(obj: object) -> str:
        if isinstance(obj, date):
            return obj.isoformat()
        raise TypeError(type(obj).__name__)

    return json.dumps(asdict(value), indent=2, sort_keys=True, default=default)


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0%}"


def _money(pence: int | None) -> str:
    return "n/a" if pence is None else f"£{pence / 100:,.2f}"


def _mapping(values: dict[str, Any]) -> str:
    return ", ".join(f"{k}: {v}" for k, v in sorted(values.items())) or "none"


def kpi_lines(r: kpis.Kpis) -> list[str]:
    """The KPIs as readable lines."""
    a, s, p = r.asb, r.sanctuary, r.panels
    return [
        f"KPIs for {r.period.label} ({r.period.start} to {r.period.end})",
        "",
        "Anti-social behaviour",
        f"  cases opened                      {a.cases_opened}",
        f"  first contact on time / late / outstanding  "
        f"{a.first_contact_on_time} / {a.first_contact_late} / {a.first_contact_outstanding}",
        f"  updates due / on time / late / overdue      "
        f"{a.updates_due} / {a.updates_on_time} / {a.updates_late} / {a.updates_overdue}",
        f"  cases closed (resolved)           {a.cases_closed} ({a.closed_resolved})",
        f"  resolved within 3 / 6 months      {a.resolved_within_3_months} / "
        f"{a.resolved_within_6_months}",
        f"  no further ASB after first intervention  {a.subjects_no_further_asb} of "
        f"{a.subjects_first_intervention} ({_pct(a.no_further_asb_share)}; target "
        f"{_pct(a.no_further_asb_target)})",
        f"  CPWs / CPNs issued / CPNs breached {a.cpw_issued} / {a.cpn_issued} / "
        f"{a.cpn_breached}",
        f"  action taken on CPN breaches      {_mapping(a.cpn_breach_actions)}",
        f"  ABCs / tenancy enforcement        {a.abcs} / {a.tenancy_enforcement}",
        f"  guardcams installed               {a.guardcams_installed}",
        "",
        "Sanctuary",
        f"  jobs referred                     {s.jobs_referred}",
        f"  referred per contractor           {_mapping(s.jobs_by_contractor)}",
        f"  jobs completed                    {s.jobs_completed}",
        f"  total / average cost              {_money(s.total_cost_pence)} / "
        f"{_money(s.average_cost_pence)}",
        f"  average days referral to completion  "
        f"{'n/a' if s.average_days_to_completion is None else s.average_days_to_completion}",
        f"  guardcams fitted                  {s.guardcams_fitted}",
        f"  feedback: collected / felt safer / further incidents / moved  "
        f"{s.feedback_collected} / {s.felt_safer} / {s.further_incidents} / {s.moved}",
        "",
        "SWIP and MART",
        f"  referrals                         {_mapping(p.referrals)}",
        f"  open at period end                {_mapping(p.open_at_end)}",
        f"  SWIP outcomes                     {_mapping(p.outcomes.get('swip', {}))}",
        f"  MART outcomes                     {_mapping(p.outcomes.get('mart', {}))}",
        f"  MART exploitation types           {_mapping(p.mart_exploitation_types)}",
        f"  MART children / adults            {p.mart_children} / {p.mart_adults}",
        f"  NRM referrals / Duty to Notify    {p.nrm_referrals} / {p.duty_to_notify}",
        f"  NRM decisions                     {_mapping(p.nrm_decisions)}",
        "",
        *trigger_lines(r.trigger, "Community Trigger (applications received in the period)"),
    ]


def trigger_lines(t: figures.TriggerReturn, title: str) -> list[str]:
    """The Community Trigger figures as readable lines."""
    lines = [
        title,
        f"  applications                      {t.applications}",
        f"  threshold not met                 {t.threshold_not_met}",
        f"  threshold met / undecided         {t.threshold_met} / {t.undecided}",
        f"  reviews carried out               {t.reviews}",
        f"  reviews with recommendations      {t.reviews_with_recommendations}",
        f"  reconciles (reviews <= applications - not met)  "
        f"{'yes' if t.reconciles else 'NO'}",
    ]
    lines += [f"  problem: {problem}" for problem in t.problems]
    return lines


def cmd_kpis(args: argparse.Namespace) -> int:
    with signed_in(args, "report.kpis") as ws:
        if args.json:
            from casework.reporting.kpi_report import released_figures

            out(json.dumps(released_figures(ws, args.period), indent=2, ensure_ascii=False))
            return 0
        result = kpis.compute_kpis(ws, args.period)
    out("\n".join(kpi_lines(result)))
    return 0


def cmd_trigger_return(args: argparse.Namespace) -> int:
    with signed_in(args, "report.trigger_return") as ws:
        result = figures.trigger_return(ws, args.year)
    out(_json(result) if args.json else "\n".join(
        trigger_lines(result, f"Community Trigger annual return {args.year}")))
    return 0
