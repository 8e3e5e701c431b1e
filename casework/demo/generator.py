"""Fill an empty database with synthetic cases, fast: Core bulk inserts in a few transactions.

Rows are generated in fixed-size batches (so the random stream, and therefore the data,
depends only on the seed, the case count and "today") and written with ``insert()`` and
lists of dicts (one executemany per table per batch), several batches per transaction.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import sys
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Integer, Table, func, select
from sqlalchemy.orm import Session

from casework.core import audit, clock
from casework.core.context import Workspace
from casework.core.errors import ValidationError
from casework.core.permissions import require
from casework.demo import names
from casework.demo.asb import asb_case
from casework.demo.panels import Schedule, mart_case, swip_case
from casework.demo.sanctuary import sanctuary_case
from casework.demo.trigger import SCENARIOS, trigger_case
from casework.demo.world import Roster, Row, World, stored_stamp
from db.engine import BULK_LOAD
from db.models import Base, Case, Contractor, Lsoa, Panel, PanelMembership, Team, User
from db.models.caselist import REBUILD_COUNTS
from db.models.search import REBUILD_ADDRESS_LINES

MIX = (("asb", 55), ("sanctuary", 15), ("trigger", 8), ("swip", 12), ("mart", 10))
PREFIX = {"asb": "ASB", "trigger": "CT", "swip": "SWIP", "mart": "MART", "sanctuary": "SAN"}
BATCH = 2000  # cases generated per batch: fixed, so the data does not depend on it
LOADED = frozenset({
    "addresses", "people", "person_aliases", "person_addresses", "cases", "case_parties",
    "asb_details", "incidents", "risk_assessments", "escalation_steps", "breaches",
    "trigger_applications", "trigger_complaints", "trigger_reviews",
    "trigger_recommendations", "referrals", "mart_details", "nrm_decisions",
    "ugly_mug_reports", "ugly_mug_links", "meetings", "meeting_attendance", "meeting_items",
    "panel_actions",
    "sanctuary_jobs", "work_lines", "sanctuary_feedback", "tasks", "notes",
})
MAX_CASES = 1_000_000
PARALLEL_FROM = 20_000  # cases from which the rows are made in a second process
LOAD_CACHE_KIB = 256 * 1024  # page cache while loading and indexing
SORT_THREADS = min(4, os.cpu_count() or 1)  # SQLite's sorter threads while indexing

Progress = Callable[[float], None]
Rows = list[tuple[Any, ...]]
Statements = list[tuple[str, bool, Rows]]  # INSERT, whether uuids follow, parameter tuples


@dataclass(frozen=True)
class DemoStats:
    """What a generation run wrote."""

    cases: int
    rows: int
    seconds: float


def plan(rng: random.Random, cases: int, today: date) -> list[tuple[date, str]]:
    """(opened_on, case type) for every case, oldest first: the exact mix, with opening
    dates over the last two years (more in recent months) on weekdays."""
    total = sum(w for _t, w in MIX)
    counts = [cases * w // total for _t, w in MIX]
    for i in range(cases - sum(counts)):
        counts[i % len(counts)] += 1
    types = [t for (t, _w), n in zip(MIX, counts, strict=True) for _ in range(n)]
    rng.shuffle(types)
    out = []
    for case_type in types:
        opened = today - timedelta(days=int(730 * rng.random() ** 1.15))
        if opened.weekday() >= 5:
            opened -= timedelta(days=opened.weekday() - 4)
        out.append((opened, case_type))
    out.sort()
    return out


def _roster(session: Session) -> Roster:
    """Teams, panels and users the cases will belong to (first of each kind, by id)."""
    r = Roster()
    teams = session.execute(select(Team.id, Team.kind, Team.name).order_by(Team.id)).all()
    for kind, attr in (("asb", "asb_team"), ("sanctuary", "sanctuary_team")):
        named = [t.id for t in teams if t.kind == kind and t.name.lower().startswith(kind)]
        ids = named or [t.id for t in teams if t.kind == kind]
        setattr(r, attr, ids[0] if ids else None)
    panels = session.execute(select(Panel.id, Panel.kind).order_by(Panel.id)).all()
    r.swip_panel = next((p.id for p in panels if p.kind == "swip"), None)
    r.mart_panel = next((p.id for p in panels if p.kind == "mart"), None)
    users = session.execute(select(User.id, User.role, User.team_id, User.display_name)
                            .where(User.active.is_(True)).order_by(User.id)).all()
    r.display = {u.id: u.display_name for u in users}
    for team, attr in ((r.asb_team, "asb_officers"), (r.sanctuary_team, "sanctuary_officers")):
        ids = [u.id for u in users if u.role == "case_manager" and u.team_id == team]
        setattr(r, attr, ids or [None])
    members = session.execute(select(PanelMembership.user_id, PanelMembership.panel_id,
                                     PanelMembership.is_chair)
                              .order_by(PanelMembership.user_id)).all()
    active = set(r.display)
    for panel, users_attr, chair_attr in ((r.swip_panel, "swip_users", "swip_chair"),
                                          (r.mart_panel, "mart_users", "mart_chair")):
        ids = [m.user_id for m in members if m.panel_id == panel and m.user_id in active]
        setattr(r, users_attr, ids or [None])
        chair = [m.user_id for m in members
                 if m.panel_id == panel and m.is_chair and m.user_id in active]
        setattr(r, chair_attr, chair[0] if chair else None)
    return r


def _first_ids(session: Session) -> dict[str, int]:
    """The next free integer id of every table with an ``id`` primary key."""
    out = {}
    for table in Base.metadata.sorted_tables:
        pk = list(table.primary_key.columns)
        if len(pk) == 1 and pk[0].name == "id" and isinstance(pk[0].type, Integer):
            out[table.name] = int(session.scalar(select(func.max(pk[0]))) or 0) + 1
    return out


def _contractors(session: Session) -> list[int]:
    have = {name: cid for name, cid in session.execute(select(Contractor.name, Contractor.id))}
    for name in names.CONTRACTORS:
        if name not in have:
            contractor = Contractor(name=name, active=True)
            session.add(contractor)
            session.flush()
            have[name] = contractor.id
    return [have[n] for n in names.CONTRACTORS]


def _stored(value: Any) -> Any:
    """A Python value as SQLAlchemy's SQLite dialect stores it (dates and datetimes as
    ISO text, booleans as 0/1); other values pass through unchanged."""
    if isinstance(value, datetime):
        return stored_stamp(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def _is_datetime(column: Any) -> bool:
    try:
        return issubclass(column.type.python_type, datetime)
    except NotImplementedError:
        return False


def _insert_sql(table: Table, keys: list[str]) -> str:
    names = ", ".join(f'"{k}"' for k in keys)
    return f'INSERT INTO "{table.name}" ({names}) VALUES ({", ".join("?" * len(keys))})'


def _one(key: str) -> Callable[[Row], tuple[Any, ...]]:
    """Like ``itemgetter(key)`` of several keys, a tuple (of one value)."""
    return lambda row: (row[key],)


def _uuids(ids: random.Random, n: int) -> list[str]:
    """``n`` version-4 uuids from ``ids``, as ``str(uuid.UUID(int=..., version=4))`` gives
    them (the same draws, the same text), formatted without building UUID objects."""
    out = []
    bits = ids.getrandbits
    for _ in range(n):
        h = "%032x" % (bits(128) & _UUID_CLEAR | _UUID_SET)
        out.append(f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}")
    return out


_UUID_CLEAR = ~((0xF000 << 64) | (0xC000 << 48))
_UUID_SET = (0x4000 << 64) | (0x8000 << 48)


def _statements(rows: dict[str, list[Row]], stamp: datetime) -> Statements:
    """The buffered rows as (INSERT, whether uuids follow, parameter tuples), parents
    first.

    The tuples go to the driver's ``executemany`` picked out of the row dicts by
    ``itemgetter``, past SQLAlchemy's per-value bind processing: dates bind through the
    driver's date adapter (ISO text, as SQLAlchemy stores them), booleans as 0/1, and the
    world gives timestamps already as stored text (a ``datetime`` that reaches here is
    converted). A column absent from the rows gets its Python-side default once per
    batch, as ``insert()`` would give it, and an ``updated_at`` not given is ``stamp``
    (the load's day, not the machine's time). A table with a ``uuid`` column has it last
    in the INSERT and absent from the tuples (the flag says so): ``_with_uuids`` adds one
    per row in the writing process, which has time to spare while the rows are made."""
    out = []
    for table in Base.metadata.sorted_tables:
        batch = rows.get(table.name)
        if not batch:
            continue
        given = list(batch[0])
        defaults: list[Any] = []
        extra: list[str] = []
        with_uuid = False
        for column in table.columns:
            default = column.default
            if column.name in given or default is None or not hasattr(default, "arg"):
                continue
            if column.name == "uuid":
                with_uuid = True
                continue
            value = default.arg(None) if callable(default.arg) else default.arg
            if column.name == "updated_at":
                value = stamp
            extra.append(column.name)
            defaults.append(_stored(value))
        tail = tuple(defaults)
        pick = itemgetter(*given) if len(given) > 1 else _one(given[0])
        keys = given + extra
        if with_uuid:
            keys.append("uuid")
        values = [pick(row) + tail for row in batch]
        for at, key in enumerate(given):
            if _is_datetime(table.c[key]) and any(type(row[key]) is datetime for row in batch):
                values = [(*v[:at], _stored(v[at]), *v[at + 1:]) for v in values]
        out.append((_insert_sql(table, keys), with_uuid, values))
    return out


def _with_uuids(statements: Statements, ids: random.Random) -> Iterator[tuple[str, Rows]]:
    """Each statement with its rows complete: a row identity is never shared, so a table
    with a ``uuid`` column gets one per row, drawn from ``ids`` in statement order (the
    same seed, the same uuids, whichever process made the rows)."""
    for sql, with_uuid, values in statements:
        if with_uuid:
            values = [v + (u,) for v, u in zip(values, _uuids(ids, len(values)), strict=True)]
        yield sql, values


def _batches(w: World, cases_plan: list[tuple[date, str]], schedules: dict[str, Schedule],
             contractors: list[int]) -> Iterator[tuple[int, dict[str, list[Row]]]]:
    """Generate the planned cases BATCH at a time: (cases done, rows by table)."""
    sequence: dict[tuple[str, int], int] = {}
    seen: dict[str, int] = {}
    for first in range(0, len(cases_plan), BATCH):
        for opened, case_type in cases_plan[first:first + BATCH]:
            key = (PREFIX[case_type], opened.year)
            sequence[key] = sequence.get(key, 0) + 1
            ref = f"{key[0]}-{key[1]}-{sequence[key]:06d}"
            case_id = w.next_id("cases")
            n = seen.get(case_type, 0)
            seen[case_type] = n + 1
            if case_type == "asb":  # the first five cover every stage
                asb_case(w, case_id, ref, opened, n if n < 5 else None)
            elif case_type == "trigger":  # the first six cover every threshold scenario
                trigger_case(w, case_id, ref, opened,
                             SCENARIOS[n] if n < len(SCENARIOS) else None)
            elif case_type == "swip":
                swip_case(w, case_id, ref, opened, schedules["swip"])
            elif case_type == "mart":
                mart_case(w, case_id, ref, opened, schedules["mart"])
            else:
                sanctuary_case(w, case_id, ref, opened, contractors)
        yield min(len(cases_plan), first + BATCH), w.take_rows()


@dataclass(frozen=True)
class _Job:
    """Everything the rows are made from (picklable, for a second process)."""

    seed: int
    cases: int
    today: date
    lsoas: list[str]
    roster: Roster
    contractors: list[int]
    first_ids: dict[str, int]


def _rows(job: _Job) -> Generator[tuple[int, Statements], None, None]:
    """Every batch of the demo as (cases done, its INSERT statements): a pure function
    of the job, whichever process runs it."""
    rng = random.Random(job.seed)
    stamp = datetime.combine(job.today, datetime.min.time())
    roster = job.roster
    w = World(rng, job.today, job.lsoas, roster, job.first_ids)
    schedules = {
        "swip": Schedule(w, roster.swip_panel, roster.swip_chair, roster.swip_users,
                         names.SWIP_AGENCIES),
        "mart": Schedule(w, roster.mart_panel, roster.mart_chair, roster.mart_users,
                         names.MART_AGENCIES),
    }
    for done, rows in _batches(w, plan(rng, job.cases, job.today), schedules,
                               job.contractors):
        yield done, _statements(rows, stamp)


def _produce(job: _Job, out: Any) -> None:
    """The second process: send every batch, then ``None``; a failure is sent as text."""
    try:
        for item in _rows(job):
            out.send(item)
        out.send(None)
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which raises
        out.send(f"{type(exc).__name__}: {exc}")
    finally:
        out.close()


def _from_child(job: _Job) -> Generator[tuple[int, Statements], None, None]:
    """``_rows(job)`` made in a second process, one batch ahead of the writer: on two
    cores the rows are made while SQLite stores the previous batch."""
    context = multiprocessing.get_context("spawn")  # no copy of this process's keys
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_produce, args=(job, send), name="casework-demo-rows",
                            daemon=True)
    child.start()
    send.close()
    try:
        while True:
            try:
                item = receive.recv()
            except EOFError:
                raise RuntimeError("The process making the demo rows stopped before it "
                                   "finished.") from None
            if item is None:
                return
            if isinstance(item, str):
                raise RuntimeError(f"Making the demo rows failed: {item}")
            yield item
    finally:
        receive.close()
        if child.is_alive():
            child.terminate()
        child.join()


def _drop_indexes(conn: Connection) -> list[str]:
    """Drop the secondary indexes and the triggers of the tables the demo fills and
    return their exact DDL: building an index once over loaded rows is much faster than
    maintaining it row by row, and the case counters are rebuilt once from the loaded
    cases (``REBUILD_COUNTS``), and the address search index from the loaded addresses
    (``REBUILD_ADDRESS_LINES``), instead of being kept row by row. The caller recreates
    them in the same transaction (DDL is transactional in SQLite, so a failure leaves the
    schema as it was). Indexes come first in the list, triggers after them."""
    tables = [t.name for t in Base.metadata.sorted_tables if t.name in LOADED]
    marks = ", ".join("?" for _ in tables)
    found = conn.exec_driver_sql(
        "SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') "
        f"AND sql IS NOT NULL AND tbl_name IN ({marks}) ORDER BY type, name",
        tuple(tables)).all()
    for kind, name, _sql in found:
        conn.exec_driver_sql(f'DROP {kind.upper()} "{name}"')
    return [str(sql) for _kind, _name, sql in found]


def generate(ws: Workspace, cases: int, seed: int, progress: Progress | None = None,
             today: date | None = None, parallel: bool | None = None) -> DemoStats:
    """Fill an empty database with ``cases`` synthetic cases from ``seed``.

    The same seed, count and ``today`` give the same rows. ``progress`` is called with
    the fraction done (0.0 to 1.0); ``parallel`` as for ``fill``. Writes one audit entry
    ``demo.generate``.
    """
    require(ws.actor, "admin.users")
    if not 1 <= cases <= MAX_CASES:
        raise ValidationError(f"The number of cases must be from 1 to {MAX_CASES:,}.",
                              field="cases")
    started = time.perf_counter()
    report = progress or (lambda _f: None)
    report(0.0)
    with ws.uow() as session:
        # every reference is to a row the load itself made or read: no per-row lookups
        session.connection(execution_options={BULK_LOAD: True})
        written = fill(session, cases, seed, today or clock.today(), report,
                       parallel=parallel)
        audit.record(ws, session, "demo.generate", "database", "",
                     detail={"cases": cases, "seed": seed})
    report(1.0)
    return DemoStats(cases, written, time.perf_counter() - started)


def fill(session: Session, cases: int, seed: int, today: date,
         report: Progress = lambda _f: None, *, rebuild_indexes: bool = True,
         parallel: bool | None = None) -> int:
    """Write the synthetic cases into the caller's transaction; returns the rows written.

    ``rebuild_indexes`` drops the secondary indexes for the load and builds them once
    after it (much faster for a large demo; a small one can skip it). ``parallel`` makes
    the rows in a second process while this one writes them (the same rows either way;
    by default from ``PARALLEL_FROM`` cases, outside a frozen application)."""
    if session.scalar(select(func.count()).select_from(Case)):
        raise ValidationError("Demo data goes only into a new database without cases.")
    lsoas = list(session.scalars(select(Lsoa.code).order_by(Lsoa.code)))
    if not lsoas:
        raise ValidationError("The database has no LSOA reference table.")
    job = _Job(seed, cases, today, lsoas, _roster(session), _contractors(session),
               _first_ids(session))
    if parallel is None:
        parallel = cases >= PARALLEL_FROM and not getattr(sys, "frozen", False)
    written = 0
    conn = session.connection()
    indexes = _drop_indexes(conn) if rebuild_indexes else []
    # A large page cache for the load and, above all, for sorting each index once.
    cache = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    conn.exec_driver_sql(f"PRAGMA cache_size = {-LOAD_CACHE_KIB}")
    raw = conn.connection.dbapi_connection
    assert raw is not None
    source = _from_child(job) if parallel else _rows(job)
    ids = random.Random(f"uuid:{seed}")
    try:
        for done, statements in source:
            for sql, values in _with_uuids(statements, ids):
                raw.executemany(sql, values)
                written += len(values)
            report(0.9 * done / cases)
    finally:
        source.close()
    # Each index is sorted once over its loaded table: with helper threads the sort runs
    # on the cores the row maker has finished with.
    threads = conn.exec_driver_sql("PRAGMA threads").scalar()
    conn.exec_driver_sql(f"PRAGMA threads = {SORT_THREADS}")
    for i, sql in enumerate(indexes):
        conn.exec_driver_sql(sql)
        report(0.9 + 0.09 * (i + 1) / len(indexes))
    conn.exec_driver_sql(f"PRAGMA threads = {int(threads or 0)}")
    if indexes:  # the counter triggers were off for the load: count once, by index
        for sql in REBUILD_COUNTS:
            conn.exec_driver_sql(sql)
        # and so were the address search index's: index every first line once
        for sql in REBUILD_ADDRESS_LINES:
            conn.exec_driver_sql(sql)
    conn.exec_driver_sql(f"PRAGMA cache_size = {int(cache or -2000)}")
    return written
