"""campaigns remember when their import last showed it was alive, so an import whose producer
died is stopped instead of leaving the campaign half-imported for good

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 15:20:00
"""

import sqlalchemy as sa
from alembic import op

import worker.db.types

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("import_alive_at", worker.db.types.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.drop_column("import_alive_at")
