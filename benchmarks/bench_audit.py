"""Benchmark: ``audit verify`` over a large chain (target: 1,000,000 entries under 10 s).

``run(size)`` builds a database with ``size`` audit entries (hashes computed in Python,
a signed head every two entries, rows bulk-inserted), then times ``casework.audit.verify``
against a baseline that only fetches the same rows. Standalone::

    .venv/bin/python -m benchmarks.bench_audit [SIZE]
"""

from __future__ import annotations

import base64
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from casework.admin import newdb
from casework.core import audit
from casework.core.audit_chain import head_message
from casework.core.context import Workspace

PASSWORD = "benchmark password"
# Cheap Argon2id for throwaway databases only: benchmarks open them many times.
FAST_KDF = {"memory_kib": 8192, "time_cost": 1, "parallelism": 1}
TARGET_SECONDS = 10.0
ACTIONS = ("view", "case.update", "search", "note.add", "login", "export.quarterly")


def fast_database(path: Path, username: str = "admin") -> Workspace:
    """A new encrypted database with one administrator, keyed with a cheap KDF."""
    ws, _recovery = newdb.init_database(path, username, PASSWORD, kdf=FAST_KDF)
    return ws


def append_entries(ws: Workspace, n: int, batch: int = 50000, per_head: int = 2) -> None:
    """Append ``n`` valid chained entries quickly (raw executemany, one transaction per
    batch), continuing from the current head, with a head signed by the signed-in user
    every ``per_head`` entries (as if each transaction wrote that many)."""
    head = audit.current_head(ws)
    seq, prev = head.seq, head.hash
    signer = ws.store.unlocked_as
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    conn = ws.store.raw_connection()
    try:
        done = 0
        while done < n:
            rows: list[tuple[Any, ...]] = []
            heads: list[tuple[Any, ...]] = []
            size = min(batch, n - done)
            for i in range(size):
                seq += 1
                ts = (t0 + timedelta(milliseconds=seq)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
                action = ACTIONS[seq % len(ACTIONS)]
                rid = str(seq % 5000)
                detail = f'{{"count":{seq % 17}}}' if seq % 3 == 0 else ""
                body = audit.canonical(seq, ts, 1, signer, action, "case", rid, "", detail)
                prev = audit.chain_hash(prev, seq, body)
                rows.append((seq, ts, 1, signer, action, "case", rid, "", detail, prev))
                if seq % per_head == 0 or i == size - 1:
                    key_id, sig = ws.store.sign(head_message(seq, prev, signer))
                    heads.append((seq, key_id, base64.b64encode(sig).decode("ascii")))
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(
                "INSERT INTO audit_entries (seq, ts, user_id, username, action, record_type,"
                " record_id, reason, detail, hash) VALUES (?,?,?,?,?,?,?,?,?,?)", rows)
            conn.executemany(
                "INSERT INTO audit_heads (seq, key_id, signature) VALUES (?,?,?)", heads)
            conn.execute("COMMIT")
            done += len(rows)
    finally:
        conn.close()


def _fetch_only(ws: Workspace) -> int:
    conn = ws.store.raw_connection()
    try:
        cur = conn.execute("SELECT seq, ts, user_id, username, action, record_type, "
                           "record_id, reason, detail, hash FROM audit_entries ORDER BY seq")
        n = 0
        while rows := cur.fetchmany(audit.FETCH_ROWS):
            n += len(rows)
        return n
    finally:
        conn.close()


def run(size: int = 1_000_000) -> list[dict[str, Any]]:
    """Time ``audit verify`` over ``size`` entries; baseline = fetching the rows only."""
    with tempfile.TemporaryDirectory() as tmp:
        ws = fast_database(Path(tmp) / "bench.db")
        try:
            t = time.perf_counter()
            append_entries(ws, size - audit.current_head(ws).seq)
            build = time.perf_counter() - t
            t = time.perf_counter()
            fetched = _fetch_only(ws)
            baseline = time.perf_counter() - t
            t, c = time.perf_counter(), time.process_time()
            result = audit.verify(ws)
            seconds, cpu = time.perf_counter() - t, time.process_time() - c
        finally:
            ws.lock()
        cli_seconds, cli_cpu, cli_code = _cli_verify(Path(tmp) / "bench.db")
    if not result.ok or result.count != fetched:
        raise AssertionError(f"verify failed on an untouched chain: {result.problem}")
    return [{
        "scenario": "audit verify", "size": result.count, "seconds": round(seconds, 3),
        "cpu_seconds": round(cpu, 3),
        "baseline_seconds": round(baseline, 3), "target_seconds": TARGET_SECONDS,
        "build_seconds": round(build, 1), "ok": seconds < TARGET_SECONDS,
    }, {
        "scenario": "casework-cli audit verify (unlock + verify + audit entry)",
        "size": result.count, "seconds": round(cli_seconds, 3),
        "cpu_seconds": round(cli_cpu, 3),
        "baseline_seconds": round(baseline, 3), "target_seconds": TARGET_SECONDS,
        "ok": cli_code == 0 and cli_seconds < TARGET_SECONDS,
    }]


def _cli_verify(path: Path) -> tuple[float, float, int]:
    """Time the command itself, in-process (its output is swallowed): wall and CPU."""
    import contextlib
    import io
    import os

    from casework.cli.main import main as cli

    old = os.environ.get("CASEWORK_PASSWORD")
    os.environ["CASEWORK_PASSWORD"] = PASSWORD
    try:
        t, c = time.perf_counter(), time.process_time()
        with contextlib.redirect_stdout(io.StringIO()):
            code = cli(["--db", str(path), "--user", "admin", "audit", "verify"])
        return time.perf_counter() - t, time.process_time() - c, code
    finally:
        if old is None:
            del os.environ["CASEWORK_PASSWORD"]
        else:
            os.environ["CASEWORK_PASSWORD"] = old


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    size = int(args[0]) if args else 1_000_000
    rows = run(size)
    for row in rows:
        built = f", chain built in {row['build_seconds']} s" if "build_seconds" in row else ""
        print(f"{row['scenario']}: {row['size']:,} entries in {row['seconds']:.2f} s "
              f"({row['cpu_seconds']:.2f} s CPU; fetch-only baseline "
              f"{row['baseline_seconds']:.2f} s, target "
              f"< {row['target_seconds']:.0f} s{built}) "
              f"{'PASS' if row['ok'] else 'FAIL'}", flush=True)
    return 0 if all(r["ok"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
