"""batches remember when their send was claimed and how often the provider was asked about
them, so a send whose answer was lost is looked up before it is sent again

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 14:30:00
"""

import sqlalchemy as sa
from alembic import op

import worker.db.types

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("batch", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("claimed_at", worker.db.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("lookups", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("batch", schema=None) as batch_op:
        batch_op.drop_column("lookups")
        batch_op.drop_column("claimed_at")
