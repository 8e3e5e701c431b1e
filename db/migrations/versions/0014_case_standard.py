"""letter template versions record the standard wording they were edited from (the
SHA-256 of the packaged text), so an edit made before the standard wording changed can be
flagged for review; versions saved before this revision have none (not known)

Revision ID: 0014_case_standard
Revises: 0013_gen_indexes
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_case_standard"
down_revision = "0013_gen_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("letter_template_versions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("standard_sha256", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("letter_template_versions", schema=None) as batch_op:
        batch_op.drop_column("standard_sha256")
