"""many users at once and ready for offline: a stable uuid, a version and updated_at on
every case-data row, and the change log

Revision ID: 0008_pgsync
Revises: 0007_ig

Fast on a large SQLite file: each column is added with ALTER TABLE ADD COLUMN and a
constant default (no table copy), then one UPDATE per table gives every existing row its
uuid (and ``updated_at``), and one unique index per table is built. On PostgreSQL the
same steps run; the temporary defaults are dropped afterwards.
"""

import sqlalchemy as sa
from alembic import op

from db import clock

revision = "0008_pgsync"
down_revision = "0007_ig"
branch_labels = None
depends_on = None

# tables that already had updated_at
STAMPED = ["cases", "people"]
# the rest of the synced tables; the value is the column updated_at starts from
UNSTAMPED = {
    "case_parties": None, "tasks": "created_at", "notes": "created_at",
    "documents": "created_at", "evidence_items": "added_at",
    "asb_details": None, "incidents": None, "risk_assessments": None,
    "escalation_steps": "created_at", "breaches": None,
    "trigger_applications": None, "trigger_complaints": None, "trigger_reviews": None,
    "trigger_recommendations": None,
    "referrals": None, "mart_details": None, "nrm_decisions": None, "ugly_mug_reports": None,
    "meetings": None, "meeting_attendance": None, "meeting_items": None,
    "panel_actions": None,
    "sanctuary_jobs": None, "work_lines": None, "sanctuary_feedback": None,
    "person_aliases": None, "addresses": None, "person_addresses": None,
    "mart_outcomes": "recorded_on", "ugly_mug_links": None, "disclosures": "recorded_at",
}
TABLES = STAMPED + list(UNSTAMPED)
EPOCH = "2000-01-01 00:00:00.000000"
CACHE_KIB = 256 * 1024  # SQLite page cache while every row is rewritten and indexed

# a random version-4 uuid, in SQL
SQLITE_UUID = (
    "lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || "
    "substr(hex(randomblob(2)), 2) || '-' || substr('89AB', 1 + (random() & 3), 1) || "
    "substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))"
)
POSTGRES_UUID = "gen_random_uuid()::text"


def upgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    new_uuid = SQLITE_UUID if sqlite else POSTGRES_UUID
    cache = None
    if sqlite:  # one transaction rewrites every row: keep its pages in memory
        cache = bind.exec_driver_sql("PRAGMA cache_size").scalar()
        bind.exec_driver_sql(f"PRAGMA cache_size = {-CACHE_KIB}")
    for table in TABLES:
        op.add_column(table, sa.Column("uuid", sa.String(length=36), nullable=False,
                                       server_default=""))
        op.add_column(table, sa.Column("version", sa.Integer(), nullable=False,
                                       server_default="1"))
        if table in UNSTAMPED:
            op.add_column(table, sa.Column("updated_at", sa.DateTime(), nullable=False,
                                           server_default=EPOCH))
            start = UNSTAMPED[table]
            stamp = start or ":now"
            op.execute(sa.text(f"UPDATE {table} SET uuid = {new_uuid}, updated_at = {stamp}")
                       .bindparams(*([] if start else [sa.bindparam("now", clock.utcnow())])))
        else:
            op.execute(f"UPDATE {table} SET uuid = {new_uuid}")
        op.create_index(f"ix_{table}_uuid", table, ["uuid"], unique=True)
        if not sqlite:
            op.alter_column(table, "uuid", server_default=None)
            op.alter_column(table, "version", server_default=None)
            if table in UNSTAMPED:
                op.alter_column(table, "updated_at", server_default=None)
    op.create_table(
        "change_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("table_name", sa.String(length=40), nullable=False),
        sa.Column("row_uuid", sa.String(length=36), nullable=False),
        sa.Column("row_id", sa.String(length=40), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("op", sa.String(length=6), nullable=False),
        sa.Column("columns", sa.Text(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_log")),
    )
    op.create_index("ix_change_log_row", "change_log", ["table_name", "row_uuid", "version"])
    op.create_index("ix_change_log_case", "change_log", ["case_id", "id"])
    if cache is not None:
        bind.exec_driver_sql(f"PRAGMA cache_size = {int(cache)}")


def downgrade() -> None:
    op.drop_index("ix_change_log_case", table_name="change_log")
    op.drop_index("ix_change_log_row", table_name="change_log")
    op.drop_table("change_log")
    for table in reversed(TABLES):
        op.drop_index(f"ix_{table}_uuid", table_name=table)
        with op.batch_alter_table(table, schema=None) as batch_op:
            if table in UNSTAMPED:
                batch_op.drop_column("updated_at")
            batch_op.drop_column("version")
            batch_op.drop_column("uuid")
