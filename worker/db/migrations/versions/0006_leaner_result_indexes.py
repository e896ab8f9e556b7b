"""leaner indexes for results: recipients by batch only while looked up so; attempts keyed by
(batch, phone)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 12:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("recipient", schema=None) as batch_op:
        batch_op.drop_index("ix_recipient_batch")
        batch_op.create_index(
            "ix_recipient_batch",
            ["batch_id", "status"],
            unique=False,
            postgresql_where=sa.text("status IN ('batched', 'expired')"),
            sqlite_where=sa.text("status IN ('batched', 'expired')"),
        )
    with op.batch_alter_table("delivery_attempt", schema=None) as batch_op:
        batch_op.drop_constraint("uq_attempt_batch_phone", type_="unique")
        batch_op.drop_column("id")
        batch_op.create_primary_key("pk_delivery_attempt", ["batch_id", "phone"])


def downgrade() -> None:
    with op.batch_alter_table("delivery_attempt", schema=None) as batch_op:
        batch_op.drop_constraint("pk_delivery_attempt", type_="primary")
        batch_op.add_column(sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False))
        batch_op.create_primary_key("delivery_attempt_pkey", ["id"])
        batch_op.create_unique_constraint("uq_attempt_batch_phone", ["batch_id", "phone"])
    with op.batch_alter_table("recipient", schema=None) as batch_op:
        batch_op.drop_index("ix_recipient_batch")
        batch_op.create_index(
            "ix_recipient_batch",
            ["batch_id", "status"],
            unique=False,
            postgresql_where=sa.text("batch_id IS NOT NULL"),
            sqlite_where=sa.text("batch_id IS NOT NULL"),
        )
