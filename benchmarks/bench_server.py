"""Team server timings on the local PostgreSQL (127.0.0.1 only, bounded iterations):
case list first page, search as you type, save with audit (alone and with 20 concurrent
writers), as a case manager under row-level security.

    .venv/bin/python -m benchmarks.bench_server --cases 100000

It makes a scratch database and roles of its own (``CASEWORK_TEST_PG`` names the set-up
connection, default postgresql://postgres@127.0.0.1:5432/postgres?sslmode=disable) and
drops them at the end. Rows are synthetic.
"""

from __future__ import annotations

import argparse
import os
import statistics
import threading
import time
from collections.abc import Callable

import psycopg
from sqlalchemy.engine import make_url

from casework.cases import caselist, lifecycle, search
from casework.server import session, setup

ADMIN = os.environ.get("CASEWORK_TEST_PG",
                       "postgresql://postgres@127.0.0.1:5432/postgres?sslmode=disable")
PASSWORD = "benchmark horse battery staple 9"


def _p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1] if len(samples) >= 20 else max(samples)


def _time(fn: Callable[[], object], n: int) -> list[float]:
    out = []
    for _ in range(n):
        t = time.perf_counter()  # a duration, not the time of day
        fn()
        out.append(time.perf_counter() - t)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=100_000)
    ap.add_argument("--writers", type=int, default=20)
    args = ap.parse_args(argv)
    prefix = f"cwb{os.getpid()}"
    name = f"{prefix}_bench"
    url = make_url(ADMIN).set(database=name).render_as_string(hide_password=False)
    with psycopg.connect(ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    roles = [f"{prefix}_cm", *(f"{prefix}_r_{r}" for r in setup.SERVER_ROLES),
             f"{prefix}_user", f"{prefix}_owner"]
    try:
        setup.init(url, prefix=prefix)
        setup.add_user(url, f"{prefix}_cm", PASSWORD, "case_manager", team="ASB One",
                       prefix=prefix)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("SET search_path = casework")
            team = conn.execute("SELECT id FROM teams WHERE name = 'ASB One'").fetchone()[0]
            other = conn.execute("INSERT INTO teams (name, kind) VALUES ('ASB Two', 'asb') "
                                 "RETURNING id").fetchone()[0]
            t0 = time.perf_counter()
            conn.execute(
                "INSERT INTO cases (reference, case_type, status, opened_on, team_id, "
                "risk_level, summary, created_at, updated_at) SELECT 'ASB-2026-' || "
                "lpad(g::text, 7, '0'), 'asb', "
                "CASE WHEN g %% 3 = 0 THEN 'closed' ELSE 'open' END, date '2026-01-01' + "
                "(g %% 330), CASE WHEN g %% 2 = 0 THEN %s ELSE %s END, 'standard', "
                "'synthetic', timestamp '2026-01-01', timestamp '2026-01-01' "
                "FROM generate_series(1, %s) g", (team, other, args.cases))
            conn.execute("INSERT INTO people (given_name, family_name, gender, phone, email, "
                         "flag_mental_health, flag_disability, flag_age, flag_repeat_victim, "
                         "flag_hate_motivated, consent, notes, anonymised, created_at, "
                         "updated_at) SELECT 'Given' || g, "
                         "'Synth' || g, 'not_known', '', '', false, false, false, false, "
                         "false, 'not_sought', '', false, timestamp '2026-01-01', "
                         "timestamp '2026-01-01' FROM generate_series(1, %s) g",
                         (args.cases,))
            conn.execute("INSERT INTO case_parties (case_id, person_id, role, agency) "
                         "SELECT id, id, 'complainant', '' FROM cases")
            conn.execute("ANALYZE")
            load = time.perf_counter() - t0
        u = make_url(ADMIN)
        server = f"postgresql://{u.host}:{u.port or 5432}/{name}?sslmode=disable"
        ws = session.open_url(server, f"{prefix}_cm", PASSWORD)
        flt = caselist.CaseFilter()
        first = _time(lambda: caselist.fetch_cases(ws, flt, 0, 50), 10)
        typed = _time(lambda: search.search(ws, "synth12"), 30)
        mine = caselist.fetch_cases(ws, flt, 0, 1)[0].id
        saves = _time(lambda: lifecycle.add_note(ws, mine, "synthetic"), 40)
        spaces = [session.open_url(server, f"{prefix}_cm", PASSWORD)
                  for _ in range(args.writers)]
        together: list[float] = []
        lock = threading.Lock()

        def write(w: object) -> None:
            got = _time(lambda: lifecycle.add_note(w, mine, "synthetic"), 10)  # type: ignore[arg-type]
            with lock:
                together.extend(got)

        threads = [threading.Thread(target=write, args=(w,)) for w in spaces]
        for t in threads:
            t.start()
        for t in threads:
            t.join(300)
        for w in (ws, *spaces):
            w.lock()
        print(f"| scenario ({args.cases:,} cases, half visible) | median ms | p95 ms |")
        print("|---|---|---|")
        print(f"| load (generate_series, as set-up role) | {load * 1000:.0f} | |")
        for label, xs in (("case list first page", first), ("search as you type", typed),
                          ("save with audit, alone", saves),
                          (f"save with audit, {args.writers} concurrent writers", together)):
            print(f"| {label} | {statistics.median(xs) * 1000:.1f} | {_p95(xs) * 1000:.1f} |")
    finally:
        with psycopg.connect(ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            for r in roles:
                conn.execute(f'DROP ROLE IF EXISTS "{r}"')
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
