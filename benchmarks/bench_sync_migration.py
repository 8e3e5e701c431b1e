"""How long the 0006 revision (uuid, version and updated_at on every case-data row, the
change log) takes on a large file database. Standalone::

    .venv/bin/python -m benchmarks.bench_sync_migration [CASES]

Builds a demo database of CASES synthetic cases (default 100,000) at the newest
revision, takes 0006 off again with SQLite's own DROP COLUMN (no table copy), and times
the upgrade from 0005 to 0006 on the SQLCipher file.
"""

from __future__ import annotations

import importlib.util
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select

from casework.admin import newdb
from casework.core import users
from casework.demo import generator
from db import migrate
from db.models import Case
from db.store import Store

PASSWORD = "bench-sync-Passphrase-42"
TARGET_PER_100K = 30.0  # seconds for 100,000 cases (about 1.2 million rows)


def _revision_0006() -> object:
    path = migrate.MIGRATIONS / "versions" / "0008_pgsync.py"
    spec = importlib.util.spec_from_file_location("revision_0006", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _generate(cases: int) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="casework-sync-bench-"))
    path = folder / "bench.db"
    ws, _recovery = newdb.init_database(path, "admin", PASSWORD)
    users.ensure_team(ws, "ASB Team", "asb")
    users.ensure_team(ws, "Sanctuary Team", "sanctuary")
    users.ensure_panel(ws, "SWIP Panel", "swip")
    users.ensure_panel(ws, "MART Panel", "mart")
    started = time.perf_counter()
    generator.generate(ws, cases, 2026)
    print(f"generated {cases} cases in {time.perf_counter() - started:.1f} s ({path})")
    ws.lock()
    return path


def main(argv: list[str]) -> int:
    """``[CASES [PATH]]``: PATH reuses a database an earlier run generated."""
    cases = int(argv[0]) if argv else 100_000
    path = Path(argv[1]) if len(argv) > 1 else _generate(cases)
    m6 = _revision_0006()
    store = Store.open(path, "admin", PASSWORD)
    try:
        with store.engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE change_log")
            rows = 0
            for table in m6.TABLES:  # type: ignore[attr-defined]
                rows += conn.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar() or 0
                conn.exec_driver_sql(f"DROP INDEX ix_{table}_uuid")
                for column in ("uuid", "version", "updated_at"):
                    if column == "updated_at" and table not in m6.UNSTAMPED:  # type: ignore[attr-defined]
                        continue
                    conn.exec_driver_sql(f"ALTER TABLE {table} DROP COLUMN {column}")
            conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0005_lifecycle'")
        started = time.perf_counter()
        migrate.upgrade(store.engine)
        took = time.perf_counter() - started
        with store.engine.connect() as conn:
            n = conn.execute(select(func.count()).select_from(Case)).scalar()
            blank = conn.exec_driver_sql("SELECT count(*) FROM cases WHERE uuid = ''").scalar()
    finally:
        store.lock()
    target = TARGET_PER_100K * cases / 100_000
    print(f"0005 -> 0006 on {n} cases, {rows} synced rows: {took:.1f} s "
          f"(target {target:.0f} s) {'PASS' if took <= target and not blank else 'FAIL'}")
    return 0 if took <= target and not blank else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
