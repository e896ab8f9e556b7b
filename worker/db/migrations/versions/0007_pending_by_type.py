"""pending recipients found by campaign, status and message type, so planning one type never
walks another type's rows

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 12:40:00
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _index(columns: list[str]) -> None:
    with op.batch_alter_table("recipient", schema=None) as batch_op:
        batch_op.drop_index("ix_recipient_campaign_status")
        batch_op.create_index("ix_recipient_campaign_status", columns, unique=False)


def upgrade() -> None:
    _index(["campaign_id", "status", "message_type", "id"])


def downgrade() -> None:
    _index(["campaign_id", "status", "id"])
