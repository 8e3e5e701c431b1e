"""Twenty sessions write at once on the team server (a bounded number of notes each):
nothing is lost, the audit chain does not fork, and it verifies."""

from __future__ import annotations

import threading

import psycopg
import pytest

from casework.cases import lifecycle
from casework.core import audit
from casework.server import session
from tests.server.conftest import PASSWORD

SESSIONS = 20
NOTES = 5


def _url(ts) -> str:
    from sqlalchemy.engine import make_url
    u = make_url(ts.db.admin_url)
    return f"postgresql://{u.host}:{u.port or 5432}/{ts.db.name}?sslmode=disable"


def _counts(ts) -> tuple[int, int, int]:
    with psycopg.connect(ts.db.url) as dba:
        notes = {r[0]: r[1] for r in dba.execute(
            "SELECT case_id, count(*) FROM casework.notes GROUP BY case_id")}
        entries = dba.execute("SELECT count(*), max(seq) FROM casework.audit_entries"
                              ).fetchone()
    return (notes.get(ts.ids["case_north"], 0) + notes.get(ts.ids["case_south"], 0),
            int(entries[0]), int(entries[1]))


def test_twenty_writers_lose_nothing_and_the_chain_verifies(team_server):
    ts = team_server
    url = _url(ts)
    notes_before, entries_before, _ = _counts(ts)
    who = [("cm", ts.ids["case_north"]), ("cm2", ts.ids["case_south"])]
    spaces = [(session.open_url(url, ts.login(who[i % 2][0]), PASSWORD), who[i % 2][1])
              for i in range(SESSIONS)]
    errors: list[BaseException] = []
    start = threading.Barrier(SESSIONS)

    def write(ws, case_id: int) -> None:
        try:
            start.wait(30)
            for n in range(NOTES):
                lifecycle.add_note(ws, case_id, f"synthetic concurrent note {n}")
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=pair) for pair in spaces]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert not any(t.is_alive() for t in threads)
    finally:
        for ws, _case in spaces:
            ws.lock()
    assert errors == []
    notes_after, entries_after, top = _counts(ts)
    assert notes_after - notes_before == SESSIONS * NOTES
    # Each session: its key registration and login, then one entry per note.
    assert entries_after - entries_before == SESSIONS * (2 + NOTES)
    admin = session.open_url(url, ts.login("admin"), PASSWORD)
    try:
        result = audit.verify(admin)
    finally:
        admin.lock()
    assert result.ok, result
    assert result.count == entries_after + 2  # the administrator's own sign-in
    assert top + 2 == result.count  # no gaps, no fork: seq 1..n


def test_a_save_whose_audit_entry_is_refused_leaves_nothing_behind(team_server, monkeypatch):
    """The entries, the head and the commit go to the server as one message: when the
    server refuses the entry (here: a place in the chain already taken), the note is not
    saved either, the user is told, and the next save goes through whole."""
    from sqlalchemy import exc as sa_exc

    from db.server import chain

    ts = team_server
    url = _url(ts)
    ws = session.open_url(url, ts.login("cm"), PASSWORD)
    try:
        notes_before, entries_before, _ = _counts(ts)
        real = chain.append_and_commit

        def taken_place(conn, rows, head):
            real(conn, [{**r, "seq": 1} for r in rows], (1, head[1], head[2]))

        monkeypatch.setattr(chain, "append_and_commit", taken_place)
        with pytest.raises(sa_exc.IntegrityError) as refused:
            lifecycle.add_note(ws, ts.ids["case_north"], "synthetic note that must not stay")
        assert "synthetic note" not in str(refused.value)  # the values stay out of it
        assert _counts(ts)[:2] == (notes_before, entries_before)
        monkeypatch.setattr(chain, "append_and_commit", real)
        lifecycle.add_note(ws, ts.ids["case_north"], "synthetic note after the refusal")
        notes_after, entries_after, top = _counts(ts)
        assert (notes_after, entries_after) == (notes_before + 1, entries_before + 1)
        assert top == entries_after  # the refused place was not left as a gap
    finally:
        ws.lock()
    admin = session.open_url(url, ts.login("admin"), PASSWORD)
    try:
        assert audit.verify(admin).ok
    finally:
        admin.lock()
