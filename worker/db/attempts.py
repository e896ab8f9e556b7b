"""Queries on the delivery-attempt history: every provider result, one row per attempt."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, func, select

from worker.db.models import DeliveryAttempt, Recipient
from worker.db.upsert import insert_ignoring_conflicts


def record(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Insert attempt rows; a result applied twice (same batch and phone) is kept once."""
    if rows:
        conn.execute(insert_ignoring_conflicts(conn, DeliveryAttempt), list(rows))


def delivered_by_attempt(conn: Connection, campaign_id: int) -> dict[int, int]:
    """Delivered recipients per attempt number ("delivered on attempt 2")."""
    query = (
        select(Recipient.attempts, func.count())
        .where(Recipient.campaign_id == campaign_id, Recipient.status == "delivered")
        .group_by(Recipient.attempts)
    )
    return {attempt: count for attempt, count in conn.execute(query)}


def for_campaign(conn: Connection, campaign_id: int) -> list[Any]:
    """Every attempt of a campaign, in order (phone, attempt, code, outcome)."""
    query = (
        select(
            DeliveryAttempt.phone,
            DeliveryAttempt.attempt,
            DeliveryAttempt.code,
            DeliveryAttempt.outcome,
        )
        .where(DeliveryAttempt.campaign_id == campaign_id)
        .order_by(DeliveryAttempt.phone, DeliveryAttempt.attempt)
    )
    return list(conn.execute(query))
