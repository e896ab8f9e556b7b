"""campaigns remember how many of their recipients are abroad and the SMS parts their messages
take (GSM-7 / UCS-2 segments), counted once when the import ends, for the report

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 17:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.add_column(sa.Column("abroad_recipients", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("abroad_parts", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.drop_column("abroad_parts")
        batch_op.drop_column("abroad_recipients")
