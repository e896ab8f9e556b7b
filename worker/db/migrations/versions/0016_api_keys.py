"""keys of the HTTP API, stored by hash

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01 18:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import worker.db.types

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_key",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("digest", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", worker.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", worker.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("digest"),
    )
    op.create_index("ix_api_key_name", "api_key", ["name"])


def downgrade() -> None:
    op.drop_index("ix_api_key_name", table_name="api_key")
    op.drop_table("api_key")
