"""The same conflict rules on PostgreSQL: a plain database built by the migrations, two
users' sessions on one case. Skips, saying why, when no server runs on 127.0.0.1:5432
or the migrations do not apply there."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from casework.core import versions
from casework.core.errors import EditConflict
from db import changelog, migrate
from db.models import Case, ChangeLog

ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres connect_timeout=3"


@pytest.fixture
def pg_engine() -> Iterator[Any]:
    psycopg = pytest.importorskip("psycopg", reason="psycopg is not installed")
    name = f"casework_sync_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg.connect(ADMIN, autocommit=True)
    except psycopg.OperationalError as exc:
        pytest.skip(f"no PostgreSQL server on 127.0.0.1:5432 ({type(exc).__name__})")
    admin.execute(f'CREATE DATABASE "{name}"')
    engine = create_engine(f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}")
    try:
        try:
            migrate.upgrade(engine)
        except Exception as exc:  # noqa: BLE001 - the reason is the skip message
            first = str(exc).splitlines()[0][:160]
            pytest.skip(f"the migrations do not apply to PostgreSQL yet: {first}")
        yield engine
    finally:
        engine.dispose()
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def _session(engine: Any, user_id: int, name: str) -> Session:
    changelog.install()
    session = sessionmaker(bind=engine, expire_on_commit=False)()
    session.info[changelog.ACTOR_ID] = user_id
    session.info[changelog.ACTOR_NAME] = name
    return session


def test_second_save_on_postgres_is_refused_and_nothing_is_lost(pg_engine: Any) -> None:
    with _session(pg_engine, 1, "cm") as s, s.begin():
        case = Case(reference="ASB-2026-000001", case_type="asb", opened_on=date(2026, 11, 2))
        s.add(case)
    a, b = _session(pg_engine, 1, "cm"), _session(pg_engine, 2, "cm3")
    try:
        mine = a.get(Case, case.id)
        theirs = b.get(Case, case.id)
        assert mine is not None and theirs is not None
        loaded = mine.version
        a.commit()  # a's screen shows the case at ``loaded``
        theirs.risk_level = "high"
        b.commit()
        with a.begin():
            current = a.get(Case, case.id, populate_existing=True)
            with pytest.raises(EditConflict) as err:
                versions.check(a, current, loaded, "Case ASB-2026-000001")
        assert "cm3" in str(err.value) and "risk level" in str(err.value)
        assert "high" not in str(err.value)
        # a write racing past the check still cannot overwrite: the version is in the WHERE
        stale = _session(pg_engine, 1, "cm")
        old = stale.get(Case, case.id)
        assert old is not None
        with b.begin():
            again = b.get(Case, case.id, populate_existing=True)
            assert again is not None
            again.summary = "Second visit"
        old.status = "closed"
        with pytest.raises(StaleDataError):
            stale.commit()
        stale.close()
        with a.begin():
            row = a.get(Case, case.id, populate_existing=True)
            assert row is not None
            assert (row.risk_level, row.summary, row.status) == ("high", "Second visit", "open")
            assert row.version == loaded + 2
            assert a.scalar(select(func.count()).select_from(ChangeLog).where(
                ChangeLog.row_uuid == row.uuid)) == 3
    finally:
        a.close()
        b.close()
