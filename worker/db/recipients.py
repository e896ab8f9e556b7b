"""Queries on recipients: members of a batch, guarded status changes, re-sends, cancels.

A recipient row is written once when it is imported and again only when its own outcome is
known (a result, a refusal, an expiry, a cancel) or it is re-sent; which batch holds it and
whether that batch was accepted follows from the batch (worker/db/members.py).
"""

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Connection, and_, bindparam, exists, func, or_, select, update
from sqlalchemy.dialects.postgresql import aggregate_order_by

from worker.db.members import BatchRef, closing, open_members
from worker.db.models import Batch, Campaign, Recipient, Suppression
from worker.domain.codes import INTERNAL
from worker.domain.statuses import BatchStatus, CampaignStatus, RecipientStatus

R = RecipientStatus
B = BatchStatus
# A campaign in these states may still send (re-sends included).
SENDING_CAMPAIGNS = (CampaignStatus.DISPATCHING.value, CampaignStatus.AWAITING_RESULTS.value)


def count(conn: Connection, campaign_id: int) -> int:
    """How many recipients the campaign holds."""
    query = select(func.count()).where(Recipient.campaign_id == campaign_id)
    return int(conn.execute(query).scalar_one())


def variables_of_type(
    conn: Connection, campaign_id: int, message_type: str, chunk: int = 5_000
) -> Iterator[dict[str, str] | None]:
    """Each recipient's variables of one type, streamed in chunks (never the whole list)."""
    query = select(Recipient.variables).where(
        Recipient.campaign_id == campaign_id, Recipient.message_type == message_type
    )
    result = conn.execution_options(stream_results=True, yield_per=chunk).execute(query)
    yield from result.scalars()


def outcomes_of(
    conn: Connection, campaign_id: int, statuses: Sequence[str], chunk: int = 5_000
) -> Iterator[Any]:
    """(phone, variables, status, result_code, result_family, provider) of the campaign's
    recipients in `statuses`, streamed in id order (a re-send campaign's selection)."""
    query = (
        select(
            Recipient.phone,
            Recipient.variables,
            Recipient.status,
            Recipient.result_code,
            Recipient.result_family,
            func.coalesce(Batch.provider, Campaign.provider).label("provider"),
        )
        .join(Campaign, Campaign.id == Recipient.campaign_id)
        .outerjoin(Batch, Batch.id == Recipient.batch_id)
        .where(Recipient.campaign_id == campaign_id, Recipient.status.in_(list(statuses)))
        .order_by(Recipient.id)
    )
    yield from conn.execution_options(stream_results=True, yield_per=chunk).execute(query)


def count_of_type(conn: Connection, campaign_id: int, message_type: str) -> int:
    """How many recipients of the campaign have `message_type`."""
    query = select(func.count()).where(
        Recipient.campaign_id == campaign_id, Recipient.message_type == message_type
    )
    return int(conn.execute(query).scalar_one())


def last_id(conn: Connection) -> int:
    """The highest recipient id so far (0 when there is none): rows inserted later are above."""
    return int(conn.execute(select(func.coalesce(func.max(Recipient.id), 0))).scalar_one())


def suppress_listed_since(conn: Connection, campaign_id: int, after: int, now: datetime) -> int:
    """pending → suppressed for the campaign's rows above id `after` whose number is listed."""
    result = conn.execute(
        update(Recipient)
        .where(
            Recipient.campaign_id == campaign_id,
            Recipient.id > after,
            Recipient.status == R.PENDING.value,
            Recipient.phone.in_(select(Suppression.phone)),
        )
        .values(status=R.SUPPRESSED.value, result_outcome="suppressed", completed_at=now)
    )
    return result.rowcount


class Member(NamedTuple):
    """What a send needs of one open member."""

    id: int
    phone: str
    variables: dict[str, str] | None


_MEMBER_COLUMNS = (Recipient.id, Recipient.phone, Recipient.variables)
_BY_RANGE = (
    Recipient.campaign_id == bindparam("b_campaign"),
    Recipient.message_type == bindparam("b_type"),
    Recipient.id.between(bindparam("b_first"), bindparam("b_last")),
    Recipient.status == R.PENDING.value,
)
_LISTED = (Recipient.batch_id == bindparam("b_batch"), Recipient.status == R.BATCHED.value)
# Built once (the send path runs them for every batch). On PostgreSQL the members come as one
# JSON array, decoded in one call: a row per member cost the send path twice the CPU.
_AGGREGATED = func.json_agg(
    aggregate_order_by(func.json_build_array(*_MEMBER_COLUMNS), Recipient.id)
)
_MEMBERS = {
    (True, True): select(_AGGREGATED).where(*_BY_RANGE),
    (True, False): select(_AGGREGATED).where(*_LISTED),
    (False, True): select(*_MEMBER_COLUMNS).where(*_BY_RANGE).order_by(Recipient.id),
    (False, False): select(*_MEMBER_COLUMNS).where(*_LISTED).order_by(Recipient.id),
}


def members(conn: Connection, batch: BatchRef) -> list[Member]:
    """(id, phone, variables) of the batch's open members, in id order."""
    if batch.by_range:
        params = {"b_campaign": batch.campaign_id, "b_type": batch.message_type,
                  "b_first": batch.first_id, "b_last": batch.last_id}  # fmt: skip
    else:
        params = {"b_batch": batch.id}
    aggregated = conn.dialect.name == "postgresql"
    result = conn.execute(_MEMBERS[aggregated, batch.by_range], params)
    rows = (result.scalar() or []) if aggregated else result
    return [Member(*row) for row in rows]


def suppress_members(conn: Connection, batch: BatchRef, now: datetime) -> int:
    """Open members whose number is on the suppression list now → suppressed; how many.

    The import already lands listed numbers as suppressed; this catches numbers listed
    since (an 080 opt-out, a number another campaign found dead), before each send.
    """
    values = {
        "status": R.SUPPRESSED.value,
        "result_code": "SUPPRESSED",
        "result_family": INTERNAL,
        "result_outcome": "suppressed",
        "completed_at": now,
        "next_attempt_at": None,
        **closing(batch),
    }
    listed = Recipient.phone.in_(select(Suppression.phone))
    statement = update(Recipient).where(open_members(batch), listed).values(**values)
    return conn.execute(statement).rowcount


def close(
    conn: Connection,
    batch: BatchRef,
    status: RecipientStatus,
    code: str,
    now: datetime,
    family: str = INTERNAL,
    ids: Sequence[int] | None = None,
) -> int:
    """Open members (or those of `ids`) → `status` with `code`, class failed; returns how many.

    For what ends without a provider result: a refused request, an expiry, a cancel, a
    message that could not be rendered, a reservation the provider could not carry out.
    """
    where = [open_members(batch)]
    if ids is not None:
        if not ids:
            return 0
        where.append(Recipient.id.in_(list(ids)))
    values = {
        "status": status.value,
        "result_code": code,
        "result_family": family,
        "result_outcome": "failed",
        "completed_at": now,
        "next_attempt_at": None,
        **closing(batch),
    }
    return conn.execute(update(Recipient).where(*where).values(**values)).rowcount


def due_retries(conn: Connection, now: datetime, limit: int) -> list[Any]:
    """retry_wait recipients whose time came, of campaigns that may still send.

    Rows (id, campaign_id, provider, sender, message_type, attempts), ordered so that one
    (campaign, type, attempts) group is contiguous. The rows stay locked until the caller's
    transaction ends, and rows another round holds are skipped: two rounds at once never
    make two batches for one recipient (the second one's batch would be left empty).
    """
    query = (
        select(
            Recipient.id,
            Recipient.campaign_id,
            Campaign.provider,
            Campaign.sender,
            Recipient.message_type,
            Recipient.attempts,
            Campaign.content_type,
            Campaign.schedule_mode,
        )
        .join(Campaign, Campaign.id == Recipient.campaign_id)
        .where(
            Recipient.status == R.RETRY_WAIT.value,
            Recipient.next_attempt_at <= now,
            Campaign.status.in_(SENDING_CAMPAIGNS),
        )
        .order_by(Recipient.campaign_id, Recipient.message_type, Recipient.attempts, Recipient.id)
        .limit(limit)
        .with_for_update(of=Recipient, skip_locked=True)
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


def cancel_unsent(conn: Connection, campaign_id: int, now: datetime) -> int:
    """Every recipient not yet in a request the provider holds → cancelled.

    Pending, batched and retry_wait rows are cancelled unless they are open members of a
    batch being sent or accepted (those results still come). Run it after the campaign's
    planned and retry batches were cancelled.
    """
    unsent = [R.PENDING.value, R.BATCHED.value, R.RETRY_WAIT.value]
    result = conn.execute(
        update(Recipient)
        .where(
            Recipient.campaign_id == campaign_id,
            Recipient.status.in_(unsent),
            ~_in_flight(campaign_id),
        )
        .values(
            status=R.CANCELLED.value,
            result_code="CANCELLED",
            result_family=INTERNAL,
            result_outcome="failed",
            completed_at=now,
            next_attempt_at=None,
        )
    )
    return result.rowcount


def _in_flight(campaign_id: int) -> Any:
    """The recipient is an open member of a batch that is being sent or was accepted."""
    by_range = and_(
        Batch.first_id.is_not(None),
        Recipient.status == R.PENDING.value,
        Recipient.message_type == Batch.message_type,
        Recipient.id.between(Batch.first_id, Batch.last_id),
    )
    listed = and_(Recipient.batch_id == Batch.id, Recipient.status == R.BATCHED.value)
    return exists().where(
        Batch.campaign_id == campaign_id,
        Batch.status.in_([B.SENDING.value, B.ACCEPTED.value]),
        or_(by_range, listed),
    )
