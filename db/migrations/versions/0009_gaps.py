"""trigger complaints: where the behaviour happened (for same-incident suggestions)

Revision ID: 0009_gaps
Revises: 0008_pgsync
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_gaps"
down_revision = "0008_pgsync"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("trigger_complaints", schema=None) as batch_op:
        batch_op.add_column(sa.Column("place", sa.String(length=120), nullable=False,
                                      server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("trigger_complaints", schema=None) as batch_op:
        batch_op.drop_column("place")
