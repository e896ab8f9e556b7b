"""Queries on recipients: bulk insert, batching, and guarded status changes."""

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, func, select, update

from worker.db.models import Campaign, Recipient, Suppression
from worker.domain.codes import INTERNAL
from worker.domain.statuses import RecipientStatus

R = RecipientStatus


def count(conn: Connection, campaign_id: int) -> int:
    """How many recipients the campaign holds."""
    query = select(func.count()).where(Recipient.campaign_id == campaign_id)
    return int(conn.execute(query).scalar_one())


def suppress_listed(conn: Connection, campaign_id: int, now: datetime) -> int:
    """pending → suppressed for numbers on the suppression list; returns how many."""
    listed = select(Suppression.phone)
    result = conn.execute(
        update(Recipient)
        .where(
            Recipient.campaign_id == campaign_id,
            Recipient.status == R.PENDING.value,
            Recipient.phone.in_(listed),
        )
        .values(status=R.SUPPRESSED.value, result_outcome="suppressed", completed_at=now)
    )
    return result.rowcount


def pending_types(conn: Connection, campaign_id: int) -> list[str]:
    """The message types among the campaign's pending recipients."""
    query = (
        select(Recipient.message_type)
        .where(Recipient.campaign_id == campaign_id, Recipient.status == R.PENDING.value)
        .distinct()
    )
    return sorted(conn.execute(query).scalars())


def pending_ids(conn: Connection, campaign_id: int, message_type: str, limit: int) -> list[int]:
    """Ids of the next pending recipients of one type, in id order."""
    query = (
        select(Recipient.id)
        .where(
            Recipient.campaign_id == campaign_id,
            Recipient.status == R.PENDING.value,
            Recipient.message_type == message_type,
        )
        .order_by(Recipient.id)
        .limit(limit)
    )
    return list(conn.execute(query).scalars())


def assign_ranges(conn: Connection, campaign_id: int, ranges: Iterable[dict[str, int]]) -> None:
    """pending → batched for each {b_batch, b_lo, b_hi, b_type} id range, in one executemany."""
    statement = (
        update(Recipient)
        .where(
            Recipient.campaign_id == campaign_id,
            Recipient.status == R.PENDING.value,
            Recipient.id.between(bindparam("b_lo"), bindparam("b_hi")),
            Recipient.message_type == bindparam("b_type"),
        )
        .values(
            status=R.BATCHED.value, batch_id=bindparam("b_batch"), attempts=Recipient.attempts + 1
        )
    )
    conn.execute(statement, list(ranges))


def in_batch(conn: Connection, batch_id: int, status: RecipientStatus) -> list[Any]:
    """(id, phone, variables) of a batch's recipients in `status`, in id order."""
    query = (
        select(Recipient.id, Recipient.phone, Recipient.variables)
        .where(Recipient.batch_id == batch_id, Recipient.status == status.value)
        .order_by(Recipient.id)
    )
    return list(conn.execute(query))


def mark_batch(
    conn: Connection, batch_id: int, old: RecipientStatus, new: RecipientStatus, **fields: Any
) -> int:
    """Move every recipient of a batch from `old` to `new`; returns how many moved."""
    result = conn.execute(
        update(Recipient)
        .where(Recipient.batch_id == batch_id, Recipient.status == old.value)
        .values(status=new.value, **fields)
    )
    return result.rowcount


def apply_results(conn: Connection, batch_id: int, results: Sequence[dict[str, Any]]) -> int:
    """accepted → final for each result row (keys b_phone, b_status, b_code, ... b_next)."""
    return _apply(conn, batch_id, R.ACCEPTED, results)


def _apply(
    conn: Connection, batch_id: int, old: RecipientStatus, results: Sequence[dict[str, Any]]
) -> int:
    """One executemany: each result's recipient (by batch and phone) leaves `old`."""
    if not results:
        return 0
    statement = (
        update(Recipient)
        .where(
            Recipient.batch_id == batch_id,
            Recipient.phone == bindparam("b_phone"),
            Recipient.status == old.value,
        )
        .values(
            status=bindparam("b_status"),
            result_code=bindparam("b_code"),
            result_family=bindparam("b_family"),
            result_outcome=bindparam("b_outcome"),
            message_id=bindparam("b_message_id"),
            telco=bindparam("b_telco"),
            completed_at=bindparam("b_done"),
            next_attempt_at=bindparam("b_next"),
        )
    )
    return conn.execute(statement, list(results)).rowcount


def fail_ids(
    conn: Connection, ids: Sequence[int], old: RecipientStatus, code: str, now: datetime
) -> int:
    """`old` → failed with `code` for the given recipients (ones that could not be sent)."""
    if not ids:
        return 0
    result = conn.execute(
        update(Recipient)
        .where(Recipient.id.in_(list(ids)), Recipient.status == old.value)
        .values(status=R.FAILED.value, completed_at=now, **_internal(code))
    )
    return result.rowcount


def _internal(code: str) -> dict[str, str]:
    """The result columns of one of our own codes (family `internal`, class failed)."""
    return {"result_code": code, "result_family": INTERNAL, "result_outcome": "failed"}


def due_retries(conn: Connection, now: datetime, limit: int) -> list[Any]:
    """retry_wait recipients whose time came, grouped for batching.

    Rows (id, campaign_id, provider, message_type, attempts), ordered so that one
    (campaign, type, attempts) group is contiguous.
    """
    query = (
        select(
            Recipient.id,
            Recipient.campaign_id,
            Campaign.provider,
            Recipient.message_type,
            Recipient.attempts,
        )
        .join(Campaign, Campaign.id == Recipient.campaign_id)
        .where(Recipient.status == R.RETRY_WAIT.value, Recipient.next_attempt_at <= now)
        .order_by(Recipient.campaign_id, Recipient.message_type, Recipient.attempts, Recipient.id)
        .limit(limit)
    )
    return list(conn.execute(query))


def assign_retries(conn: Connection, rows: Sequence[dict[str, int]]) -> int:
    """retry_wait → batched for each {b_id, b_batch}, counting the new attempt."""
    if not rows:
        return 0
    statement = (
        update(Recipient)
        .where(Recipient.id == bindparam("b_id"), Recipient.status == R.RETRY_WAIT.value)
        .values(
            status=R.BATCHED.value,
            batch_id=bindparam("b_batch"),
            attempts=Recipient.attempts + 1,
            next_attempt_at=None,
        )
    )
    return conn.execute(statement, list(rows)).rowcount


def expire_batches(conn: Connection, batch_ids: Sequence[int], now: datetime) -> int:
    """accepted → expired for recipients of batches whose result deadline passed."""
    if not batch_ids:
        return 0
    result = conn.execute(
        update(Recipient)
        .where(Recipient.batch_id.in_(list(batch_ids)), Recipient.status == R.ACCEPTED.value)
        .values(status=R.EXPIRED.value, completed_at=now, **_internal("EXPIRED"))
    )
    return result.rowcount


def apply_late_results(conn: Connection, batch_id: int, results: Sequence[dict[str, Any]]) -> int:
    """expired → the result's final state, for results that arrived after the deadline."""
    return _apply(conn, batch_id, R.EXPIRED, results)


def cancel_unsent(conn: Connection, campaign_id: int, now: datetime) -> int:
    """pending, batched and retry_wait → cancelled for a campaign being cancelled."""
    unsent = [R.PENDING.value, R.BATCHED.value, R.RETRY_WAIT.value]
    return _cancel(conn, (Recipient.campaign_id == campaign_id, Recipient.status.in_(unsent)), now)


def cancel_batch(conn: Connection, batch_id: int, now: datetime) -> int:
    """accepted → cancelled for a batch whose reservation was withdrawn."""
    accepted = (Recipient.batch_id == batch_id, Recipient.status == R.ACCEPTED.value)
    return _cancel(conn, accepted, now)


def _cancel(conn: Connection, where: tuple[Any, ...], now: datetime) -> int:
    result = conn.execute(
        update(Recipient)
        .where(*where)
        .values(
            status=R.CANCELLED.value,
            completed_at=now,
            **_internal("CANCELLED"),
            next_attempt_at=None,
        )
    )
    return result.rowcount


def fail_batch(conn: Connection, batch_id: int, code: str, now: datetime) -> int:
    """accepted → failed with `code` (a reservation the provider could not carry out)."""
    result = conn.execute(
        update(Recipient)
        .where(Recipient.batch_id == batch_id, Recipient.status == R.ACCEPTED.value)
        .values(status=R.FAILED.value, completed_at=now, **_internal(code))
    )
    return result.rowcount
