"""batches as id ranges; what each batch holds and has settled; import and planning times

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 11:30:00
"""

import sqlalchemy as sa
from alembic import op

import worker.db.types

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("batch", schema=None) as batch_op:
        batch_op.add_column(sa.Column("first_id", BigId, nullable=True))
        batch_op.add_column(sa.Column("last_id", BigId, nullable=True))
        batch_op.add_column(sa.Column("settled", sa.Integer(), nullable=False, server_default="0"))
        batch_op.create_unique_constraint(
            "uq_batch_range", ["campaign_id", "message_type", "first_id"]
        )
    with op.batch_alter_table("campaign", schema=None) as batch_op:
        for name in ("imported_at", "planned_at"):
            batch_op.add_column(
                sa.Column(name, worker.db.types.UTCDateTime(timezone=True), nullable=True)
            )
    _move_existing_data()
    # When a recipient was accepted is its batch's sent_at: the column is no longer written.
    with op.batch_alter_table("recipient", schema=None) as batch_op:
        batch_op.drop_column("accepted_at")


def _move_existing_data() -> None:
    # Existing batches list their members (recipient.batch_id); an accepted member now reads
    # as `batched` in an accepted batch, and the batch counts the members already written.
    op.execute("UPDATE recipient SET status = 'batched' WHERE status = 'accepted'")
    op.execute(
        "UPDATE batch SET settled = recipient_count - (SELECT count(*) FROM recipient "
        "WHERE recipient.batch_id = batch.id AND recipient.status = 'batched')"
    )
    op.execute("UPDATE campaign SET imported_at = COALESCE(queued_at, created_at) "
               "WHERE status <> 'draft'")  # fmt: skip
    op.execute(
        "UPDATE campaign SET planned_at = imported_at WHERE imported_at IS NOT NULL AND "
        "NOT EXISTS (SELECT 1 FROM recipient WHERE recipient.campaign_id = campaign.id "
        "AND recipient.status = 'pending') AND status NOT IN ('queued', 'scheduled')"
    )


def downgrade() -> None:
    with op.batch_alter_table("recipient", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("accepted_at", worker.db.types.UTCDateTime(timezone=True), nullable=True)
        )
    op.execute(
        "UPDATE recipient SET status = 'accepted' WHERE status = 'batched' AND batch_id IN "
        "(SELECT id FROM batch WHERE status IN ('accepted', 'completed'))"
    )
    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.drop_column("planned_at")
        batch_op.drop_column("imported_at")
    with op.batch_alter_table("batch", schema=None) as batch_op:
        batch_op.drop_constraint("uq_batch_range", type_="unique")
        batch_op.drop_column("settled")
        batch_op.drop_column("last_id")
        batch_op.drop_column("first_id")
