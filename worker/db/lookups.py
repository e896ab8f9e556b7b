"""Queries on sends the provider may hold without our knowing: into `unsure`, and out of it."""

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, String, cast, func, select, update

from worker.db.batches import MEMBER_COLUMNS
from worker.db.models import Batch
from worker.domain.statuses import BatchStatus

B = BatchStatus


def mark_unsure(conn: Connection, batch_id: int, due: datetime, **fields: Any) -> bool:
    """sending → unsure: the provider is asked at `due` before the batch is sent again."""
    result = conn.execute(
        update(Batch)
        .where(Batch.id == batch_id, Batch.status == B.SENDING.value)
        .values(status=B.UNSURE.value, lease_until=None, next_attempt_at=due, **fields)
    )
    return result.rowcount == 1


def unsure_lapsed(conn: Connection, now: datetime, due: datetime) -> list[int]:
    """sending batches whose lease lapsed (their worker died or lost the database mid-send)
    → unsure, to be looked up at `due`; their ids."""
    result = conn.execute(
        update(Batch)
        .where(Batch.status == B.SENDING.value, Batch.lease_until < now)
        .values(status=B.UNSURE.value, lease_until=None, next_attempt_at=due)
        .returning(Batch.id)
    )
    return list(result.scalars())


def due(conn: Connection, provider: str, now: datetime, limit: int) -> list[Any]:
    """Unsure batches of `provider` whose lookup time came, oldest first."""
    query = (
        select(*MEMBER_COLUMNS, Batch.claimed_at, Batch.lookups, Batch.send_attempts)
        .where(
            Batch.provider == provider,
            Batch.status == B.UNSURE.value,
            Batch.next_attempt_at <= now,
        )
        .order_by(Batch.next_attempt_at)
        .limit(limit)
    )
    return list(conn.execute(query))


def found(conn: Connection, batch_id: int, answer: dict[str, Any]) -> bool:
    """unsure → accepted with the request the provider holds (request_id, sent_at,
    http_status, next_poll_at): its results are read as any accepted batch's."""
    result = conn.execute(
        update(Batch)
        .where(Batch.id == batch_id, Batch.status == B.UNSURE.value)
        .values(status=B.ACCEPTED.value, next_attempt_at=None, **answer)
    )
    return result.rowcount == 1


def not_found(conn: Connection, batch_id: int, new: BatchStatus, **fields: Any) -> bool:
    """unsure → `new` (retry: send it again; cancelled; unknown) once the lookup decided."""
    result = conn.execute(
        update(Batch)
        .where(Batch.id == batch_id, Batch.status == B.UNSURE.value)
        .values(status=new.value, **fields)
    )
    return result.rowcount == 1


def ask_later(conn: Connection, batch_id: int, due: datetime, error: str) -> bool:
    """The lookup itself failed: one more lookup counted, the next at `due`."""
    result = conn.execute(
        update(Batch)
        .where(Batch.id == batch_id, Batch.status == B.UNSURE.value)
        .values(lookups=Batch.lookups + 1, next_attempt_at=due, error_message=error[:500])
    )
    return result.rowcount == 1


def recorded(conn: Connection, provider: str, request_ids: list[str], but: int) -> set[str]:
    """Those of the provider's request ids a batch other than `but` already holds."""
    query = select(Batch.request_id).where(
        Batch.provider == provider, Batch.request_id.in_(request_ids), Batch.id != but
    )
    return set(conn.execute(query).scalars())


def found_by_webhook(conn: Connection, provider: str, batch_ids: list[int], now: datetime) -> int:
    """unsure → accepted for batches whose results came by webhook with our echoed key: the
    provider holds the request, so it is never sent again. The echo stands in for the
    request id the lost answer would have told."""
    if not batch_ids:
        return 0
    result = conn.execute(
        update(Batch)
        .where(Batch.provider == provider, Batch.id.in_(batch_ids), Batch.status == B.UNSURE.value)
        .values(
            status=B.ACCEPTED.value,
            next_attempt_at=None,
            request_id=func.coalesce(Batch.request_id, "echo:" + cast(Batch.id, String)),
            sent_at=func.coalesce(Batch.claimed_at, now),
            http_status=202,
        )
    )
    return result.rowcount
