"""The benchmark code runs (small sizes, in process) so that it cannot rot unnoticed."""

from __future__ import annotations

import pytest

from benchmarks import run


def test_quick_foundation_benchmarks_run_and_print_the_table(
        tmp_path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("CASEWORK_BENCH_DIR", str(tmp_path))
    assert run.main(["--quick", "--only", "foundation", "--size", "120"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("| scenario")
    for scenario in ("unlock", "generate demo database", "case list first page",
                     "search as you type", "read every visible case row"):
        assert scenario in out
    assert "ERROR" not in out and "MISSING" not in out


def test_table_reports_missing_and_failing_modules() -> None:
    rows = run.table_rows([
        run.Outcome("ui", [], "not present"),
        run.Outcome("audit", [{"scenario": "verify", "size": 10, "seconds": 0.5,
                               "cpu_seconds": 0.125, "baseline_seconds": 0.25,
                               "target_seconds": 1.0}]),
    ])
    assert rows[0][-1] == "MISSING"
    row = dict(zip(run.COLUMNS, rows[1], strict=True))
    assert row["ratio"] == "2.00x" and row["CPU"] == "125.0 ms" and row["result"] == "PASS"
    assert "verify" in run.render(rows)


def test_benchmark_databases_are_made_by_the_product(tmp_path) -> None:
    from sqlalchemy import select

    from benchmarks.bench_audit import fast_database
    from db.models import AuditEntry

    ws = fast_database(tmp_path / "bench.db")
    try:
        assert ws.actor.role == "administrator"
        with ws.uow() as session:
            actions = list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)))
        assert actions[:2] == ["database.create", "user.add"]
    finally:
        ws.lock()
