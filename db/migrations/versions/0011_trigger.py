"""trigger complaints: the complaints a person said are not the same incident

Revision ID: 0011_trigger
Revises: 0010_m1
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_trigger"
down_revision = "0010_m1"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("trigger_complaints", schema=None) as batch_op:
        batch_op.add_column(sa.Column("not_same_as", sa.Text(), nullable=False,
                                      server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("trigger_complaints", schema=None) as batch_op:
        batch_op.drop_column("not_same_as")
