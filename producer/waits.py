"""What an open campaign waits for, in words: `waiting for results of 5 batches`, …."""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection

from producer.times import korea_clock
from worker.db import waiting
from worker.domain.statuses import BatchStatus as B

UNSENT = (B.PLANNED, B.SENDING, B.RETRY, B.UNSURE)


@dataclass(frozen=True, slots=True)
class Waits:
    """An open campaign's pending work, as read from the database."""

    resends: int = 0
    resend_at: datetime | None = None
    # Open batches by status, and those not sent yet by provider.
    batches: dict[str, int] = field(default_factory=dict)
    unsent_by_provider: dict[str, int] = field(default_factory=dict)
    retry_at: datetime | None = None
    reservations: dict[str, int] = field(default_factory=dict)


def read_waits(conn: Connection, campaign_id: int) -> Waits:
    """The campaign's re-sends, open batches and reservations."""
    count, first = waiting.resends(conn, campaign_id)
    by_status: dict[str, int] = {}
    unsent: dict[str, int] = {}
    retry_at = None
    for row in waiting.open_batches(conn, campaign_id):
        by_status[row.status] = by_status.get(row.status, 0) + row.batches
        if row.status in UNSENT:
            unsent[row.provider] = unsent.get(row.provider, 0) + row.batches
        if row.status == B.RETRY and row.next_at is not None:
            retry_at = min(retry_at or row.next_at, row.next_at)
    reserved = waiting.reservations(conn, campaign_id)
    return Waits(count, first, by_status, unsent, retry_at, reserved)


def waiting_for(waits: Waits, now: datetime) -> list[str]:
    """Each thing the campaign waits for, in the order it comes: batches to send, results,
    re-sends. Empty when it waits for nothing (it is about to complete)."""
    held = waits.batches
    plain = held.get(B.PLANNED, 0) + held.get(B.SENDING, 0)
    phrases = [
        _count(plain, "batch", "to send"),
        _count(held.get(B.RETRY, 0), "batch", f"to send again at {_at(waits.retry_at, now)}"),
        _count(held.get(B.UNSURE, 0), "batch", "whose lost answer is being looked up"),
    ]
    if accepted := held.get(B.ACCEPTED, 0):
        phrases.append(f"waiting for results of {accepted:,} batch{'es' if accepted != 1 else ''}")
    if waits.resends:
        who = "recipient waits" if waits.resends == 1 else "recipients wait"
        phrases.append(f"{waits.resends:,} {who} for a re-send at {_at(waits.resend_at, now)}")
    return [phrase for phrase in phrases if phrase]


def _count(n: int, noun: str, what: str) -> str:
    return f"{n:,} {noun}{'es' if n != 1 else ''} {what}" if n else ""


def _at(moment: datetime | None, now: datetime) -> str:
    return korea_clock(moment, now) if moment else "a time not set yet"
