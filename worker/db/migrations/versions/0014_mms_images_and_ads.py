"""MMS images kept with their campaign, and each provider's uploaded files by content hash
(reused until they expire); AD campaigns say whether they may send at night

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 17:20:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import worker.db.types

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("night_consent", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_table(
        "campaign_image",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.UniqueConstraint("campaign_id", "position", name="uq_campaign_image"),
    )
    op.create_table(
        "provider_file",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("provider", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("file_id", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("uploaded_at", worker.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", worker.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("provider", "sha256", name="uq_provider_file"),
    )


def downgrade() -> None:
    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.drop_column("night_consent")
    op.drop_table("provider_file")
    op.drop_table("campaign_image")
