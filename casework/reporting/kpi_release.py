"""The KPIs as a board reads them: every figure ``casework-cli report kpis`` prints, with a
plain label, compared with the previous period and the same period a year before, and
protected by the protocol's small-number suppression.

One list of ``Row`` serves every output of the KPIs (the PDF, CSV, XLSX and the CLI's
JSON), so they cannot disagree. A row's ``key`` is the figure's path in ``kpis.Kpis``
(``asb.resolved_within_3_months``); a breakdown's rows share the key of its mapping.

Suppression (per period, as each period is published on its own):
- a count of 1 to ``max_small`` is shown as the marker;
- a count that is part of a published whole (first contact on time of cases opened, felt
  safer of feedback forms) is also hidden when the rest of the whole is small, which would
  otherwise give the small number away by subtraction;
- a breakdown (steps by action, jobs by contractor...) is a table with its total, protected
  by primary and secondary suppression (``disclosure.protect``); a category suppressed in
  every period compared prints no label, and such categories share one row;
- a share or an average built on a suppressed count is suppressed with it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from casework.reporting import kpis
from casework.sharing import disclosure as dc

SUPPRESSED_ROW = "Other categories (suppressed)"
DEFAULT_MARKER = "[c]"

STEP_LABELS = {
    "verbal_warning": "Verbal warnings", "first_warning_letter": "First warning letters",
    "second_warning_letter": "Second warning letters", "home_visit": "Home visits",
    "abc": "Acceptable behaviour contracts", "cpw": "Community protection warnings",
    "cpn": "Community protection notices", "injunction": "Injunctions",
    "closure_notice": "Closure notices (premises)", "closure_order": "Closure orders (premises)",
    "closure_order_extension": "Closure order extensions (premises)",
    "tenancy_enforcement": "Tenancy enforcement", "possession": "Possession proceedings",
    "cbo": "Criminal behaviour orders", "de_escalation": "De-escalations",
    "closure": "Case closures",
}
PANEL_LABELS = {"swip": "SWIP", "mart": "MART"}


def plain(code: str) -> str:
    """A code as words: ``county_lines`` -> "County lines"."""
    text = (code or "not recorded").replace("_", " ")
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class Row:
    """One line of the report: ``values`` holds one released value per period compared
    (an int, a formatted text, or the marker)."""

    section: str
    group: str  # "" for a headline figure, else the breakdown's title
    label: str
    key: str
    values: tuple[Any, ...]


@dataclass(frozen=True)
class Released:
    periods: tuple[str, ...]  # the period, then what it is compared with
    rows: tuple[Row, ...]
    marker: str
    max_small: int


class _Guard:
    def __init__(self, max_small: int, marker: str) -> None:
        self.max_small = max_small
        self.marker = marker

    def small(self, n: int | None) -> bool:
        return n is not None and 1 <= n <= self.max_small

    def count(self, n: int, whole: int | None = None) -> Any:
        """A count, hidden when small, or when the rest of ``whole`` is small."""
        if self.small(n) or (whole is not None and self.small(whole - n)):
            return self.marker
        return n


def _pct(v: float | None) -> str:
    return "n/a" if v is None else f"{v:.0%}"


def _money(pence: int | None) -> str:
    return "n/a" if pence is None else f"£{pence / 100:,.2f}"


Figure = Callable[[kpis.Kpis, _Guard], Any]


def _headline() -> list[tuple[str, str, str, Figure]]:
    """(section, label, key, figure) for every single-valued KPI, in the CLI's order."""
    def a(name: str, whole: str | None = None) -> Figure:
        return lambda k, g: g.count(getattr(k.asb, name),
                                    getattr(k.asb, whole) if whole else None)

    def s(name: str, whole: str | None = None) -> Figure:
        return lambda k, g: g.count(getattr(k.sanctuary, name),
                                    getattr(k.sanctuary, whole) if whole else None)

    def p(name: str) -> Figure:
        return lambda k, g: g.count(getattr(k.panels, name))

    def t(name: str) -> Figure:
        return lambda k, g: g.count(getattr(k.trigger, name))

    def share(k: kpis.Kpis, g: _Guard) -> Any:
        x = k.asb
        if g.small(x.subjects_first_intervention) or g.small(x.subjects_no_further_asb) or \
                g.small(x.subjects_first_intervention - x.subjects_no_further_asb):
            return g.marker
        return _pct(x.no_further_asb_share)

    def avg_cost(k: kpis.Kpis, g: _Guard) -> Any:
        x = k.sanctuary
        return g.marker if g.small(x.jobs_completed) else _money(x.average_cost_pence)

    def total_cost(k: kpis.Kpis, g: _Guard) -> Any:
        x = k.sanctuary
        return g.marker if g.small(x.jobs_completed) else _money(x.total_cost_pence)

    def avg_days(k: kpis.Kpis, g: _Guard) -> Any:
        x = k.sanctuary
        if g.small(x.jobs_completed):
            return g.marker
        d = x.average_days_to_completion
        return "n/a" if d is None else f"{d:.1f}"

    ASB, SAN, PAN = "Anti-social behaviour", "Sanctuary and target hardening", "SWIP and MART"
    TRI = "Community Trigger (applications received in the period)"
    return [
        (ASB, "ASB cases opened", "asb.cases_opened", a("cases_opened")),
        (ASB, "First contact on time", "asb.first_contact_on_time",
         a("first_contact_on_time", "cases_opened")),
        (ASB, "First contact late", "asb.first_contact_late",
         a("first_contact_late", "cases_opened")),
        (ASB, "First contact outstanding", "asb.first_contact_outstanding",
         a("first_contact_outstanding", "cases_opened")),
        (ASB, "Complainant updates due", "asb.updates_due", a("updates_due")),
        (ASB, "Updates made on time", "asb.updates_on_time", a("updates_on_time", "updates_due")),
        (ASB, "Updates made late", "asb.updates_late", a("updates_late", "updates_due")),
        (ASB, "Updates overdue (not made)", "asb.updates_overdue",
         a("updates_overdue", "updates_due")),
        (ASB, "ASB cases closed (case closures)", "asb.cases_closed", a("cases_closed")),
        (ASB, "Closed cases resolved", "asb.closed_resolved", a("closed_resolved", "cases_closed")),
        (ASB, "Resolved within 3 months of opening", "asb.resolved_within_3_months",
         a("resolved_within_3_months", "closed_resolved")),
        (ASB, "Resolved within 6 months of opening", "asb.resolved_within_6_months",
         a("resolved_within_6_months", "closed_resolved")),
        (ASB, "Subjects with a first intervention", "asb.subjects_first_intervention",
         a("subjects_first_intervention")),
        (ASB, "Of them, no further ASB", "asb.subjects_no_further_asb",
         a("subjects_no_further_asb", "subjects_first_intervention")),
        (ASB, f"No further ASB after first intervention (target "
              f"{kpis.NO_FURTHER_ASB_TARGET:.0%})", "asb.no_further_asb_share", share),
        (ASB, "Community protection warnings issued", "asb.cpw_issued", a("cpw_issued")),
        (ASB, "Community protection notices issued", "asb.cpn_issued", a("cpn_issued")),
        (ASB, "Community protection notices breached", "asb.cpn_breached", a("cpn_breached")),
        (ASB, "Acceptable behaviour contracts", "asb.abcs", a("abcs")),
        (ASB, "Tenancy enforcement and possession steps", "asb.tenancy_enforcement",
         a("tenancy_enforcement")),
        (ASB, "Guardcams installed (ASB cases opened)", "asb.guardcams_installed",
         a("guardcams_installed", "cases_opened")),
        (SAN, "Jobs referred", "sanctuary.jobs_referred", s("jobs_referred")),
        (SAN, "Jobs completed", "sanctuary.jobs_completed", s("jobs_completed")),
        (SAN, "Total cost of completed jobs", "sanctuary.total_cost_pence", total_cost),
        (SAN, "Average cost per completed job", "sanctuary.average_cost_pence", avg_cost),
        (SAN, "Average days from referral to completion",
         "sanctuary.average_days_to_completion", avg_days),
        (SAN, "Guardcams fitted (completed jobs)", "sanctuary.guardcams_fitted",
         s("guardcams_fitted")),
        (SAN, "Feedback forms collected", "sanctuary.feedback_collected",
         s("feedback_collected")),
        (SAN, "Feedback: felt safer", "sanctuary.felt_safer",
         s("felt_safer", "feedback_collected")),
        (SAN, "Feedback: further incidents", "sanctuary.further_incidents",
         s("further_incidents", "feedback_collected")),
        (SAN, "Feedback: moved home", "sanctuary.moved", s("moved", "feedback_collected")),
        (PAN, "MART victims who are children", "panels.mart_children", p("mart_children")),
        (PAN, "MART victims who are adults", "panels.mart_adults", p("mart_adults")),
        (PAN, "NRM referrals", "panels.nrm_referrals", p("nrm_referrals")),
        (PAN, "Duty to Notify reports", "panels.duty_to_notify", p("duty_to_notify")),
        (TRI, "Applications", "trigger.applications", t("applications")),
        (TRI, "Threshold not met", "trigger.threshold_not_met", t("threshold_not_met")),
        (TRI, "Threshold met", "trigger.threshold_met", t("threshold_met")),
        (TRI, "Threshold not yet decided", "trigger.undecided", t("undecided")),
        (TRI, "Reviews carried out", "trigger.reviews", t("reviews")),
        (TRI, "Reviews that made recommendations", "trigger.reviews_with_recommendations",
         t("reviews_with_recommendations")),
        (TRI, "Figures reconcile (reviews no more than applications meeting the threshold)",
         "trigger.reconciles", lambda k, g: "yes" if k.trigger.reconciles else "no"),
    ]


def _breakdowns() -> list[tuple[str, str, str, Callable[[kpis.Kpis], Mapping[str, int]],
                                Callable[[str], str]]]:
    """(section, title, key, counts, label) for every KPI that is a mapping."""
    ASB, SAN, PAN = "Anti-social behaviour", "Sanctuary and target hardening", "SWIP and MART"

    def outcomes(ctype: str) -> Callable[[kpis.Kpis], Mapping[str, int]]:
        return lambda k: k.panels.outcomes.get(ctype, {})

    def decisions(k: kpis.Kpis) -> Mapping[str, int]:
        return {f"{kind}:{sign}": n for kind, signs in k.panels.nrm_decisions.items()
                for sign, n in signs.items()}

    def decision_label(key: str) -> str:
        kind, _, sign = key.partition(":")
        return f"{plain(kind)}, {sign}"

    return [
        (ASB, "Escalation steps taken, by action", "asb.steps_by_action",
         lambda k: k.asb.steps_by_action, lambda c: STEP_LABELS.get(c, plain(c))),
        (ASB, "Action taken on CPN breaches", "asb.cpn_breach_actions",
         lambda k: k.asb.cpn_breach_actions, plain),
        (SAN, "Jobs referred, by contractor", "sanctuary.jobs_by_contractor",
         lambda k: k.sanctuary.jobs_by_contractor,
         lambda c: "Not yet assigned" if c == "not_yet_assigned" else c),
        (PAN, "Referrals received, by panel", "panels.referrals",
         lambda k: k.panels.referrals, lambda c: PANEL_LABELS.get(c, plain(c))),
        (PAN, "Referrals open at the period's end, by panel", "panels.open_at_end",
         lambda k: k.panels.open_at_end, lambda c: PANEL_LABELS.get(c, plain(c))),
        (PAN, "SWIP referrals closed, by outcome", "panels.outcomes.swip", outcomes("swip"),
         plain),
        (PAN, "MART referrals closed, by outcome", "panels.outcomes.mart", outcomes("mart"),
         plain),
        (PAN, "MART referrals, by exploitation type", "panels.mart_exploitation_types",
         lambda k: k.panels.mart_exploitation_types, plain),
        (PAN, "NRM decisions (reasonable and conclusive grounds)", "panels.nrm_decisions",
         decisions, decision_label),
    ]


def _breakdown_rows(section: str, title: str, key: str, counts: Sequence[Mapping[str, int]],
                    label: Callable[[str], str], g: _Guard) -> list[Row]:
    cats = sorted({c for m in counts for c, n in m.items() if n}, key=lambda c: label(c))
    if not cats:
        return [Row(section, title, "Total", key, tuple(0 for _ in counts))]
    released: list[dict[str, Any]] = []
    for m in counts:
        table = dc.Table(key, title, "", ["count"], list(cats),
                         [[int(m.get(c, 0)) for c in cats]])
        cells = dc.protect(table, g.max_small, 0, g.marker).cells[0]
        released.append({c: (g.marker if v is None else v)
                         for c, v in zip([*cats, "__total__"], cells, strict=True)})
    shown = [c for c in cats if any(r[c] != g.marker and r[c] for r in released)]
    hidden = [c for c in cats if c not in shown]
    rows = [Row(section, title, label(c), key, tuple(r[c] for r in released)) for c in shown]
    if hidden:
        rows.append(Row(section, title, SUPPRESSED_ROW, key, tuple(
            g.marker if any(r[c] == g.marker for c in hidden) else 0 for r in released)))
    rows.append(Row(section, title, "Total", key, tuple(r["__total__"] for r in released)))
    return rows


def release(results: Sequence[kpis.Kpis], max_small: int,
            marker: str = DEFAULT_MARKER) -> Released:
    """The rows of the report for ``results`` (the period first, then its comparisons)."""
    g = _Guard(max_small, marker)
    rows: list[Row] = []
    heads = _headline()
    breakdowns = _breakdowns()
    sections = list(dict.fromkeys([h[0] for h in heads]))
    for section in sections:
        rows += [Row(section, "", label, key, tuple(fig(k, g) for k in results))
                 for sec, label, key, fig in heads if sec == section]
        for sec, title, key, counts, label_of in breakdowns:
            if sec == section:
                rows += _breakdown_rows(section, title, key, [counts(k) for k in results],
                                        label_of, g)
    return Released(tuple(k.period.label for k in results), tuple(rows), marker, max_small)


def as_json(released: Released) -> dict[str, Any]:
    """The released figures of each period, by key: ``{"period": ..., "compared_with":
    [...], "figures": {key: value or {label: value}}}`` (labels of breakdowns)."""
    def of(i: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for r in released.rows:
            if r.group:
                out.setdefault(r.key, {})[r.label] = r.values[i]
            else:
                out[r.key] = r.values[i]
        return out

    return {"period": released.periods[0], "suppression": {
        "marker": released.marker,
        "rule": f"counts of 1 to {released.max_small}, and any number that would reveal "
                f"them, are shown as {released.marker}"},
        "figures": of(0),
        "compared_with": [{"period": p, "figures": of(i)}
                          for i, p in enumerate(released.periods) if i > 0]}


def covered_keys() -> set[str]:
    """Every KPI key a row is made for (a test checks this against ``kpis.Kpis``)."""
    return {h[2] for h in _headline()} | {b[2] for b in _breakdowns()}


# -- comparisons and trend -----------------------------------------------------------------

def comparisons(label: str) -> tuple[str, ...]:
    """The periods ``label`` is compared with: the one before, and the same one a year
    earlier (a year, calendar or financial, with the year before only; a custom range of
    dates with nothing)."""
    p = kpis.parse_period(label)
    y, m = p.start.year, p.start.month
    if ".." in p.label:
        return ()
    if p.label.startswith("FY"):
        return (f"FY{y - 1}",)
    if label.upper().count("Q"):
        q = (m - 1) // 3 + 1
        prev = f"{y - 1}Q4" if q == 1 else f"{y}Q{q - 1}"
        return prev, f"{y - 1}Q{q}"
    if "-" in p.label:
        prev = f"{y - 1}-12" if m == 1 else f"{y}-{m - 1:02d}"
        return prev, f"{y - 1}-{m:02d}"
    return (str(y - 1),)


def trend_quarters(label: str, count: int = 8) -> tuple[str, ...]:
    """The ``count`` quarters ending with the one ``label`` ends in, oldest first."""
    p = kpis.parse_period(label)
    y, q = p.end.year, (p.end.month - 1) // 3 + 1
    out: list[str] = []
    for _ in range(count):
        out.append(f"{y}Q{q}")
        y, q = (y - 1, 4) if q == 1 else (y, q - 1)
    return tuple(reversed(out))


TREND_KEYS = (("asb.cases_opened", "ASB cases opened"),
              ("asb.cases_closed", "ASB cases closed"),
              ("sanctuary.jobs_referred", "Sanctuary jobs referred"),
              ("panels.referrals", "Panel referrals"))


def trend(results: Sequence[tuple[str, Mapping[str, int]]], g_max: int,
          marker: str = DEFAULT_MARKER
          ) -> tuple[tuple[str, ...], tuple[tuple[str, tuple[int | None, ...]], ...]]:
    """Quarter labels and, per trend figure, its published value in each quarter (None when
    suppressed). ``results`` holds each quarter's ``kpis.trend_counts``."""
    g = _Guard(g_max, marker)
    lines = []
    for key, lab in TREND_KEYS:
        vals = tuple(None if g.small(counts[key]) else counts[key] for _q, counts in results)
        lines.append((lab, vals))
    return tuple(q for q, _c in results), tuple(lines)
