"""webhook events naming a batch not yet accepted wait for it (a result can outrun the send's
own answer) instead of being set aside at once; and the index that finds them when due

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 16:50:00
"""

import sqlalchemy as sa
from alembic import op

import worker.db.types

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("inbox_event", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("due_at", worker.db.types.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("inbox_event", schema=None) as batch_op:
        batch_op.drop_column("due_at")
