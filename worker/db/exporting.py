"""Every recipient of a campaign as it stands, streamed in id order, for exports.

A recipient whose row was written since planning carries its own result and batch; one that
still waits is placed in its first send's batch by id range (the campaign's range batches are
one row per batch, read once), so it shows that batch's provider, state and send time.
"""

import bisect
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from worker.db import batches
from worker.db.models import Batch, Recipient
from worker.domain.statuses import BatchStatus, RecipientStatus

R = RecipientStatus
# How a waiting member reads, by the state of the batch that holds it.
_WAITING = {
    BatchStatus.ACCEPTED.value: R.ACCEPTED.value,
    BatchStatus.PLANNED.value: R.BATCHED.value,
    BatchStatus.SENDING.value: R.BATCHED.value,
    BatchStatus.RETRY.value: R.BATCHED.value,
    BatchStatus.UNSURE.value: R.BATCHED.value,
}


@dataclass(frozen=True, slots=True)
class Outcome:
    """One recipient as an export shows it."""

    phone: str
    status: str
    provider: str | None
    result_code: str | None
    result_family: str | None
    result_outcome: str | None
    attempts: int
    accepted_at: datetime | None
    completed_at: datetime | None
    variables: dict[str, str] | None
    message_type: str


def outcomes(conn: Connection, campaign_id: int, per_fetch: int = 5_000) -> Iterator[Outcome]:
    """Every recipient of the campaign, in id order, streamed from the server."""
    ranges = _Ranges(batches.first_sends(conn, campaign_id))
    query = (
        select(
            Recipient.id,
            Recipient.phone,
            Recipient.status,
            Recipient.message_type,
            Recipient.result_code,
            Recipient.result_family,
            Recipient.result_outcome,
            Recipient.attempts,
            Recipient.completed_at,
            Recipient.variables,
            Batch.provider,
            Batch.status.label("batch_status"),
            Batch.sent_at,
        )
        .select_from(Recipient)
        .outerjoin(Batch, Batch.id == Recipient.batch_id)
        .where(Recipient.campaign_id == campaign_id)
        .order_by(Recipient.id)
    )
    rows = conn.execution_options(stream_results=True, yield_per=per_fetch).execute(query)
    for row in rows:
        yield _outcome(row, ranges)


def _outcome(row: Any, ranges: "_Ranges") -> Outcome:
    status, provider, sent_at, attempts = row.status, row.provider, row.sent_at, row.attempts
    if status == R.PENDING.value:
        batch = ranges.holding(row.id, row.message_type)
        if batch is not None:
            status, provider, sent_at, attempts = (
                _WAITING.get(batch.status, status),
                batch.provider,
                batch.sent_at,
                1,
            )
    elif status == R.BATCHED.value:
        status = _WAITING.get(row.batch_status, status)
    return Outcome(
        row.phone, status, provider, row.result_code, row.result_family, row.result_outcome,
        attempts, sent_at, row.completed_at, row.variables, row.message_type,
    )  # fmt: skip


class _Ranges:
    """The range batches of one campaign, searchable by recipient id and type."""

    def __init__(self, found: list[Any]) -> None:
        self._by_type: dict[str, tuple[list[int], list[Any]]] = {}
        for batch in found:
            firsts, rows = self._by_type.setdefault(batch.message_type, ([], []))
            firsts.append(batch.first_id)
            rows.append(batch)

    def holding(self, recipient_id: int, message_type: str) -> Any:
        """The batch whose range holds the recipient, or None (not planned yet)."""
        firsts, rows = self._by_type.get(message_type, ([], []))
        index = bisect.bisect_right(firsts, recipient_id) - 1
        if index >= 0 and rows[index].last_id >= recipient_id:
            return rows[index]
        return None
