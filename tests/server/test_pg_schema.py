"""The Alembic revisions build on PostgreSQL exactly the schema the models describe, and
the group counters kept by triggers count on PostgreSQL as on SQLite."""

from __future__ import annotations

from datetime import date

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

from db import migrate
from db.models import Base, Case
from db.models.caselist import counter_problems


def test_empty_postgres_database_upgrades_to_the_models(pg_empty):
    engine = create_engine(pg_empty.url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        migrate.upgrade(engine)
        assert not migrate.needs_upgrade(engine)
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(ctx, Base.metadata) == []
        with Session(engine) as s, s.begin():
            a = Case(reference="P-1", case_type="asb", status="open",
                     opened_on=date(2026, 11, 2), risk_level="standard", summary="")
            b = Case(reference="P-2", case_type="asb", status="open",
                     opened_on=date(2026, 11, 3), risk_level="high", summary="")
            s.add_all([a, b])
            s.flush()
            b.status = "closed"
            s.flush()
            s.delete(a)
        with engine.connect() as conn:
            rows = conn.execute(text(
                "SELECT status, risk_level, n FROM case_counts WHERE n <> 0")).all()
            assert rows == [("closed", "high", 1)]
            assert conn.scalar(text("SELECT version FROM case_list_state")) >= 3
            assert counter_problems(conn.connection.dbapi_connection) == []
            assert conn.scalar(select(Case.reference)) == "P-2"
    finally:
        engine.dispose()
