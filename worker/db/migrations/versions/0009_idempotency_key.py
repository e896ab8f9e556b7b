"""campaigns may carry an idempotency key: a repeated create with the same key finds the
campaign it made instead of making another

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.add_column(sa.Column("idempotency_key", sa.String(length=100), nullable=True))
        # Unique, but NULLs never collide: campaigns created without a key are unaffected.
        batch_op.create_index("ix_campaign_idempotency_key", ["idempotency_key"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.drop_index("ix_campaign_idempotency_key")
        batch_op.drop_column("idempotency_key")
