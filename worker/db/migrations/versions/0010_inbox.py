"""an inbox of webhook calls: each stored before it is answered, applied in bulk later

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 15:10:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import worker.db.types

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbox_event",
        sa.Column("id", worker.db.types.BigId, primary_key=True, autoincrement=True),
        sa.Column("provider", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("received_at", worker.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("body", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("applied_at", worker.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    )
    op.create_index("ix_inbox_event_state", "inbox_event", ["state", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_inbox_event_state", table_name="inbox_event")
    op.drop_table("inbox_event")
