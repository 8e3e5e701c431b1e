"""An older database upgraded to 0006 gives every existing row its own uuid."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

from db import migrate
from db.keyslots import slot_path
from db.store import Store

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "schema-0001" / "casework.db"
PASSWORD = "fixture-0001-synthetic"


def _tables() -> list[str]:
    path = migrate.MIGRATIONS / "versions" / "0008_pgsync.py"
    spec = importlib.util.spec_from_file_location("revision_0006", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return list(module.TABLES)


def test_upgrade_backfills_a_unique_uuid_for_every_row(tmp_path: Path) -> None:
    dest = tmp_path / "casework.db"
    shutil.copy2(FIXTURE, dest)
    shutil.copy2(slot_path(FIXTURE), slot_path(dest))
    store = Store.open(dest, "admin", PASSWORD)  # opening upgrades to the newest revision
    try:
        with store.engine.connect() as conn:
            filled = 0
            for table in _tables():
                rows = conn.exec_driver_sql(
                    f"SELECT uuid, version, updated_at FROM {table}").all()
                uuids = [r[0] for r in rows]
                assert all(len(u) == 36 and u[14] == "4" and u[19] in "89ab"
                           for u in uuids), table
                assert len(set(uuids)) == len(uuids), table
                assert all(r[1] == 1 and r[2] is not None for r in rows), table
                filled += len(rows)
            assert filled > 60  # the fixture's cases and their rows
            assert conn.exec_driver_sql("SELECT count(*) FROM change_log").scalar() == 0
    finally:
        store.lock()
