"""letter templates an administrator edits: each version's reason and the version it
reverted to, one row per template version; a letter names the template version it used

Revision ID: 0012_letters
Revises: 0011_trigger
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_letters"
down_revision = "0011_trigger"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("letter_template_versions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reason", sa.String(length=200), nullable=False,
                                      server_default=""))
        batch_op.add_column(sa.Column("reverted_from", sa.Integer(), nullable=True))
        batch_op.create_unique_constraint("uq_letter_template_versions_key_version",
                                          ["key", "version"])
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("template_key", sa.String(length=60), nullable=False,
                                      server_default=""))
        batch_op.add_column(sa.Column("template_version", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_column("template_version")
        batch_op.drop_column("template_key")
    with op.batch_alter_table("letter_template_versions", schema=None) as batch_op:
        batch_op.drop_constraint("uq_letter_template_versions_key_version", type_="unique")
        batch_op.drop_column("reverted_from")
        batch_op.drop_column("reason")
