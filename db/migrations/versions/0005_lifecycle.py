"""the case lifecycle: party end dates, job titles, task reasons and snoozes, evidence,
versioned letter templates

Revision ID: 0005_lifecycle
Revises: 0004_scale
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_lifecycle"
down_revision = "0004_scale"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case_parties", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ended_on", sa.Date(), nullable=True))
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("job_title", sa.String(length=120), nullable=False,
                                      server_default=""))
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("closed_reason", sa.String(length=200), nullable=False,
                                      server_default=""))
        batch_op.add_column(sa.Column("snoozed_until", sa.Date(), nullable=True))
    op.create_table(
        "evidence_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("evidence_type", sa.String(length=40), nullable=False),
        sa.Column("evidence_on", sa.Date(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("added_by", sa.Integer(), nullable=True),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["added_by"], ["users.id"],
                                name=op.f("fk_evidence_items_added_by_users")),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"],
                                name=op.f("fk_evidence_items_case_id_cases"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"],
                                name=op.f("fk_evidence_items_document_id_documents"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_items")),
    )
    with op.batch_alter_table("evidence_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evidence_items_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_evidence_items_document_id"), ["document_id"],
                              unique=False)
    op.create_table(
        "letter_template_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"],
                                name=op.f("fk_letter_template_versions_created_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_letter_template_versions")),
    )
    with op.batch_alter_table("letter_template_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_letter_template_versions_key"), ["key"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("letter_template_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_letter_template_versions_key"))
    op.drop_table("letter_template_versions")
    with op.batch_alter_table("evidence_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_items_document_id"))
        batch_op.drop_index(batch_op.f("ix_evidence_items_case_id"))
    op.drop_table("evidence_items")
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_column("snoozed_until")
        batch_op.drop_column("closed_reason")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("job_title")
    with op.batch_alter_table("case_parties", schema=None) as batch_op:
        batch_op.drop_column("ended_on")
