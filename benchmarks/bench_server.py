"""Team server timings on the local PostgreSQL (127.0.0.1 only, bounded iterations), beside
the encrypted file for the same scenarios: case list first page, search as you type, save
with audit (alone, and with concurrent writers on the server), all KPIs for a quarter and
the quarterly dataset; a case manager under row-level security.

    .venv/bin/python -m benchmarks.bench_server --cases 200000 --writers 20

The server side is a scratch database with roles of its own (``CASEWORK_TEST_PG`` names the
set-up connection, default postgresql://postgres@127.0.0.1:5432/postgres?sslmode=disable),
bulk-loaded by the set-up role in a few set-based statements (trigram indexes built after
the load), and dropped at the end. The file side is ``bench_foundation``'s cached demo
database of the same size (``--no-file`` leaves it out). Rows are synthetic on both sides.

Writers run as separate processes (one session each, as separate desktops would), all
starting together and saving back to back, each signed in as a case manager of their own
(of one team; ``--one-login``: all as one).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
from psycopg import pq
from sqlalchemy.engine import make_url

from casework.cases import caselist, lifecycle, search
from casework.core import changefeed
from casework.server import session, setup
from db.server import chain, policies

ADMIN = os.environ.get("CASEWORK_TEST_PG",
                       "postgresql://postgres@127.0.0.1:5432/postgres?sslmode=disable")
PASSWORD = "benchmark horse battery staple 9"
QUARTER = "2026Q3"
SAVES_EACH = 10
DESK_SAVES = 180  # the desktop's saves beside the stand-ins: enough for a steady p95

# Synthetic name parts: names are built from them, so prefixes match many people (as
# real surnames do) without any real person's data.
_GIVEN = ("Alex", "Sam", "Jo", "Chris", "Robin", "Taylor", "Jordan", "Casey", "Morgan",
          "Jamie", "Charlie", "Drew", "Kit", "Lee", "Rowan", "Ash", "Bailey", "Dana",
          "Eden", "Finley", "Harper", "Indy", "Jules", "Kai", "Logan", "Mel", "Nico",
          "Oakley", "Parker", "Quinn", "Reese", "Sky", "Tegan", "Val", "Wren", "Zed")
_STEMS = ("Ash", "Bram", "Cal", "Dun", "Elm", "Fen", "Gar", "Hol", "Ivo", "Kel", "Lang",
          "Mar", "Nor", "Ock", "Pen", "Quar", "Rad", "Sel", "Tor", "Ud", "Ven", "Wex",
          "Yar", "Zel", "Brack", "Crom", "Dray", "Fitz", "Grim", "Hart")
_ENDS = ("ford", "ley", "wick", "ton", "by", "more", "field", "well", "wood", "stead",
         "combe", "hurst", "den", "ham")
_FAMILY = tuple(s + e for s in _STEMS for e in _ENDS)  # 420
_STREETS = tuple(f"{s}{e} {k}" for s in _STEMS[:20] for e in ("ton", "field", "wood")
                 for k in ("Road", "Street", "Close"))  # 180


def _p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1] if len(samples) >= 20 else max(samples)


def _time(fn: Callable[[], object], n: int) -> list[float]:
    out = []
    for _ in range(n):
        t = time.perf_counter()  # a duration, not the time of day
        fn()
        out.append(time.perf_counter() - t)
    return out


def _peak_rss_mb() -> float:
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _load(conn: psycopg.Connection[Any], team: int, other: int, n: int) -> None:
    """``n`` cases (half each team), each with an address, one person living there and
    linked as complainant; one person in ten with an alias."""
    stamp = "timestamp '2026-01-01'"
    synced = f"gen_random_uuid()::text, 1, {stamp}"
    conn.execute(
        "INSERT INTO addresses (id, line1, line2, town, postcode, uuid, version, updated_at) "
        "SELECT g, (1 + g %% 150)::text || ' ' || (%(st)s::text[])[1 + (g * 7) %% "
        "array_length(%(st)s::text[], 1)], '', 'Synthtown', 'SX' || (1 + g %% 30)::text || ' '"
        " || (1 + g %% 9)::text || chr(65 + g %% 26) || chr(65 + (g / 26) %% 26), "
        f"{synced} FROM generate_series(1, %(n)s) g", {"st": list(_STREETS), "n": n})
    conn.execute(
        "INSERT INTO people (id, given_name, family_name, gender, phone, email, "
        "flag_mental_health, flag_disability, flag_age, flag_repeat_victim, "
        "flag_hate_motivated, consent, notes, anonymised, created_at, updated_at, uuid, "
        "version) SELECT g, (%(gv)s::text[])[1 + (g * 13) %% array_length(%(gv)s::text[], 1)],"
        " (%(fm)s::text[])[1 + (g::bigint * 7919) %% array_length(%(fm)s::text[], 1)], "
        "'not_known', "
        f"'', '', false, false, false, false, false, 'not_sought', '', false, {stamp}, "
        f"{stamp}, gen_random_uuid()::text, 1 FROM generate_series(1, %(n)s) g",
        {"gv": list(_GIVEN), "fm": list(_FAMILY), "n": n})
    conn.execute(
        "INSERT INTO cases (id, reference, case_type, status, opened_on, team_id, risk_level,"
        " summary, address_id, created_at, updated_at, uuid, version) SELECT g, 'ASB-2026-' "
        "|| lpad(g::text, 7, '0'), 'asb', CASE WHEN g %% 3 = 0 THEN 'closed' ELSE 'open' END,"
        " date '2026-01-01' + (g %% 330), CASE WHEN g %% 2 = 0 THEN %(t)s ELSE %(o)s END, "
        f"'standard', 'synthetic', g, {stamp}, {stamp}, gen_random_uuid()::text, 1 "
        "FROM generate_series(1, %(n)s) g", {"t": team, "o": other, "n": n})
    conn.execute("INSERT INTO case_parties (case_id, person_id, role, agency, uuid, version,"
                 f" updated_at) SELECT g, g, 'complainant', '', {synced} "
                 "FROM generate_series(1, %(n)s) g", {"n": n})
    conn.execute("INSERT INTO person_addresses (person_id, address_id, \"current\", uuid, "
                 f"version, updated_at) SELECT g, g, true, {synced} "
                 "FROM generate_series(1, %(n)s) g", {"n": n})
    conn.execute("INSERT INTO person_aliases (person_id, alias, uuid, version, updated_at) "
                 "SELECT g, (%(gv)s::text[])[1 + (g * 5) %% array_length(%(gv)s::text[], 1)]"
                 f" || 'y', {synced} FROM generate_series(10, %(n)s, 10) g",
                 {"gv": list(_GIVEN), "n": n})
    for table in ("addresses", "people", "cases", "case_parties", "person_addresses",
                  "person_aliases"):
        conn.execute(f"SELECT setval(pg_get_serial_sequence('casework.{table}', 'id'), "
                     f"(SELECT max(id) FROM casework.{table}))")


def _terms(n: int) -> list[str]:
    """What people type, the same list for both sides: name prefixes (either case), a
    given name with a family prefix, postcode starts, street words, reference starts, and
    some text that matches nothing."""
    import random

    rng = random.Random(2026)
    out: list[str] = []
    while len(out) < n:
        k = rng.random()
        fam, giv, street = rng.choice(_FAMILY), rng.choice(_GIVEN), rng.choice(_STREETS)
        if k < 0.35:
            w = rng.choice((fam, giv))[: rng.randint(2, 5)]
            out.append(w.lower() if rng.random() < 0.5 else w)
        elif k < 0.5:
            out.append(f"{giv} {fam[: rng.randint(1, 4)]}")
        elif k < 0.62:
            out.append(f"SX{rng.randint(1, 30)} {rng.randint(1, 9)}"[: rng.randint(2, 6)])
        elif k < 0.74:
            out.append(street.split()[0][: rng.randint(3, 6)])
        elif k < 0.84:
            out.append(f"ASB-2026-{rng.randint(1, 99999):07d}"[: rng.randint(4, 14)])
        elif k < 0.92:
            out.append(f"{rng.randint(1, 150)} {street}"[: rng.randint(3, 10)])
        else:
            out.append(rng.choice(("zq", "xyzzy", "qwv", "Zzt", "jjk9")))
    return out


def _writer(server: str, user: str, case_id: int, start: Any, out: Any) -> None:
    ws = session.open_url(server, user, PASSWORD)
    try:
        start.wait(120)
        out.put(_time(lambda: lifecycle.add_note(ws, case_id, "synthetic"), SAVES_EACH))
    finally:
        ws.lock()


def _together(server: str, users: list[str], cases: list[int], writers: int) -> list[float]:
    ctx = mp.get_context("spawn")
    start, out = ctx.Barrier(writers), ctx.Queue()
    procs = [ctx.Process(target=_writer, args=(server, users[i % len(users)],
                                               cases[i % len(cases)], start, out))
             for i in range(writers)]
    for p in procs:
        p.start()
    return _gather(procs, out)


def _gather(procs: list[Any], out: Any) -> list[float]:
    """Every writer process's times (each puts one list), once they have all ended."""
    got: list[float] = []
    for _ in procs:
        got.extend(out.get(timeout=600))
    for p in procs:
        p.join(60)
    return got


# The statements of ``lifecycle.add_note`` on a team server, as the desktop sends them
# (the transaction's BEGIN, the case read, the note, its change-log row, the own-head check,
# the chain's tail under the lock, the entry with its signed head and the commit in one
# message), for writers that stand in for other desktops: the server does the same work
# for each. They are sent through libpq's own calls (``psycopg.pq``), prepared once, so that
# each stand-in costs this machine little more than the server's work: nineteen desktops'
# Python (psycopg's own layers alone were a millisecond a save) would otherwise crowd the
# two cores the server runs on, which twenty laptops would not.
_THIN = {
    "case": "SELECT * FROM cases WHERE cases.id = $1",
    "note": "INSERT INTO notes (case_id, author_id, created_at, body, shareable, updated_at, "
            "uuid, version) VALUES ($1, $2, $3, 'synthetic', false, $3, $4, 1) "
            "RETURNING notes.id",
    "log": "INSERT INTO change_log (table_name, row_uuid, row_id, case_id, version, op, "
           "columns, actor_id, actor, at) VALUES ('notes', $1, $2, $3, 1, 'insert', '', $4, "
           "$5, $6)",
    "head": "SELECT h.seq, h.signature, k.public, casework_acl.audit_hash(h.seq) "
            "FROM audit_heads h JOIN signing_keys k ON k.id = h.key_id WHERE h.key_id IN "
            "(SELECT id FROM signing_keys WHERE name = $1) ORDER BY h.seq DESC LIMIT 1",
    "tail": "SELECT t.seq, t.hash, (SELECT max(h.seq) FROM audit_heads h) "
            "FROM casework_acl.audit_tail() t",
}


def _ok(result: Any) -> Any:
    if result.status not in (pq.ExecStatus.TUPLES_OK, pq.ExecStatus.COMMAND_OK):
        raise RuntimeError(f"stand-in statement failed: {result.status.name}")
    return result


def _thin_prepare(pgconn: Any) -> None:
    for name, text in _THIN.items():
        _ok(pgconn.prepare(name.encode(), text.encode()))


def _thin_save(ws: Any, conn: Any, case_id: int) -> None:
    """One note as ``add_note`` writes it, on psycopg connection ``conn`` (its libpq
    connection, ``_thin_prepare``d)."""
    import base64
    import uuid

    from casework.core import clock
    from casework.core.audit_chain import GENESIS, canonical, chain_hash, head_message

    pg = conn.pgconn
    at = clock.utcnow().isoformat(sep=" ").encode()
    who, name = ws.actor.user_id, ws.actor.username
    uid, bname, cid = str(who).encode(), name.encode(), str(case_id).encode()
    _ok(pg.exec_(b"BEGIN"))
    _ok(pg.exec_prepared(b"case", [cid]))
    u = str(uuid.uuid4()).encode()
    note = _ok(pg.exec_prepared(b"note", [cid, uid, at, u])).get_value(0, 0)
    _ok(pg.exec_prepared(b"log", [u, note, cid, uid, bname, at]))
    _ok(pg.exec_prepared(b"head", [bname]))
    row = _ok(pg.exec_prepared(b"tail", []))
    last, prev, top = (row.get_value(0, i) for i in range(3))
    seq = int(last) + 1 if last is not None else 1
    if top is not None and int(top) >= seq:
        seq = int(top) + 1
    ts = clock.now_utc().strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    digest = chain_hash(prev.decode() if last is not None else GENESIS, seq, canonical(
        seq, ts, who, name, "note.add", "case", str(case_id), "", ""))
    key_id, sig = ws.store.sign(head_message(seq, digest, ws.store.unlocked_as))
    message = chain.statement(conn, [{
        "seq": seq, "ts": ts, "user_id": who, "username": name, "action": "note.add",
        "record_type": "case", "record_id": str(case_id), "reason": "", "detail": "",
        "hash": digest}], (seq, key_id, base64.b64encode(sig).decode("ascii")))
    _ok(pg.exec_(message.encode()))  # the entry, its head and COMMIT: one message


def _thin_writer(server: str, user: str, case_id: int, start: Any, stop: Any,
                 out: Any) -> None:
    ws = session.open_url(server, user, PASSWORD)
    raw = ws.store.engine.raw_connection()
    conn = raw.driver_connection
    conn.rollback()
    _thin_prepare(conn.pgconn)
    got: list[float] = []
    try:
        start.wait(120)
        while not stop.is_set():
            got.extend(_time(lambda: _thin_save(ws, conn, case_id), 1))
    finally:
        out.put(got)
        raw.close()
        ws.lock()


def _beside_thin(server: str, users: list[str], cases: list[int], writers: int,
                 saves: int) -> tuple[list[float], list[float]]:
    """One desktop (this process, the whole ``add_note``, as ``users[0]``) saving ``saves``
    notes while ``writers - 1`` stand-ins (the next users) save back to back: (the
    desktop's times, the stand-ins')."""
    ctx = mp.get_context("spawn")
    start, stop, out = ctx.Barrier(writers), ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=_thin_writer,
                         args=(server, users[(i + 1) % len(users)],
                               cases[(i + 1) % len(cases)], start, stop, out))
             for i in range(writers - 1)]
    for p in procs:
        p.start()
    ws = session.open_url(server, users[0], PASSWORD)
    try:
        start.wait(120)
        time.sleep(0.5)  # the stand-ins under way
        mine = _time(lambda: lifecycle.add_note(ws, cases[0], "synthetic"), saves)
    finally:
        stop.set()
        ws.lock()
    return mine, _gather(procs, out)


def _threads(server: str, users: list[str], cases: list[int], writers: int) -> list[float]:
    spaces = [session.open_url(server, users[i % len(users)], PASSWORD)
              for i in range(writers)]
    got: list[float] = []
    lock = threading.Lock()

    def write(w: Any, case_id: int) -> None:
        xs = _time(lambda: lifecycle.add_note(w, case_id, "synthetic"), SAVES_EACH)
        with lock:
            got.extend(xs)

    threads = [threading.Thread(target=write, args=(w, cases[i % len(cases)]))
               for i, w in enumerate(spaces)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    for w in spaces:
        w.lock()
    return got


def _reports(ws: Any) -> tuple[str, str]:
    """All KPIs for a quarter and the quarterly dataset, as ``ws`` (seconds, or why not)."""
    from casework.reporting import kpis
    from casework.sharing import quarterly

    out = []
    for fn in (lambda: kpis.compute_kpis(ws, QUARTER),
               lambda: quarterly.export_quarterly(ws, QUARTER, Path(tempfile.mkdtemp(
                   prefix="cwbench-")) / "out")):
        t = time.perf_counter()
        try:
            fn()
            out.append(f"{time.perf_counter() - t:.2f} s")
        except Exception as exc:  # noqa: BLE001 - reported in the table
            out.append(f"refused ({type(exc).__name__})")
    return out[0], out[1]


def _file_side(cases: int, terms: list[str]) -> dict[str, Any]:
    from benchmarks.bench_foundation import database
    from casework.core.context import open_workspace

    path, user, password, facts = database(cases)
    ws = open_workspace(path, user, password)
    try:
        flt = caselist.CaseFilter()
        res: dict[str, Any] = {"load": facts.get("seconds", 0.0)}
        res["first"] = _time(lambda: caselist.fetch_cases(ws, flt, 0, 50), 10)
        for t in terms[:5]:
            search.search(ws, t)
        res["search"] = [x for t in terms for x in _time(
            lambda t=t: search.search(ws, t), 1)]  # type: ignore[misc]
        mine = caselist.fetch_cases(ws, flt, 0, 1)[0].id
        res["save"] = _time(lambda: lifecycle.add_note(ws, mine, "synthetic"), 40)
        res["poll"] = _time(lambda: changefeed.last_change(ws), 20)
    finally:
        ws.lock()
    coord = open_workspace(path, "coord", password)
    try:
        res["kpis"], res["quarterly"] = _reports(coord)
    finally:
        coord.lock()
    res["rss"] = _peak_rss_mb()
    return res


def _chain_ok(conn: psycopg.Connection[Any]) -> str:
    """Whether the entries are numbered 1..n without a gap, each hashed on the one before
    (a fork or a lost entry under concurrent writers would show here)."""
    from casework.core.audit_chain import GENESIS, canonical, chain_hash

    prev, n = GENESIS, 0
    for row in conn.execute("SELECT seq, ts, user_id, username, action, record_type, "
                            "record_id, reason, detail, hash FROM audit_entries ORDER BY seq"):
        n += 1
        if row[0] != n or chain_hash(prev, n, canonical(*row[:9])) != row[9]:
            return f"BROKEN at entry {n}"
        prev = row[9]
    return f"{n} entries, unbroken"


def _drop(name: str, roles: list[str]) -> None:
    with psycopg.connect(ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        for r in roles:
            conn.execute(f'DROP ROLE IF EXISTS "{r}"')


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=100_000)
    ap.add_argument("--writers", type=int, default=20)
    ap.add_argument("--terms", type=int, default=200)
    ap.add_argument("--no-file", action="store_true", help="the server side only")
    ap.add_argument("--threads", action="store_true",
                    help="writers as threads of this process (one interpreter lock)")
    ap.add_argument("--same-case", action="store_true",
                    help="every writer adds notes to one case (they then also queue on that "
                         "case's row, which a note touches); by default each has its own")
    ap.add_argument("--one-login", action="store_true",
                    help="every writer signs in as the same case manager (they then also "
                         "share that user's row, which each note's author key locks); by "
                         "default each writer is a case manager of their own, of one team")
    ap.add_argument("--keep", action="store_true",
                    help="load, print the database's name and leave it (to EXPLAIN)")
    args = ap.parse_args(argv)
    prefix = f"cwb{os.getpid()}"
    name = f"{prefix}_bench"
    url = make_url(ADMIN).set(database=name).render_as_string(hide_password=False)
    terms = _terms(args.terms)
    with psycopg.connect(ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    writers = [f"{prefix}_cm", *(() if args.one_login else
                                 (f"{prefix}_cm{i}" for i in range(1, args.writers)))]
    roles = [*writers, f"{prefix}_coord",
             *(f"{prefix}_r_{r}" for r in setup.SERVER_ROLES),
             f"{prefix}_user", f"{prefix}_owner"]
    srv: dict[str, Any] = {}
    try:
        setup.init(url, prefix=prefix)
        for login in writers:
            setup.add_user(url, login, PASSWORD, "case_manager", team="ASB One",
                           prefix=prefix)
        setup.add_user(url, f"{prefix}_coord", PASSWORD, "coordinator", prefix=prefix)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("SET search_path = casework")
            team = conn.execute("SELECT id FROM teams WHERE name = 'ASB One'").fetchone()[0]
            other = conn.execute("INSERT INTO teams (name, kind) VALUES ('ASB Two', 'asb') "
                                 "RETURNING id").fetchone()[0]
            t0 = time.perf_counter()
            tables = setup.table_names()
            for t, c in policies.TRIGRAM_INDEXES:  # built once after the load: faster
                conn.execute(f"DROP INDEX IF EXISTS casework.ix_trgm_{t}_{c}")
            _load(conn, team, other, args.cases)
            for ddl in policies.trigram_indexes(policies.ACL, tables):
                conn.execute(ddl)
            conn.execute("VACUUM ANALYZE")
            # The load's gigabytes of WAL flushed by a checkpoint now, not by one that
            # would otherwise be writing them out while the writers below are timed.
            conn.execute("CHECKPOINT")
            srv["load"] = time.perf_counter() - t0
        if args.keep:
            print(f"kept: database {name}, login {prefix}_cm / {PASSWORD!r}")
            return 0
        u = make_url(ADMIN)
        server = f"postgresql://{u.host}:{u.port or 5432}/{name}?sslmode=disable"
        ws = session.open_url(server, f"{prefix}_cm", PASSWORD)
        flt = caselist.CaseFilter()
        srv["first"] = _time(lambda: caselist.fetch_cases(ws, flt, 0, 50), 10)
        for t in terms[:5]:
            search.search(ws, t)
        slow: list[tuple[float, str]] = []
        srv["search"] = []
        for term in terms:
            (x,) = _time(lambda term=term: search.search(ws, term), 1)  # type: ignore[misc]
            srv["search"].append(x)
            slow.append((x, term))
        visible = [c.id for c in caselist.fetch_cases(ws, flt, 0, args.writers)]
        mine = visible[0]
        srv["save"] = _time(lambda: lifecycle.add_note(ws, mine, "synthetic"), 40)
        srv["poll"] = _time(lambda: changefeed.last_change(ws), 20)
        ws.lock()
        together = _threads if args.threads else _together
        srv["together"] = together(server, writers, [mine] if args.same_case
                                   else visible, args.writers)
        srv["desk"], srv["stand-ins"] = _beside_thin(
            server, writers, [mine] if args.same_case else visible, args.writers,
            DESK_SAVES)
        with psycopg.connect(url, autocommit=True) as conn:  # every save left its entry
            conn.execute("SET search_path = casework")
            srv["chain"] = _chain_ok(conn)
        coord = session.open_url(server, f"{prefix}_coord", PASSWORD)
        try:
            srv["kpis"], srv["quarterly"] = _reports(coord)
        finally:
            coord.lock()
        srv["rss"] = _peak_rss_mb()
    finally:
        if not args.keep:
            _drop(name, roles)
    fil = {} if args.no_file else _file_side(args.cases, terms)

    def ms(xs: list[float] | None) -> str:
        if not xs:
            return "| |"
        return f"{statistics.median(xs) * 1000:.1f} | {_p95(xs) * 1000:.1f}"

    print(f"\n{args.cases:,} cases; server: a case manager under row-level security, half "
          f"the cases visible; file: the demo database (its own data); "
          f"load {os.getloadavg()[0]:.1f}")
    print("| scenario | server median ms | server p95 ms | file median ms | file p95 ms |")
    print("|---|---|---|---|---|")
    print(f"| load (server: set-based insert + indexes; file: demo generator) | "
          f"{srv['load'] * 1000:.0f} | | {fil.get('load', 0) * 1000:.0f} | |")
    kind = "threads" if args.threads else "processes"
    for label, key in (("case list first page", "first"),
                       (f"search as you type ({len(terms)} terms)", "search"),
                       ("save with audit, alone", "save"),
                       ("a screen's poll for others' changes", "poll"),
                       (f"save with audit, {args.writers} concurrent writers ({kind}, "
                        f"{'one case' if args.same_case else 'a case each'}, "
                        f"{'one login' if args.one_login else 'a login each'})",
                        "together"),
                       (f"save with audit, one desktop beside {args.writers - 1} writers "
                        "sending its statements", "desk"),
                       (f"save with audit, those {args.writers - 1} writers (a save's "
                        f"time with {args.writers} writing)", "stand-ins")):
        print(f"| {label} | {ms(srv.get(key))} | {ms(fil.get(key))} |")
    print(f"| all KPIs for a quarter ({QUARTER}, coordinator) | {srv['kpis']} | | "
          f"{fil.get('kpis', '')} | |")
    print(f"| quarterly dataset ({QUARTER}, coordinator) | {srv['quarterly']} | | "
          f"{fil.get('quarterly', '')} | |")
    print(f"| peak RSS of this process (MB) | {srv['rss']} | | {fil.get('rss', '')} | |")
    print(f"\naudit chain on the server after the writers: {srv['chain']}")
    print("\nslowest server searches (ms, term):",
          ", ".join(f"{x * 1000:.0f} {t!r}" for x, t in sorted(slow, reverse=True)[:8]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
