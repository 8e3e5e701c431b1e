"""The KPI report a partnership board reads: every figure the CLI prints, unambiguous
labels, totals that add up, comparisons, a trend, CSV and XLSX, and suppression of small
numbers in every output (PDF, CSV, XLSX, JSON)."""

from __future__ import annotations

import csv
import dataclasses
import json
import subprocess
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from casework.reporting import kpi_release, kpi_report, kpis

pytestmark = pytest.mark.dates

Q3 = "2026Q3"


def pdf_text(path: Path) -> str:
    raw = subprocess.run(["pdftotext", "-raw", str(path), "-"], check=True,
                         capture_output=True, text=True).stdout
    return " ".join(raw.split())


def _scale(p: kpis.Period) -> int:
    """A different figure for each period, so a comparison column can be told apart."""
    return 100 + p.start.year % 100 * 10 + p.start.month


def _fake(monkeypatch: pytest.MonkeyPatch, **overrides: Any) -> None:
    """Known KPI figures for every period (the database's figures are replaced)."""
    real_asb, real_san, real_pan = kpis._asb, kpis._sanctuary, kpis._panels

    def asb(session: Any, p: kpis.Period, today: date) -> kpis.AsbKpis:
        a = real_asb(session, p, today)
        n = _scale(p)
        values: dict[str, Any] = {
            "cases_opened": n, "first_contact_on_time": n - 20, "first_contact_late": 15,
            "first_contact_outstanding": 5, "cases_closed": 109, "closed_resolved": 60,
            "resolved_within_3_months": 31, "resolved_within_6_months": 52,
            "steps_by_action": {"closure": 109, "closure_order": 7, "cpw": 40, "cbo": 12}}
        values.update(overrides.get("asb", {}))
        return dataclasses.replace(a, **values)

    def sanctuary(session: Any, p: kpis.Period) -> kpis.SanctuaryKpis:
        s = real_san(session, p)
        return dataclasses.replace(s, feedback_collected=18, felt_safer=11,
                                   further_incidents=6, moved=3, **overrides.get("san", {}))

    def panels(session: Any, p: kpis.Period) -> kpis.PanelKpis:
        pk = real_pan(session, p)
        return dataclasses.replace(
            pk, nrm_referrals=12, duty_to_notify=9,
            nrm_decisions={"reasonable_grounds": {"positive": 8, "negative": 6},
                           "conclusive_grounds": {"positive": 3}})

    monkeypatch.setattr(kpis, "_asb", asb)
    monkeypatch.setattr(kpis, "_sanctuary", sanctuary)
    monkeypatch.setattr(kpis, "_panels", panels)


def test_every_kpi_of_the_cli_has_a_row_in_the_report():
    """Each figure of ``Kpis`` (what ``report kpis`` prints) is a row of the outputs."""
    def leaves(value: Any, path: str) -> set[str]:
        if isinstance(value, dict) and path.count(".") < 1 or path == "panels.outcomes":
            return {k for key, v in value.items() for k in leaves(v, f"{path}.{key}"
                                                                    if path else key)}
        return {path}

    empty = kpis.Kpis(kpis.parse_period(Q3), *[
        cls(**{f.name: ({} if "dict" in str(f.type) else None if "None" in str(f.type)
                        else 0) for f in dataclasses.fields(cls)})
        for cls in (kpis.AsbKpis, kpis.SanctuaryKpis, kpis.PanelKpis)],
        kpis.TriggerReturn(Q3, 0, 0, 0, 0, 0, 0, True, ()))
    data = asdict(empty)
    del data["period"]
    data["panels"]["outcomes"] = {"swip": {}, "mart": {}}
    wanted = leaves(data, "") - {"asb.no_further_asb_target", "trigger.label",
                                 "trigger.problems"}
    assert wanted - kpi_release.covered_keys() == set()


def test_pdf_has_resolution_nrm_and_dtn_compared_with_earlier_periods(db, monkeypatch,
                                                                     tmp_path):
    _fake(monkeypatch)
    out = tmp_path / "kpi.pdf"
    kpi_report.export_kpi_report(db.ws("coord"), Q3, out)
    text = pdf_text(out)
    assert "Resolved within 3 months of opening 31 31 31" in text
    assert "Resolved within 6 months of opening 52 52 52" in text
    assert "Duty to Notify reports 9 9 9" in text
    assert "NRM referrals 12 12 12" in text
    nrm = text[text.index("NRM decisions"):]
    assert "Reasonable grounds, positive 8 8 8" in nrm
    # 3 is a small number: neither it nor its label is printed, and a second count goes
    # too, or the total would give it away
    assert "Conclusive" not in nrm and "Reasonable grounds, negative" not in nrm
    assert f"{kpi_release.SUPPRESSED_ROW} [c] [c] [c] Total 17 17 17" in nrm
    # the period, the quarter before and the same quarter last year, each its own figure
    assert "Measure 2026Q3 2026Q2 2025Q3" in text
    assert "ASB cases opened 367 364 357" in text
    assert "Trend over the last eight quarters" in text
    for quarter in ("2024Q4", "2025Q1", "2025Q4", "2026Q3"):
        assert quarter in text


def test_feedback_does_not_add_overlapping_answers(db, monkeypatch, tmp_path):
    """18 forms, 11 felt safer, 6 further incidents, 3 moved: no "Total 20"."""
    _fake(monkeypatch)
    out = tmp_path / "kpi.pdf"
    kpi_report.export_kpi_report(db.ws("coord"), Q3, out)
    text = pdf_text(out)
    section = text[text.index("Sanctuary and target hardening"):text.index("SWIP and MART")]
    assert "Feedback forms collected 18" in section
    assert "Feedback: felt safer 11" in section
    assert "Total 20" not in section
    # moved 3 is small, and felt safer 11 of 18 leaves 7: only the 3 is hidden
    assert "Feedback: moved home [c]" in section


def test_case_closures_are_not_read_as_closure_orders(db, monkeypatch, tmp_path):
    _fake(monkeypatch)
    out = tmp_path / "kpi.pdf"
    kpi_report.export_kpi_report(db.ws("coord"), Q3, out)
    text = pdf_text(out)
    assert "closure 109" not in text.casefold()
    assert "Case closures 109" in text
    assert "Closure orders (premises) 7" in text


def test_kpis_as_csv_and_xlsx_through_the_pipeline_with_suppression(db, monkeypatch,
                                                                    tmp_path):
    _fake(monkeypatch, asb={"steps_by_action": {"closure": 109, "cpw": 40, "cbo": 2,
                                                "abc": 20}})
    coord = db.ws("coord")
    result = kpi_report.export_kpi_report(coord, Q3, tmp_path / "kpi.csv")
    lines = (tmp_path / "kpi.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# OFFICIAL")  # the marking line of every shared file
    rows = {(r[1], r[2]): r[3:] for r in csv.reader(lines) if len(r) > 3}
    assert rows[("", "ASB cases opened")] == ["367", "364", "357"]
    assert rows[("", "Feedback: moved home")] == ["[c]", "[c]", "[c]"]
    steps = "Escalation steps taken, by action"
    assert (steps, "Case closures") in rows and (steps, "Criminal behaviour orders") not in rows
    assert rows[(steps, kpi_release.SUPPRESSED_ROW)][0] == "[c]"
    assert result.sha256
    kpi_report.export_kpi_report(coord, Q3, tmp_path / "kpi.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "kpi.xlsx", read_only=True)
    assert wb.sheetnames == ["About", "KPIs", "Trend"]
    cells = {tuple(r[:3]): r[3:] for r in wb["KPIs"].iter_rows(values_only=True)
             if r and len(r) > 3}
    assert cells[("Sanctuary and target hardening", None, "Feedback forms collected")] == \
        (18, 18, 18)
    trend = list(wb["Trend"].iter_rows(values_only=True))
    assert trend[2] == ("Measure", *kpi_release.trend_quarters(Q3))
    # the trend counts the database itself (no ASB case in it): a count, not a marker
    assert trend[3][0] == "ASB cases opened" and trend[3][1:] == (0,) * 8


def test_cli_json_applies_the_suppression(db, monkeypatch, capsys):
    from casework.cli.main import main

    _fake(monkeypatch, asb={"cpn_issued": 3, "abcs": 0, "steps_by_action": {
        "closure": 109, "cpw": 40, "cbo": 2, "abc": 20}})
    assert main([*db.cli("coord").use(monkeypatch), "report", "kpis", "--period", Q3,
                 "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    figures = data["figures"]
    assert figures["asb.cpn_issued"] == "[c]"  # 3 CPNs: a small number
    assert figures["asb.abcs"] == 0  # a zero reveals nobody
    assert figures["asb.cases_opened"] == 367
    assert figures["sanctuary.moved"] == "[c]"
    assert "Criminal behaviour orders" not in figures["asb.steps_by_action"]
    assert [c["period"] for c in data["compared_with"]] == ["2026Q2", "2025Q3"]
    assert data["suppression"]["marker"] == "[c]"


def test_comparison_periods():
    assert kpi_release.comparisons("2026Q1") == ("2025Q4", "2025Q1")
    assert kpi_release.comparisons("2026-01") == ("2025-12", "2025-01")
    assert kpi_release.comparisons("2026") == ("2025",)
    assert kpi_release.comparisons("FY2026") == ("FY2025",)
    assert kpi_release.comparisons("2026-04-01..2026-06-30") == ()
    assert kpi_release.trend_quarters("2026Q3") == (
        "2024Q4", "2025Q1", "2025Q2", "2025Q3", "2025Q4", "2026Q1", "2026Q2", "2026Q3")


def test_trend_counts_match_the_full_kpis(db):
    from tests.casework.reporting.test_kpis import _asb_cases, _panel_referrals, _sanctuary_jobs

    _asb_cases(db)
    _sanctuary_jobs(db)
    _panel_referrals(db)
    coord = db.ws("coord")
    full = kpis.compute_kpis(coord, Q3)
    with coord.uow() as session:
        light = kpis.trend_counts(session, kpis.parse_period(Q3))
    assert light == {"asb.cases_opened": full.asb.cases_opened,
                     "asb.cases_closed": full.asb.cases_closed,
                     "sanctuary.jobs_referred": full.sanctuary.jobs_referred,
                     "panels.referrals": sum(full.panels.referrals.values())}
    assert light["asb.cases_opened"] > 0 and light["panels.referrals"] > 0
