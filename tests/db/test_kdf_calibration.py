"""Argon2id calibrated at init: about half a second, never below 64 MiB and 3 passes, and
kept in each slot."""

from __future__ import annotations

import itertools

from db import keyslots
from db.keyslots import DEFAULT_KDF, KeySlotFile, calibrate_kdf


def test_calibration_never_goes_below_the_floor():
    kdf = calibrate_kdf(target_seconds=0.0)
    assert kdf["memory_kib"] >= 65536 and kdf["time_cost"] >= 3


def test_calibration_scales_the_passes_to_the_machine(monkeypatch):
    ticks = itertools.count(step=0.05)  # one derivation at 3 passes "takes" 0.05 s
    monkeypatch.setattr(keyslots.time, "perf_counter", lambda: next(ticks))
    kdf = calibrate_kdf(target_seconds=0.5)
    assert kdf == {**DEFAULT_KDF, "time_cost": 30}


def test_init_keeps_the_calibrated_parameters_in_every_slot(tmp_path, monkeypatch):
    from db.store import Store

    chosen = {**DEFAULT_KDF, "time_cost": 4}
    monkeypatch.setattr("db.store.calibrate_kdf", lambda: dict(chosen))
    store, _recovery = Store.create(tmp_path / "k.db", "admin", "a long admin password")
    store.lock()
    slots = KeySlotFile.load(tmp_path / "k.db")
    assert slots.kdf == chosen and all(s.kdf == chosen for s in slots.slots)
    Store.open(tmp_path / "k.db", "admin", "a long admin password").lock()
