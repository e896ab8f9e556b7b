"""What an open campaign waits for: re-sends, batches to send or awaiting results, reservations."""

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select

from worker.db.batches import OPEN
from worker.db.models import Batch, Recipient
from worker.domain.statuses import BatchStatus, RecipientStatus


def resends(conn: Connection, campaign_id: int) -> tuple[int, datetime | None]:
    """Recipients waiting for a re-send, and when the first of them is due."""
    query = select(func.count(), func.min(Recipient.next_attempt_at)).where(
        Recipient.campaign_id == campaign_id, Recipient.status == RecipientStatus.RETRY_WAIT.value
    )
    waiting, first = conn.execute(query).one()
    return int(waiting), first


def open_batches(conn: Connection, campaign_id: int) -> list[Any]:
    """(provider, status, batches, first next_attempt_at) of the campaign's open batches."""
    query = (
        select(Batch.provider, Batch.status, func.count().label("batches"),
               func.min(Batch.next_attempt_at).label("next_at"))
        .where(Batch.campaign_id == campaign_id, Batch.status.in_(OPEN))
        .group_by(Batch.provider, Batch.status)
        .order_by(Batch.provider, Batch.status)
    )  # fmt: skip
    return list(conn.execute(query))


def reservations(conn: Connection, campaign_id: int) -> dict[str, int]:
    """Batches handed to a provider as a reservation, by their last reservation status
    (READY until the provider sends them; DONE, CANCELED, FAIL … after)."""
    query = (
        select(Batch.reserve_status, func.count())
        .where(
            Batch.campaign_id == campaign_id,
            Batch.reserve_time.is_not(None),
            Batch.status != BatchStatus.REROUTED.value,
        )
        .group_by(Batch.reserve_status)
    )
    return {status or "unknown": int(count) for status, count in conn.execute(query)}
