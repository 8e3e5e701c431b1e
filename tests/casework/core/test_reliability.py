"""The short version of the reliability suite (the full one: benchmarks/reliability.py)."""

from __future__ import annotations

import pytest

from benchmarks import reliability


@pytest.mark.slow
def test_sigkill_during_writes_loses_nothing():
    row = reliability.sigkill(kills=8, seed=11)
    assert row["committed"] > 0
    assert (row["lost_committed"], row["cases_without_audit"], row["check_failures"],
            row["verify_failures"]) == (0, 0, 0, 0)


def test_full_disk_during_backup_and_export_keeps_the_previous_file():
    rows = reliability.disk_full(cases=3)
    assert {r["scenario"] for r in rows} >= {"disk full during backup (injected ENOSPC)",
                                             "disk full during export (injected ENOSPC)"}
    for r in rows:
        assert r["failed_as_expected"] and r["previous_intact"] and not r["partial_files"], r


def test_every_byte_flip_is_detected():
    row = reliability.byte_flips(flips=60, seed=5)
    assert row["free_pages"] > 0
    assert row["missed_pages"] == [] and row["detected"] == 60
