"""The partnership KPI report (PDF with charts) through the pipeline.

Select: the aggregate figures of ``casework.kpis`` (counts, shares and averages only).
Field rules: the protocol's ``kpi_report`` ``figure`` rules. Disclosure control: every
breakdown (by contractor, exploitation type, outcome, child or adult...) is a one-row table
with its total, protected by small-number and secondary suppression; partnership-wide
headline figures are published as they are. Charts draw only published numbers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportlab.platypus import Flowable, Spacer
from sqlalchemy.orm import Session

from casework.core import clock, settings
from casework.core.context import Workspace
from casework.reporting import kpis
from casework.sharing import disclosure as dc
from casework.sharing import render_pdf as pdf
from casework.sharing.pipeline import Built, ExportResult, Release, named_recipient, produce
from casework.sharing.protocol import OutputSpec, Protocol
from casework.sharing.rules import RecordRules
from casework.trigger.figures import count_return

OUTPUT = "kpi_report"
SUPPRESSED_ROW = "Other categories (suppressed)"


@dataclass(frozen=True)
class Section:
    title: str
    headline: tuple[dict[str, Any], ...]
    breakdowns: tuple[tuple[str, tuple[dict[str, Any], ...]], ...]


@dataclass(frozen=True)
class KpiData:
    period: str
    sections: tuple[Section, ...]
    marker: str
    max_small: int = 4  # the suppression actually applied: counts of 1 to max_small


def _pct(v: float | None) -> str:
    return "n/a" if v is None else f"{v:.0%}"


def _money(pence: int | None) -> str:
    return "n/a" if pence is None else f"£{pence / 100:,.2f}"


class _Release:
    """Field rules and suppression for the report's figures."""

    def __init__(self, spec: OutputSpec, max_small: int, marker: str) -> None:
        self.rules = RecordRules(spec.rules_for("figure"), ("measure", "group", "count",
                                                             "value"), None)
        self.max_small = max_small
        self.marker = marker

    def headline(self, pairs: Sequence[tuple[str, Any]]) -> tuple[dict[str, Any], ...]:
        return tuple(self.rules.apply({"measure": m, "value": v}) for m, v in pairs)

    def breakdown(self, group: str, counts: Mapping[str, int]) -> tuple[dict[str, Any], ...]:
        keys = sorted(k for k in counts if counts[k])
        if not keys:
            return ()
        table = dc.Table(group, group, "", ["count"], [k.replace("_", " ") or "not recorded"
                                                        for k in keys],
                         [[int(counts[k]) for k in keys]])
        cells = dc.protect(table, self.max_small, 0, self.marker).cells[0]
        # A suppressed count does not print its label either: the hidden categories share
        # one row, so the report says neither which they are nor how many.
        shown: list[tuple[str, int | None]] = [
            (lab, v) for lab, v in zip(table.cols, cells[:-1], strict=True)
            if v is not None]
        if len(shown) < len(table.cols):
            shown.append((SUPPRESSED_ROW, None))
        shown.append(("Total", cells[-1]))
        return tuple(self.rules.apply({"measure": lab, "group": group,
                                       "count": self.marker if v is None else v})
                     for lab, v in shown)


def build(session: Session, spec: OutputSpec, protocol: Protocol, period: str,
          recipient: str | None) -> Built:
    """The KPI figures for a period, released and protected."""
    del protocol
    who = named_recipient(spec, recipient)
    p = kpis.parse_period(period)
    # The KPI module's session-level queries (the public functions open their own unit).
    a = kpis._asb(session, p, clock.today())
    s = kpis._sanctuary(session, p)
    pn = kpis._panels(session, p)
    t = count_return(session, p.label, p.start, p.end)
    sup = spec.suppression
    rel = _Release(spec, max(int(sup.get("max", settings.get(session, settings.SUPPRESS_MAX))),
                             settings.SUPPRESS_FLOOR),
                   str(sup.get("marker", "[c]")))
    sections = (
        Section("Anti-social behaviour", rel.headline([
            ("Cases opened", a.cases_opened),
            ("First contact on time / late / outstanding",
             f"{a.first_contact_on_time} / {a.first_contact_late} / "
             f"{a.first_contact_outstanding}"),
            ("Updates on time / late / overdue",
             f"{a.updates_on_time} / {a.updates_late} / {a.updates_overdue}"),
            ("Cases closed", a.cases_closed),
            ("No further ASB after first intervention",
             f"{_pct(a.no_further_asb_share)} (target {_pct(a.no_further_asb_target)})"),
            ("CPWs / CPNs issued / CPNs breached",
             f"{a.cpw_issued} / {a.cpn_issued} / {a.cpn_breached}"),
            ("ABCs / tenancy enforcement / guardcams",
             f"{a.abcs} / {a.tenancy_enforcement} / {a.guardcams_installed}"),
        ]), (("Escalation steps by action", rel.breakdown("steps", a.steps_by_action)),
             ("Action taken on CPN breaches", rel.breakdown("breach", a.cpn_breach_actions)))),
        Section("Sanctuary and target hardening", rel.headline([
            ("Jobs referred / completed", f"{s.jobs_referred} / {s.jobs_completed}"),
            ("Total / average cost", f"{_money(s.total_cost_pence)} / "
                                     f"{_money(s.average_cost_pence)}"),
            ("Average days referral to completion",
             "n/a" if s.average_days_to_completion is None
             else f"{s.average_days_to_completion:.0f}"),
        ]), (("Jobs by contractor", rel.breakdown("contractor", s.jobs_by_contractor)),
             ("Feedback", rel.breakdown("feedback", {
                 "felt safer": s.felt_safer, "further incidents": s.further_incidents,
                 "moved": s.moved})))),
        Section("SWIP and MART", rel.headline([("NRM referrals", pn.nrm_referrals)]),
                (("Referrals by panel", rel.breakdown("referrals", pn.referrals)),
                 ("MART exploitation types",
                  rel.breakdown("exploitation", pn.mart_exploitation_types)),
                 ("MART children and adults", rel.breakdown("age", {
                     "child": pn.mart_children, "adult": pn.mart_adults})),
                 *((f"Outcomes: {k}", rel.breakdown(f"outcome {k}", v))
                   for k, v in sorted(pn.outcomes.items())))),
        Section("Community Trigger", rel.headline([
            ("Applications", t.applications),
            ("Threshold not met", t.threshold_not_met),
            ("Reviews carried out", t.reviews),
            ("Reviews that made recommendations", t.reviews_with_recommendations),
            ("Figures reconcile", "yes" if t.reconciles else "no"),
        ]), ()),
    )
    return Built(KpiData(p.label, sections, rel.marker, rel.max_small), who, p.label,
                 {"period": p.label})


def story(release: Release) -> list[Flowable]:
    """The report from the release alone."""
    d: KpiData = release.data
    out: list[Flowable] = pdf.header_block(release, f"Period {d.period}")
    for section in d.sections:
        out.append(pdf.p(section.title, "h1"))
        out.append(pdf.grid_table(["Measure", "Figure"],
                                  [[h.get("measure"), h.get("value")] for h in section.headline],
                                  widths=[300, 175]))
        for title, rows in section.breakdowns:
            if not rows:
                continue
            out.append(pdf.p(title, "h2"))
            out.append(pdf.grid_table(["", "Number"],
                                      [[r.get("measure"), r.get("count")] for r in rows],
                                      widths=[300, 175]))
            shown = [(str(r.get("measure")), int(r["count"])) for r in rows[:-1]
                     if isinstance(r.get("count"), int)]
            if shown:
                out.append(Spacer(1, 4))
                out.append(pdf.bar_chart(title, [m for m, _ in shown],
                                         [float(c) for _, c in shown]))
    out.append(pdf.label(f"{d.marker}: suppressed to protect confidentiality (counts of 1 "
                         f"to {d.max_small}, and any other number that would reveal them).",
                         "small"))
    return out


def render(release: Release, paths: Sequence[Path]) -> None:
    pdf.write_pdf(paths[0], release, story(release))


def export_kpi_report(ws: Workspace, period: str, out: Path,
                      recipient: str | None = None) -> ExportResult:
    """The KPI report for a quarter, year or month as a PDF (audited)."""
    return produce(ws, OUTPUT, [Path(out)],
                   lambda s, spec, proto: build(s, spec, proto, period, recipient), render)
