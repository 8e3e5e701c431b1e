"""The Alembic migration creates exactly the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from db.models import Base
from db.models.search import include_name
from db.store import Store
from tests.conftest import PASSWORD


def test_migrated_schema_matches_models(db):
    store = Store.open(db.path, "admin", PASSWORD)
    try:
        with store.engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True,
                                                         "include_name": include_name})
            diff = compare_metadata(ctx, Base.metadata)
        assert diff == []
    finally:
        store.lock()


def test_every_domain_table_exists(db):
    store = Store.open(db.path, "admin", PASSWORD)
    try:
        with store.engine.connect() as conn:
            names = {r[0] for r in conn.exec_driver_sql(
                "select name from sqlite_master where type='table'")}
    finally:
        store.lock()
    for table in ("people", "person_aliases", "addresses", "lsoas", "cases", "incidents",
                  "risk_assessments", "escalation_steps", "breaches", "trigger_applications",
                  "trigger_complaints", "trigger_reviews", "trigger_recommendations",
                  "referrals", "mart_details", "nrm_decisions", "meetings",
                  "meeting_attendance", "panel_actions", "sanctuary_jobs", "work_lines",
                  "contractors", "sanctuary_feedback", "tasks", "notes", "documents",
                  "audit_entries", "sharing_protocols", "settings", "users", "teams",
                  "panels", "panel_memberships"):
        assert table in names
