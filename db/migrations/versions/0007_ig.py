"""MART age group and early conclusive grounds, several MART outcomes, dated sanctuary
eligibility checks, the information-governance role and the disclosure log

Revision ID: 0007_ig
Revises: 0006_panels
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_ig"
down_revision = "0006_panels"
branch_labels = None
depends_on = None

CHECKS = ("victim_chose_on", "perpetrator_not_resident_on", "right_to_occupy_on",
          "landlord_consent_on", "risk_assessment_done_on")


def _widen_role(length: int, before: int) -> None:
    """``information_governance`` is longer than the old 20 characters. A server database
    alters the column. SQLite stores any length in a VARCHAR, and rebuilding ``users``
    would break the foreign keys that point at it, so there only the declared type in the
    schema text changes (the documented way to make a change that leaves the stored
    rows as they are)."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        op.alter_column("users", "role", existing_type=sa.String(length=before),
                        type_=sa.String(length=length), existing_nullable=False)
        return
    version = int(bind.exec_driver_sql("PRAGMA schema_version").scalar() or 0)
    bind.exec_driver_sql("PRAGMA writable_schema=ON")
    try:
        bind.exec_driver_sql(
            f"UPDATE sqlite_master SET sql = replace(sql, 'role VARCHAR({before})', "
            f"'role VARCHAR({length})') WHERE type = 'table' AND name = 'users'")
        bind.exec_driver_sql(f"PRAGMA schema_version={version + 1}")
    finally:
        bind.exec_driver_sql("PRAGMA writable_schema=OFF")


def upgrade() -> None:
    _widen_role(40, 20)
    with op.batch_alter_table("mart_details", schema=None) as batch_op:
        batch_op.add_column(sa.Column("exploited_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("age_override_reason", sa.Text(), nullable=False,
                                      server_default=""))
    with op.batch_alter_table("nrm_decisions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("early_reason", sa.Text(), nullable=False,
                                      server_default=""))
    with op.batch_alter_table("sanctuary_jobs", schema=None) as batch_op:
        for name in CHECKS:
            batch_op.add_column(sa.Column(name, sa.Date(), nullable=True))
    # A check passed before its date was recorded is dated on the referral.
    for name in CHECKS:
        flag = name.removesuffix("_on")
        op.execute(f"UPDATE sanctuary_jobs SET {name} = referred_on WHERE {flag}")
    op.create_table(
        "mart_outcomes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=40), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"],
                                name=op.f("fk_mart_outcomes_case_id_cases"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mart_outcomes")),
        sa.UniqueConstraint("case_id", "outcome", name=op.f("uq_mart_outcomes_case_id")),
    )
    with op.batch_alter_table("mart_outcomes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mart_outcomes_case_id"), ["case_id"], unique=False)
    op.create_table(
        "disclosures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("disclosed_on", sa.Date(), nullable=False),
        sa.Column("recipient", sa.String(length=120), nullable=False),
        sa.Column("method", sa.String(length=40), nullable=False),
        sa.Column("what", sa.Text(), nullable=False),
        sa.Column("files", sa.Text(), nullable=False),
        sa.Column("sha256", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["recorded_by"], ["users.id"],
                                name=op.f("fk_disclosures_recorded_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disclosures")),
    )
    with op.batch_alter_table("disclosures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_disclosures_person_id"), ["person_id"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_disclosures_disclosed_on"), ["disclosed_on"],
                              unique=False)


def downgrade() -> None:
    op.drop_table("disclosures")
    op.drop_table("mart_outcomes")
    with op.batch_alter_table("sanctuary_jobs", schema=None) as batch_op:
        for name in CHECKS:
            batch_op.drop_column(name)
    with op.batch_alter_table("nrm_decisions", schema=None) as batch_op:
        batch_op.drop_column("early_reason")
    with op.batch_alter_table("mart_details", schema=None) as batch_op:
        batch_op.drop_column("age_override_reason")
        batch_op.drop_column("exploited_on")
    _widen_role(20, 40)
