"""Reports: the KPIs of a period with charts, and the exports (each off the GUI thread,
with progress and Cancel)."""

from __future__ import annotations

import html
from datetime import date
from pathlib import Path
from typing import Any

from casework.core import clock
from casework.reporting.kpi_release import STEP_LABELS
from ui.common import services
from ui.common.charts import BarChart
from ui.common.exports import describe, run_export
from ui.common.forms import humanise
from ui.common.ops import QueryOp
from ui.common.period import PeriodPicker, period_name
from ui.common.qt import (
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)
from ui.common.screen import Screen, heading


def current_quarter(today: date | None = None) -> str:
    today = today or clock.today()
    return f"{today.year}Q{(today.month - 1) // 3 + 1}"


class Page(Screen):
    """KPIs for a period; export buttons for what the role may produce."""

    title = "Reports"

    def __init__(self, ws: Any, main: Any) -> None:
        super().__init__(ws, main)
        self.kpis: Any = None
        self.last_export: Any = None
        self.loaded = False
        box = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(heading("Reports"))
        top.addStretch(1)
        self.period = PeriodPicker()
        self.period.setToolTip("A quarter, a year, a financial year, a month or two dates")
        label = QLabel("P&eriod")
        label.setBuddy(self.period.kind)
        self.show_button = QPushButton("&Show figures")
        self.show_button.setAccessibleName("Show figures")
        self.show_button.clicked.connect(self.refresh)
        self.period.changed.connect(lambda _c: self.refresh() if self.loaded else None)
        self.period.invalid.connect(self._not_a_period)
        for w in (label, self.period, self.show_button):
            top.addWidget(w)
        box.addLayout(top)
        exports = QHBoxLayout()
        self.export_buttons: dict[str, QPushButton] = {}
        for key, cap, text in (("kpi", "report.kpis", "KPI &report (PDF, CSV, XLSX)…"),
                               ("quarterly", "export.quarterly", "&Quarterly dataset…"),
                               ("trigger", "export.trigger_return",
                                "Community &Trigger return…")):
            if services.can(ws.actor, cap):
                b = QPushButton(text)
                b.setAccessibleName(text.replace("&", "").rstrip("…"))
                b.clicked.connect(lambda _c=False, k=key: self.export(k))
                exports.addWidget(b)
                self.export_buttons[key] = b
        exports.addStretch(1)
        box.addLayout(exports)
        self.status = QLabel("")
        self.status.setObjectName("caseStatus")
        self.status.setWordWrap(True)
        box.addWidget(self.status)
        self.figures = QLabel("")
        self.figures.setWordWrap(True)
        self.figures.setAccessibleName("Key figures")
        box.addWidget(self.figures)
        grid_host = QWidget()
        self.grid = QGridLayout(grid_host)
        self.can_see_kpis = services.can(ws.actor, "report.kpis")
        # A chair who may not see the partnership's KPIs sees their own panels' figures
        # instead, never charts of figures their role may not see.
        self.panel_mode = not self.can_see_kpis and services.can(ws.actor, "report.panel")
        self.panel_figures: list[Any] | None = None
        self.charts: dict[str, BarChart] = {}
        if self.can_see_kpis:
            self.charts = {k: BarChart(t) for k, t in (
                ("steps", "ASB escalation steps taken"), ("timeliness", "ASB timeliness"),
                ("referrals", "Panel referrals"), ("trigger", "Community Trigger"),
                ("contractors", "Sanctuary jobs by contractor"),
                ("exploitation", "MART exploitation types"))}
        for n, chart in enumerate(self.charts.values()):
            self.grid.addWidget(chart, n // 2, n % 2)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(grid_host)
        box.addWidget(scroll, 1)

    def refresh(self) -> None:
        ws, period = self.ws, self.period.code()
        if not period:
            self._not_a_period(self.period.error.text())
            return
        # Only the latest request's answer is shown: a slower, older count (the period
        # changed meanwhile) must not overwrite it.
        self._asked = getattr(self, "_asked", 0) + 1
        asked = self._asked

        def latest(fn: Any) -> Any:
            return lambda value: fn(value) if asked == self._asked else None

        if self.panel_mode:
            from casework.reporting.panel_figures import panel_figures

            self._counting()
            QueryOp(self, lambda: panel_figures(ws, period),
                    latest(self.show_panels)).failure(latest(self._failed)).run()
            return
        if not self.can_see_kpis:
            self.loaded = True
            return
        from casework.reporting.kpis import compute_kpis

        self._counting()
        QueryOp(self, lambda: compute_kpis(ws, period), latest(self.show_kpis)).failure(
            latest(self._failed)).run()

    def show_panels(self, figures: list[Any]) -> None:
        """The figures of each panel the chair chairs: a line of text and a chart each."""
        self.panel_figures = figures
        for chart in self.charts.values():
            self.grid.removeWidget(chart)
            chart.deleteLater()
        self.charts = {}
        label = period_name(self.period.code())
        lines = []
        for n, f in enumerate(figures):
            lines.append(
                f"<b>{html.escape(f.panel)}</b>, {label}: {f.referrals_received} referrals "
                f"received, "
                f"{f.referrals_closed} closed, {f.open_at_end} open at the period's end; "
                f"{f.meetings_held} meetings held ({f.meetings_planned} planned, not yet "
                f"held); {f.actions_completed} actions completed, {f.actions_set} due, "
                f"{f.actions_overdue} of them overdue.")
            chart = BarChart(f"{f.panel}, {label}")
            chart.set_values([("Referrals received", f.referrals_received),
                              ("Referrals closed", f.referrals_closed),
                              ("Open at the period's end", f.open_at_end),
                              ("Meetings held", f.meetings_held),
                              ("Actions completed", f.actions_completed),
                              ("Actions overdue", f.actions_overdue)])
            self.charts[f"panel{n}"] = chart
            self.grid.addWidget(chart, n // 2, n % 2)
        self._mark_stale(False)
        self.figures.setText("<br>".join(lines) or "You chair no panel, so there are no "
                                                    "panel figures to show.")
        self._say("", ok=True)
        self.loaded = True

    def _say(self, text: str, *, ok: bool) -> None:
        """A message under the buttons: green for done, red (and bold) for an error."""
        self.status.setObjectName("caseStatus" if ok else "errorMessage")
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)
        self.status.setText(text)

    def _counting(self) -> None:
        """While a new period is counted the figures on screen are another period's: they
        are greyed (stale) and the message is not a green one."""
        self._mark_stale(True)
        self.status.setObjectName("hint")
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)
        self.status.setText("Counting the figures of the chosen period…")

    def _mark_stale(self, stale: bool) -> None:
        self.figures.setEnabled(not stale)
        for chart in self.charts.values():
            chart.setEnabled(not stale)

    def _clear(self) -> None:
        """The old figures go: they are not the chosen period's."""
        self._asked = getattr(self, "_asked", 0) + 1  # an answer still on its way is dropped
        self.kpis = None
        self.panel_figures = None
        self.figures.setText("")
        for chart in self.charts.values():
            chart.set_values([])
        self._mark_stale(False)

    def _not_a_period(self, reason: str) -> None:
        """A choice that is no period (a custom range ending before it starts): an error,
        and no figures of an earlier choice left beside it."""
        self._clear()
        self._say(f"No figures: {reason}", ok=False)
        self.loaded = True

    def _failed(self, exc: BaseException) -> None:
        """An error is shown as an error, and the old figures go (they are not this
        period's)."""
        from ui.common.ops import error_text

        self._clear()
        self._say(f"The figures could not be counted: {error_text(exc)}", ok=False)
        self.loaded = True

    def show_kpis(self, k: Any) -> None:
        self.kpis = k
        self._mark_stale(False)
        a, s, pk, t = k.asb, k.sanctuary, k.panels, k.trigger
        share = f"{a.no_further_asb_share:.0%}" if a.no_further_asb_share is not None else "—"
        avg = f"£{s.average_cost_pence / 100:,.0f}" if s.average_cost_pence else "—"
        when = period_name(k.period.label)
        if ".." not in k.period.label:  # a custom period's name is its two dates already
            when += f" ({k.period.start:%d %b %Y} – {k.period.end:%d %b %Y})"
        self.figures.setText(
            f"<b>{html.escape(when)}</b>: "
            f"{a.cases_opened} ASB cases opened, {a.cases_closed} closed; no further ASB after "
            f"a first intervention: {share} (target {a.no_further_asb_target:.0%}); "
            f"CPWs {a.cpw_issued}, CPNs {a.cpn_issued} ({a.cpn_breached} breached), "
            f"ABCs {a.abcs}, guardcams {a.guardcams_installed}. Sanctuary: "
            f"{s.jobs_referred} referred, {s.jobs_completed} completed, average cost {avg}.")
        self.charts["steps"].set_values([(STEP_LABELS.get(x, humanise(x)), v) for x, v in
                                         sorted(a.steps_by_action.items())])
        self.charts["timeliness"].set_values([
            ("First contact on time", a.first_contact_on_time),
            ("First contact late", a.first_contact_late),
            ("Updates on time", a.updates_on_time), ("Updates late", a.updates_late)])
        self.charts["referrals"].set_values([(humanise(x), v) for x, v in
                                             sorted(pk.referrals.items())])
        self.charts["trigger"].set_values([
            ("Applications", t.applications), ("Threshold not met", t.threshold_not_met),
            ("Reviews", t.reviews),
            ("Reviews with recommendations", t.reviews_with_recommendations)])
        self.charts["contractors"].set_values(sorted(s.jobs_by_contractor.items()))
        self.charts["exploitation"].set_values([(humanise(x), v) for x, v in
                                                sorted(pk.mart_exploitation_types.items())])
        self._say("", ok=True)
        self.loaded = True

    def is_ready(self) -> bool:
        return self.loaded

    # -- exports ------------------------------------------------------------------------
    def export(self, key: str, out: str | None = None) -> None:
        """Run one export to a file (or folder) the user chooses."""
        span = self.period.span()
        if span is None:
            self._say(f"Nothing was exported: {self.period.error.text()}", ok=False)
            return
        period = span.code
        if key == "kpi":
            from casework.reporting.kpi_report import export_kpi_report as fn
            default, args_of = f"kpi-report-{period}.pdf", lambda p: (self.ws, period, p)
        elif key == "quarterly":
            from casework.sharing.quarterly import export_quarterly as fn
            default, args_of = f"quarterly-{period}", lambda p: (self.ws, period, p)
        else:
            from casework.trigger.annual_return import export_trigger_return as fn
            year = span.start.year
            default, args_of = f"trigger-return-{year}.pdf", lambda p: (self.ws, year, p)
        if out is None:
            start = str(Path.home() / default)
            if key == "quarterly":
                out = QFileDialog.getExistingDirectory(self, "Folder for the dataset", start)
            else:
                kinds = ("PDF (*.pdf);;CSV (*.csv);;Excel workbook (*.xlsx)" if key == "kpi"
                         else "")
                out, _ = QFileDialog.getSaveFileName(self, "Save the export", start, kinds)
            if not out:
                return

        def done(result: Any) -> None:
            self.last_export = result
            self._say(describe(result), ok=True)

        run_export(self, "Exporting under the information-sharing protocol…", fn,
                   args_of(Path(out)), done,
                   lambda exc: self._say(f"Nothing was exported: {exc}", ok=False))
