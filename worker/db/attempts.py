"""Queries on the delivery-attempt history: every provider result, one row per attempt."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, func, select, text

from worker.db.models import DeliveryAttempt, Recipient
from worker.db.results import as_json
from worker.db.upsert import insert_ignoring_conflicts

# The history columns, and their array types for the PostgreSQL path.
_COLUMNS = {
    "campaign_id": "integer",
    "batch_id": "integer",
    "provider": "text",
    "phone": "text",
    "attempt": "integer",
    "code": "text",
    "family": "text",
    "outcome": "text",
    "message_id": "text",
    "completed_at": "timestamptz",
}
_INSERT = text(
    f"INSERT INTO delivery_attempt ({', '.join(_COLUMNS)}) "
    f"SELECT {', '.join(_COLUMNS)} FROM json_to_recordset(CAST(:page AS json)) AS v("
    + ", ".join(f"{name} {kind}" for name, kind in _COLUMNS.items())
    + ") ON CONFLICT (batch_id, phone) DO NOTHING"
)


def record(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Insert attempt rows; a result applied twice (same batch and phone) is kept once.

    On PostgreSQL one INSERT … SELECT FROM json_to_recordset per page (worker/db/results.py):
    an executemany of ON CONFLICT inserts goes row by row (a quarter of applying a page), and
    a multi-row VALUES is compiled anew for every page size.
    """
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        conn.execute(_INSERT, {"page": as_json(rows)})
    else:
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
