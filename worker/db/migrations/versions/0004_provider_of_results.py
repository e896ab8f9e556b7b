"""the provider and code family of every result

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 10:30:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("recipient", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("result_family", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True)
        )
    with op.batch_alter_table("delivery_attempt", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "provider",
                sqlmodel.sql.sqltypes.AutoString(length=20),
                nullable=False,
                server_default="",
            )
        )
        batch_op.add_column(
            sa.Column(
                "family",
                sqlmodel.sql.sqltypes.AutoString(length=20),
                nullable=False,
                server_default="",
            )
        )
    # Results recorded before this revision came from the batch's provider.
    op.execute(
        "UPDATE delivery_attempt SET provider = "
        "COALESCE((SELECT provider FROM batch WHERE batch.id = delivery_attempt.batch_id), '')"
    )


def downgrade() -> None:
    with op.batch_alter_table("delivery_attempt", schema=None) as batch_op:
        batch_op.drop_column("family")
        batch_op.drop_column("provider")
    with op.batch_alter_table("recipient", schema=None) as batch_op:
        batch_op.drop_column("result_family")
