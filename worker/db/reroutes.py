"""Queries of failover: unsent batches of a sick provider, and moving their recipients."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, select, update

from config import providers
from worker.db.batches import MEMBER_COLUMNS, SENDING_CAMPAIGNS
from worker.db.members import BatchRef, open_members
from worker.db.models import Batch, Campaign, Recipient
from worker.domain.statuses import BatchStatus, RecipientStatus

B = BatchStatus


def movable(conn: Connection, provider: str, limit: int) -> list[Any]:
    """Batches of auto campaigns the provider has not been sent (planned, or waiting for a
    retry), with what routing needs of their campaign; oldest first."""
    query = (
        select(*MEMBER_COLUMNS, Campaign.content_type, Campaign.schedule_mode)
        .join(Campaign, Campaign.id == Batch.campaign_id)
        .where(
            Batch.provider == provider,
            Batch.status.in_([B.PLANNED.value, B.RETRY.value]),
            Campaign.provider == providers.AUTO,
            Campaign.status.in_(SENDING_CAMPAIGNS),
        )
        .order_by(Batch.id)
        .limit(limit)
    )
    return list(conn.execute(query))


def take(conn: Connection, batch_id: int) -> bool:
    """planned or retry → rerouted: no send of it can start any more."""
    result = conn.execute(
        update(Batch)
        .where(Batch.id == batch_id, Batch.status.in_([B.PLANNED.value, B.RETRY.value]))
        .values(status=B.REROUTED.value, next_attempt_at=None)
    )
    return result.rowcount == 1


_MOVE = (
    update(Recipient)
    .where(Recipient.id == bindparam("b_id"))
    .values(status=RecipientStatus.BATCHED.value, batch_id=bindparam("b_batch"))
)


def move(conn: Connection, old: BatchRef, moves: Sequence[dict[str, int]]) -> int:
    """Open members of `old` → listed members of their new batch ({b_id, b_batch} each);
    their attempt stays (none of them was sent). How many moved."""
    if not moves:
        return 0
    ids = [move["b_id"] for move in moves]
    still_open = conn.execute(
        select(Recipient.id).where(open_members(old), Recipient.id.in_(ids))
    ).scalars()
    kept = set(still_open)
    rows = [move for move in moves if move["b_id"] in kept]
    if rows:
        conn.execute(_MOVE, rows)
    return len(rows)
