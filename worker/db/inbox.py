"""Queries on the webhook inbox: store a call as it came, take new ones, record the outcome."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, or_, select, update

from worker.db.models import InboxEvent
from worker.db.types import utcnow

NEW, APPLIED, UNMATCHED, INVALID = "new", "applied", "unmatched", "invalid"


def add(conn: Connection, provider: str, body: str) -> int:
    """Store one webhook call (one INSERT); its id."""
    statement = insert(InboxEvent).values(provider=provider, body=body, received_at=utcnow())
    return int(conn.execute(statement.returning(InboxEvent.id)).scalar_one())


def add_many(conn: Connection, rows: Sequence[tuple[str, str]]) -> list[int]:
    """Store several calls ((provider, body) each, one row each) in one statement; their ids,
    in the order given."""
    now = utcnow()
    values = [{"provider": provider, "body": body, "received_at": now} for provider, body in rows]
    statement = insert(InboxEvent).returning(InboxEvent.id, sort_by_parameter_order=True)
    return [int(event_id) for event_id in conn.execute(statement, values).scalars()]


def take_new(conn: Connection, provider: str, limit: int, now: datetime) -> list[Any]:
    """The oldest new events of a provider that are due, locked for this transaction;
    appliers running at once each take other events (SKIP LOCKED on PostgreSQL)."""
    query = (
        select(InboxEvent.id, InboxEvent.body, InboxEvent.received_at)
        .where(
            InboxEvent.provider == provider,
            InboxEvent.state == NEW,
            or_(InboxEvent.due_at.is_(None), InboxEvent.due_at <= now),
        )
        .order_by(InboxEvent.id)
        .limit(limit)
    )
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return list(conn.execute(query))


def mark(conn: Connection, ids: Sequence[int], state: str, now: datetime, note: str = "") -> None:
    """new → `state` for these events, with a note (what did not match, why unreadable)."""
    if ids:
        conn.execute(
            update(InboxEvent)
            .where(InboxEvent.id.in_(list(ids)), InboxEvent.state == NEW)
            .values(state=state, applied_at=now, note=note[:500] or None)
        )


def hold(conn: Connection, ids: Sequence[int], due: datetime, note: str) -> None:
    """Leave these events new, to be taken again at `due` (their batch was not accepted yet)."""
    if ids:
        conn.execute(
            update(InboxEvent)
            .where(InboxEvent.id.in_(list(ids)), InboxEvent.state == NEW)
            .values(due_at=due, note=note[:500] or None)
        )
