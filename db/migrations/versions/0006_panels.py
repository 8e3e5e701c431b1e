"""panel meetings: start time, attendance roles, agenda decisions and removals, ugly-mug
reports as records of their own with links to referrals

Revision ID: 0006_panels
Revises: 0005_lifecycle
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_panels"
down_revision = "0005_lifecycle"
branch_labels = None
depends_on = None

# The dangerous_individual vocabulary as resources/vocabularies.json holds it at this
# revision (a snapshot: the migration must not change when the file does).
DANGEROUS_INDIVIDUAL = (
    ("violence", "Violence or assault"), ("sexual_assault", "Sexual assault"),
    ("robbery", "Robbery or theft"), ("threats", "Threats or intimidation"),
    ("refused_payment", "Refused to pay"), ("condom_refusal", "Refused to use a condom"),
    ("weapon", "Carried or used a weapon"), ("drugging", "Spiked or drugged"),
    ("vehicle", "Vehicle used to follow or abduct"), ("stalking", "Stalking or following"),
    ("other", "Other"),
)


def upgrade() -> None:
    with op.batch_alter_table("panel_memberships", schema=None) as batch_op:
        batch_op.add_column(sa.Column("agency", sa.String(length=40), nullable=False,
                                      server_default=""))
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("starts_at", sa.String(length=5), nullable=False,
                                      server_default=""))
    with op.batch_alter_table("meeting_attendance", schema=None) as batch_op:
        batch_op.add_column(sa.Column("role", sa.String(length=10), nullable=False,
                                      server_default="member"))
    with op.batch_alter_table("meeting_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("decision", sa.Text(), nullable=False,
                                      server_default=""))
        batch_op.add_column(sa.Column("removed", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column("removed_reason", sa.String(length=200), nullable=False,
                                      server_default=""))
    with op.batch_alter_table("ugly_mug_reports", schema=None) as batch_op:
        batch_op.alter_column("case_id", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("panel_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("code", sa.String(length=40), nullable=False,
                                      server_default="other"))
        batch_op.add_column(sa.Column("lsoa_code", sa.String(length=12), nullable=True))
        batch_op.create_index(batch_op.f("ix_ugly_mug_reports_panel_id"), ["panel_id"],
                              unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_ugly_mug_reports_panel_id_panels"),
                                    "panels", ["panel_id"], ["id"])
    op.create_table(
        "ugly_mug_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"],
                                name=op.f("fk_ugly_mug_links_case_id_cases"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["report_id"], ["ugly_mug_reports.id"],
                                name=op.f("fk_ugly_mug_links_report_id_ugly_mug_reports"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ugly_mug_links")),
        sa.UniqueConstraint("report_id", "case_id",
                            name=op.f("uq_ugly_mug_links_report_id")),
    )
    with op.batch_alter_table("ugly_mug_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ugly_mug_links_case_id"), ["case_id"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_ugly_mug_links_report_id"), ["report_id"],
                              unique=False)
    # Reports recorded on a referral keep it as their first link, and its panel.
    op.execute("INSERT INTO ugly_mug_links (report_id, case_id) "
               "SELECT id, case_id FROM ugly_mug_reports WHERE case_id IS NOT NULL")
    op.execute("UPDATE ugly_mug_reports SET panel_id = (SELECT panel_id FROM cases "
               "WHERE cases.id = ugly_mug_reports.case_id), lsoa_code = (SELECT lsoa_code "
               "FROM cases WHERE cases.id = ugly_mug_reports.case_id) "
               "WHERE case_id IS NOT NULL")
    conn = op.get_bind()
    have = {r[0] for r in conn.execute(sa.text(
        "SELECT code FROM vocabulary_terms WHERE vocabulary = 'dangerous_individual'"))}
    for pos, (code, label) in enumerate(DANGEROUS_INDIVIDUAL):
        if code not in have:
            conn.execute(sa.text(
                "INSERT INTO vocabulary_terms (vocabulary, code, label, active, position) "
                "VALUES ('dangerous_individual', :c, :l, :a, :p)"),
                {"c": code, "l": label, "a": True, "p": pos})


def downgrade() -> None:
    op.execute("DELETE FROM vocabulary_terms WHERE vocabulary = 'dangerous_individual'")
    op.drop_table("ugly_mug_links")
    with op.batch_alter_table("ugly_mug_reports", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_ugly_mug_reports_panel_id_panels"),
                                 type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_ugly_mug_reports_panel_id"))
        batch_op.drop_column("lsoa_code")
        batch_op.drop_column("code")
        batch_op.drop_column("panel_id")
    with op.batch_alter_table("meeting_items", schema=None) as batch_op:
        batch_op.drop_column("removed_reason")
        batch_op.drop_column("removed")
        batch_op.drop_column("decision")
    with op.batch_alter_table("meeting_attendance", schema=None) as batch_op:
        batch_op.drop_column("role")
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_column("starts_at")
    with op.batch_alter_table("panel_memberships", schema=None) as batch_op:
        batch_op.drop_column("agency")
