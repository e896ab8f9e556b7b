"""Which recipients a batch holds: a first send's batch is an id range, a re-send's is listed.

A first-attempt batch is cut from the campaign's recipients of one message type by id range
(`first_id`..`last_id`); its members keep the status `pending` they were imported with until
their own result (or a refusal, expiry, cancel) is written. A re-send batch names its members
by `recipient.batch_id`, with status `batched`. Either way a member is *open* until its row is
written, and every write that closes members adds their number to `batch.settled` in the same
transaction, so `recipient_count - settled` is how many still wait on the batch.
"""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_

from worker.db.models import Recipient
from worker.domain.statuses import RecipientStatus

R = RecipientStatus
# Plain strings: reading an enum member is slow on Python 3.11, and this runs per result.
PENDING, BATCHED = str(R.PENDING), str(R.BATCHED)


@dataclass(frozen=True, slots=True)
class BatchRef:
    """What identifies a batch's members."""

    id: int
    campaign_id: int
    message_type: str
    attempt: int
    first_id: int | None = None
    last_id: int | None = None

    @classmethod
    def of(cls, row: Any) -> "BatchRef":
        """From any row or object carrying the batch's columns."""
        return cls(
            row.id, row.campaign_id, row.message_type, row.attempt, row.first_id, row.last_id
        )

    @property
    def by_range(self) -> bool:
        """True for a first send cut by id range."""
        return self.first_id is not None

    @property
    def open_status(self) -> str:
        """The status an open member has: pending (range) or batched (re-send)."""
        return PENDING if self.first_id is not None else BATCHED


def open_members(batch: BatchRef) -> ColumnElement[bool]:
    """The recipients of `batch` whose own row has not been written since it was planned."""
    return and_(*_holds(batch), Recipient.status == batch.open_status)


def written_members(batch: BatchRef, status: RecipientStatus) -> ColumnElement[bool]:
    """Members of `batch` already written with `status` (late results find them so)."""
    return and_(Recipient.batch_id == batch.id, Recipient.status == status.value)


def _holds(batch: BatchRef) -> tuple[ColumnElement[bool], ...]:
    if batch.by_range:
        return (
            Recipient.campaign_id == batch.campaign_id,
            Recipient.message_type == batch.message_type,
            Recipient.id.between(batch.first_id, batch.last_id),
        )
    return (Recipient.batch_id == batch.id,)


def closing(batch: BatchRef) -> dict[str, Any]:
    """Columns every write that closes a member sets: its batch and attempt number."""
    return {"batch_id": batch.id, "attempts": batch.attempt}
