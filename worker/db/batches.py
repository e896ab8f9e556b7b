"""Queries on batches: create, claim with a lease, record the provider's answer, schedule polls."""

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, exists, func, insert, or_, select, update

from worker.db.models import Batch, Campaign, Recipient
from worker.domain.statuses import BatchStatus, RecipientStatus

B = BatchStatus


def create_many(conn: Connection, rows: list[dict[str, Any]]) -> list[int]:
    """Insert batch rows in one statement and return their ids in the same order."""
    if not rows:
        return []
    statement = insert(Batch).returning(Batch.id, sort_by_parameter_order=True)
    return [row.id for row in conn.execute(statement, rows)]


def get(conn: Connection, batch_id: int) -> Any:
    """The batch row, or None."""
    return conn.execute(select(Batch).where(Batch.id == batch_id)).first()


def planned_ids(conn: Connection, campaign_id: int) -> list[tuple[int, str]]:
    """(id, provider) of the campaign's batches still waiting to be sent."""
    query = select(Batch.id, Batch.provider).where(
        Batch.campaign_id == campaign_id, Batch.status == B.PLANNED.value
    )
    return [(row.id, row.provider) for row in conn.execute(query.order_by(Batch.id))]


def claim(conn: Connection, batch_id: int, now: datetime, lease: timedelta) -> Any:
    """planned → sending under a lease; a lapsed lease (its worker died) may be re-claimed.

    Returns the claimed batch row (one round trip), or None when another run holds it.
    """
    lapsed = and_(Batch.status == B.SENDING.value, Batch.lease_until < now)
    result = conn.execute(
        update(Batch)
        .where(Batch.id == batch_id, or_(Batch.status == B.PLANNED.value, lapsed))
        .values(
            status=B.SENDING.value,
            lease_until=now + lease,
            send_attempts=Batch.send_attempts + 1,
        )
        .returning(*Batch.__table__.columns)
    )
    return result.first()


def sendable(conn: Connection, batch_id: int) -> Any:
    """(recipient_count, sender) of a batch still planned or sending, else None; one query."""
    query = (
        select(Batch.recipient_count, Campaign.sender)
        .join(Campaign, Campaign.id == Batch.campaign_id)
        .where(Batch.id == batch_id, Batch.status.in_([B.PLANNED.value, B.SENDING.value]))
    )
    return conn.execute(query).first()


def finish_send(conn: Connection, batch_id: int, new: BatchStatus, **fields: Any) -> bool:
    """sending → `new` with the provider's answer; False if another run already moved it."""
    result = conn.execute(
        update(Batch)
        .where(Batch.id == batch_id, Batch.status == B.SENDING.value)
        .values(status=new.value, lease_until=None, **fields)
    )
    return result.rowcount == 1


def release_due(conn: Connection, now: datetime, regrace: timedelta, limit: int) -> list[Any]:
    """Batches whose send is due (retry wait over, or planned but never claimed): → planned.

    Returns (id, provider) to publish. Their due time moves on by `regrace`, so a batch whose
    task got lost is published again later, and a duplicate task finds it already claimed.
    """
    due = (
        select(Batch.id)
        .where(Batch.status.in_([B.PLANNED.value, B.RETRY.value]), Batch.next_attempt_at <= now)
        .order_by(Batch.next_attempt_at)
        .limit(limit)
    )
    ids = list(conn.execute(due).scalars())
    if not ids:
        return []
    result = conn.execute(
        update(Batch)
        .where(Batch.id.in_(ids), Batch.status.in_([B.PLANNED.value, B.RETRY.value]))
        .values(status=B.PLANNED.value, next_attempt_at=now + regrace)
        .returning(Batch.id, Batch.provider)
    )
    return list(result)


def due_for_poll(conn: Connection, provider: str, now: datetime, limit: int) -> list[Any]:
    """Accepted batches whose poll time came, with their attempt and campaign deadline."""
    query = (
        select(
            Batch.id,
            Batch.request_id,
            Batch.message_type,
            Batch.campaign_id,
            Batch.poll_count,
            Batch.attempt,
            Batch.sent_at,
            Batch.reserve_time,
            Batch.reserve_status,
            Campaign.created_at,
            Campaign.deadline_at,
        )
        .join(Campaign, Campaign.id == Batch.campaign_id)
        .where(
            Batch.provider == provider,
            Batch.status == B.ACCEPTED.value,
            Batch.next_poll_at <= now,
        )
        .order_by(Batch.next_poll_at)
        .limit(limit)
    )
    return list(conn.execute(query))


def complete_if_done(conn: Connection, batch_id: int, now: datetime) -> bool:
    """accepted → completed when none of its recipients awaits a result."""
    waiting = exists().where(
        Recipient.batch_id == batch_id, Recipient.status == RecipientStatus.ACCEPTED.value
    )
    done = conn.execute(
        update(Batch)
        .where(Batch.id == batch_id, Batch.status == B.ACCEPTED.value, ~waiting)
        .values(status=B.COMPLETED.value, completed_at=now, next_poll_at=None)
    )
    return done.rowcount == 1


def after_poll(conn: Connection, batch_id: int, now: datetime, next_poll: datetime) -> bool:
    """accepted → completed when none of its recipients awaits a result; else poll again later.

    Returns True when the batch completed.
    """
    if complete_if_done(conn, batch_id, now):
        return True
    conn.execute(
        update(Batch)
        .where(Batch.id == batch_id, Batch.status == B.ACCEPTED.value)
        .values(next_poll_at=next_poll, poll_count=Batch.poll_count + 1)
    )
    return False


def oldest_open_sent(conn: Connection, provider: str) -> datetime | None:
    """When the oldest batch still awaiting results was sent."""
    query = select(func.min(Batch.sent_at)).where(
        Batch.provider == provider, Batch.status == B.ACCEPTED.value
    )
    return conn.execute(query).scalar()


def sweep_load(conn: Connection, provider: str, since: datetime) -> int:
    """Results a sweep from `since` would read: those still awaited, and those of batches
    that completed since (read again)."""
    done_since = select(func.coalesce(func.sum(Batch.recipient_count), 0)).where(
        Batch.provider == provider, Batch.completed_at >= since
    )
    awaited = select(func.count()).where(
        Recipient.batch_id.in_(
            select(Batch.id).where(Batch.provider == provider, Batch.status == B.ACCEPTED.value)
        ),
        Recipient.status == RecipientStatus.ACCEPTED.value,
    )
    return int(conn.execute(done_since).scalar_one()) + int(conn.execute(awaited).scalar_one())


def open_count(conn: Connection, provider: str) -> int:
    """How many of the provider's batches await results."""
    query = select(func.count()).where(Batch.provider == provider, Batch.status == B.ACCEPTED.value)
    return int(conn.execute(query).scalar_one())


def contexts_for_requests(conn: Connection, provider: str, request_ids: list[str]) -> list[Any]:
    """Batches (with campaign deadline) behind provider request ids, for applying results."""
    query = (
        select(
            Batch.id,
            Batch.request_id,
            Batch.campaign_id,
            Batch.attempt,
            Campaign.created_at,
            Campaign.deadline_at,
        )
        .join(Campaign, Campaign.id == Batch.campaign_id)
        .where(Batch.provider == provider, Batch.request_id.in_(request_ids))
    )
    return list(conn.execute(query))


def overdue(conn: Connection, provider: str, cutoff: datetime) -> list[Any]:
    """(id, campaign_id) of accepted batches sent before `cutoff`: past their result deadline."""
    query = select(Batch.id, Batch.campaign_id).where(
        Batch.provider == provider, Batch.status == B.ACCEPTED.value, Batch.sent_at < cutoff
    )
    return list(conn.execute(query))


def cancel_unsent(conn: Connection, campaign_id: int, now: datetime) -> int:
    """planned and retry → cancelled for a campaign being cancelled."""
    result = conn.execute(
        update(Batch)
        .where(
            Batch.campaign_id == campaign_id,
            Batch.status.in_([B.PLANNED.value, B.RETRY.value]),
        )
        .values(status=B.CANCELLED.value, completed_at=now, next_attempt_at=None)
    )
    return result.rowcount


def pending_reservations(conn: Connection, campaign_id: int, now: datetime) -> list[Any]:
    """(id, request_id, provider) of accepted batches whose reserved time is still ahead."""
    query = select(Batch.id, Batch.request_id, Batch.provider).where(
        Batch.campaign_id == campaign_id,
        Batch.status == B.ACCEPTED.value,
        Batch.reserve_time > now,
    )
    return list(conn.execute(query))


def set_reserve_status(
    conn: Connection, batch_id: int, status: str, new: BatchStatus | None = None, **fields: Any
) -> bool:
    """Record a reservation's status; optionally accepted → `new` (cancelled, completed)."""
    values: dict[str, Any] = {"reserve_status": status, **fields}
    if new is not None:
        values["status"] = new.value
    result = conn.execute(
        update(Batch).where(Batch.id == batch_id, Batch.status == B.ACCEPTED.value).values(**values)
    )
    return result.rowcount == 1
