"""a paused campaign remembers the status it was paused from, and when; a re-send campaign
names its parent

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 17:55:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import worker.db.types

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("paused_from", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True)
        )
        batch_op.add_column(
            sa.Column("paused_at", worker.db.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("parent_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.drop_column("parent_id")
        batch_op.drop_column("paused_at")
        batch_op.drop_column("paused_from")
