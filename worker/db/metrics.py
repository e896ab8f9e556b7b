"""Read-only queries behind /metrics: sends, recipients, result latency and inbox lag."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, case, func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from worker.db.models import Batch, DeliveryAttempt, InboxEvent, Recipient
from worker.domain.statuses import BatchStatus, RecipientStatus

B, R = BatchStatus, RecipientStatus
# Members a batch still holds without a row of their own: counted by their batch instead.
_OPEN = (R.PENDING.value, R.BATCHED.value)


@dataclass(frozen=True, slots=True)
class SendTotals:
    """One provider's messages by what it answered to the requests carrying them."""

    provider: str
    in_taken_requests: int  # members of requests it took (the batch has a send time)
    in_refused_requests: int  # members of requests it refused (the batch was rejected)
    refused_inside: int  # recipients refused inside a request it took
    awaiting: int  # members of taken requests still without a result

    @property
    def sent(self) -> int:
        """Messages in requests the provider answered."""
        return self.in_taken_requests + self.in_refused_requests

    @property
    def accepted(self) -> int:
        """Messages the provider took."""
        return self.in_taken_requests - self.refused_inside

    @property
    def refused(self) -> int:
        """Messages the provider refused, with their request or alone."""
        return self.in_refused_requests + self.refused_inside


@dataclass(frozen=True, slots=True)
class Latencies:
    """One provider's results of a window: how many took at most each bound, their count and
    their total seconds."""

    provider: str
    at_most: tuple[int, ...]
    count: int
    total_seconds: float


@dataclass(frozen=True, slots=True)
class InboxLag:
    """One provider's webhook calls not applied yet."""

    provider: str
    new_events: int
    oldest_received_at: datetime


def send_totals(conn: Connection) -> list[SendTotals]:
    """Every provider's send totals, from its batch rows and attempt history."""
    taken = Batch.sent_at.is_not(None)
    query = select(
        Batch.provider,
        _sum_if(taken, Batch.recipient_count),
        _sum_if(Batch.status == B.REJECTED.value, Batch.recipient_count),
        _sum_if(Batch.status == B.ACCEPTED.value, Batch.recipient_count - Batch.settled),
    ).group_by(Batch.provider)
    inside = refused_inside(conn)
    return [SendTotals(p, int(t), int(r), inside.get(p, 0), int(a))
            for p, t, r, a in conn.execute(query)]  # fmt: skip


def refused_inside(conn: Connection) -> dict[str, int]:
    """Per provider, recipients refused inside a request it took: the send answer's results
    are the only ones recorded with no completion time (every report carries the
    provider's), and only a taken request's answer has results."""
    query = (
        select(DeliveryAttempt.provider, func.count())
        .where(DeliveryAttempt.completed_at.is_(None))
        .group_by(DeliveryAttempt.provider)
    )
    return {provider: int(count) for provider, count in conn.execute(query)}


def recipients_by_status(conn: Connection) -> dict[tuple[str, str], int]:
    """(provider, status) → recipients whose row was written with that status, by the provider
    of the batch that wrote it; members still open are left to `SendTotals.awaiting`."""
    query = (
        select(Batch.provider, Recipient.status, func.count())
        .join(Batch, Batch.id == Recipient.batch_id)
        .where(Recipient.status.not_in(_OPEN))
        .group_by(Batch.provider, Recipient.status)
    )
    return {(provider, status): int(count) for provider, status, count in conn.execute(query)}


def result_latencies(conn: Connection, since: datetime, bounds: Sequence[float]) -> list[Latencies]:
    """Per provider, the seconds from each batch's send to its results completed since
    `since`. Only batches still open then are read (a seq scan of batch, small beside
    recipient), and their results through delivery_attempt's key (batch_id, phone)."""
    window = (
        select(Batch.provider, _seconds(conn, Batch.sent_at, DeliveryAttempt.completed_at))
        .join(DeliveryAttempt, DeliveryAttempt.batch_id == Batch.id)
        .where(
            Batch.sent_at.is_not(None),
            or_(Batch.completed_at.is_(None), Batch.completed_at >= since),
            DeliveryAttempt.completed_at >= since,
        )
        .subquery()
    )
    seconds = window.c.seconds
    counts = [_sum_if(seconds <= bound, 1) for bound in bounds]
    query = select(window.c.provider, func.count(), func.sum(seconds), *counts).group_by(
        window.c.provider
    )
    return [Latencies(provider, tuple(int(n) for n in at_most), int(count), float(total or 0))
            for provider, count, total, *at_most in conn.execute(query)]  # fmt: skip


def inbox_lag(conn: Connection) -> list[InboxLag]:
    """Per provider, the webhook calls still new and when the oldest of them came (the
    state index finds them; applied events are never read)."""
    query = (
        select(InboxEvent.provider, func.count(), func.min(InboxEvent.received_at))
        .where(InboxEvent.state == "new")
        .group_by(InboxEvent.provider)
    )
    return [
        InboxLag(provider, int(count), oldest) for provider, count, oldest in conn.execute(query)
    ]


def _sum_if(condition: ColumnElement[bool], value: object) -> ColumnElement[int]:
    # Summed over a group, never empty: with `else_=0` the sum is never NULL.
    return func.sum(case((condition, value), else_=0))


def _seconds(conn: Connection, start: object, end: object) -> ColumnElement[float]:
    """`end - start` in seconds, at least 0, labelled `seconds`, on PostgreSQL or SQLite. A
    provider's result time has whole seconds (SENS) on its own clock: one may read a little
    before our send."""
    if conn.dialect.name == "postgresql":
        elapsed = func.extract("epoch", end - start)  # type: ignore[operator]
        return func.greatest(elapsed, 0.0).label("seconds")
    elapsed = (func.julianday(end) - func.julianday(start)) * 86400.0
    return func.max(elapsed, 0.0).label("seconds")
