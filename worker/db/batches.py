"""Queries on batches: plan by id range, claim with a lease, record the provider's answer,
count what each still holds, schedule polls."""

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Connection,
    and_,
    bindparam,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)

from worker.db.models import Batch, Campaign, Recipient
from worker.db.upsert import insert_ignoring_conflicts
from worker.domain.statuses import BatchStatus, CampaignStatus, RecipientStatus

B = BatchStatus
# The batch columns that say which recipients it holds (worker/db/members.py).
MEMBER_COLUMNS = (
    Batch.id,
    Batch.campaign_id,
    Batch.message_type,
    Batch.attempt,
    Batch.first_id,
    Batch.last_id,
)
OPEN = [B.PLANNED.value, B.SENDING.value, B.RETRY.value, B.UNSURE.value, B.ACCEPTED.value]
# Not sent yet, or not known to be: the campaign still has sending to do.
UNSENT = [B.PLANNED.value, B.SENDING.value, B.RETRY.value, B.UNSURE.value]
# A campaign in these states may send; a paused, cancelled or finished one may not.
SENDING_CAMPAIGNS = [CampaignStatus.DISPATCHING.value, CampaignStatus.AWAITING_RESULTS.value]


def create_many(conn: Connection, rows: list[dict[str, Any]]) -> list[int]:
    """Insert batch rows in one statement and return their ids in the same order."""
    if not rows:
        return []
    statement = insert(Batch).returning(Batch.id, sort_by_parameter_order=True)
    return [row.id for row in conn.execute(statement, rows)]


def get(conn: Connection, batch_id: int) -> Any:
    """The batch row, or None."""
    return conn.execute(select(Batch).where(Batch.id == batch_id)).first()


def planned_through(conn: Connection, campaign_id: int, message_type: str) -> int:
    """The last recipient id planned into a first-send batch of this campaign and type."""
    query = (
        select(Batch.last_id)
        .where(
            Batch.campaign_id == campaign_id,
            Batch.message_type == message_type,
            Batch.first_id.is_not(None),
        )
        .order_by(Batch.first_id.desc())
        .limit(1)
    )
    return int(conn.execute(query).scalar() or 0)


def plan_ranges(conn: Connection, plan: dict[str, Any]) -> list[tuple[int, int]]:
    """Cut the next pending recipients of one type into id-range batches; (id, size) each.

    One INSERT … SELECT: the next `chunk` pending ids above `after` are numbered, grouped
    `size` at a time, and each group becomes a batch holding its first and last id and its
    count; no recipient row is written. The last group is kept short only when `complete`
    (the import has ended). A batch with the same first id already planned (another planner
    won the race) is skipped: a batch is unique by (campaign, type, first id).
    plan: campaign_id, provider, message_type, after, size, chunk, complete, now, due.
    """
    numbered = (
        select(
            Recipient.id,
            ((func.row_number().over(order_by=Recipient.id) - 1) // plan["size"]).label("g"),
        )
        .where(
            Recipient.campaign_id == plan["campaign_id"],
            Recipient.status == RecipientStatus.PENDING.value,
            Recipient.message_type == plan["message_type"],
            Recipient.id > plan["after"],
        )
        .order_by(Recipient.id)
        .limit(plan["chunk"])
        .subquery()
    )
    count = func.count().label("recipient_count")
    groups = (
        select(
            literal(plan["campaign_id"]).label("campaign_id"),
            literal(plan["provider"]).label("provider"),
            literal(plan["message_type"]).label("message_type"),
            literal(1).label("attempt"),
            literal(B.PLANNED.value).label("status"),
            count,
            func.min(numbered.c.id).label("first_id"),
            func.max(numbered.c.id).label("last_id"),
            literal(plan["now"], Batch.created_at.type).label("created_at"),
            literal(plan["due"], Batch.next_attempt_at.type).label("next_attempt_at"),
        )
        .group_by(numbered.c.g)
        .having(or_(literal(plan["complete"]), func.count() == plan["size"]))
    )
    columns = [c.name for c in groups.selected_columns]
    statement = (
        insert_ignoring_conflicts(conn, Batch, ["campaign_id", "message_type", "first_id"])
        .from_select(columns, groups)
        .returning(Batch.id, Batch.recipient_count)
    )
    return sorted((row.id, row.recipient_count) for row in conn.execute(statement))


# The send path's statements are built once: a statement object keeps its compiled form and
# cache key, so a send spends no time building SQL (most of its CPU did before).
_CLAIM = (
    update(Batch)
    .where(
        Batch.id == bindparam("b_id"),
        Batch.status == B.PLANNED.value,
        exists().where(Campaign.id == Batch.campaign_id, Campaign.status.in_(SENDING_CAMPAIGNS)),
    )
    .values(
        status=B.SENDING.value,
        lease_until=bindparam("b_until"),
        claimed_at=bindparam("b_now"),
        send_attempts=Batch.send_attempts + 1,
    )
    .returning(*Batch.__table__.columns)
)
_ACCEPT = (
    update(Batch)
    .where(Batch.id == bindparam("b_id"), Batch.status == B.SENDING.value)
    .values(
        status=B.ACCEPTED.value,
        lease_until=None,
        request_id=bindparam("b_request_id"),
        sent_at=bindparam("b_sent_at"),
        http_status=bindparam("b_http_status"),
        next_poll_at=bindparam("b_next_poll_at"),
        reserve_time=bindparam("b_reserve_time"),
        reserve_status=bindparam("b_reserve_status"),
    )
)


def claim(conn: Connection, batch_id: int, now: datetime, lease: timedelta) -> Any:
    """planned → sending under a lease, only while its campaign may send (not paused,
    cancelled or finished). Returns the claimed batch row (one round trip), or None.

    A batch whose lease lapsed is never claimed again: its worker may have died after the
    provider took the request, so `unsure_lapsed` hands it to a lookup instead.
    """
    return conn.execute(_CLAIM, {"b_id": batch_id, "b_now": now, "b_until": now + lease}).first()


def accept(conn: Connection, batch_id: int, answer: dict[str, Any]) -> bool:
    """sending → accepted with the provider's answer (request_id, sent_at, http_status,
    next_poll_at, reserve_time, reserve_status); False if another run already moved it."""
    values = {"b_id": batch_id, **{f"b_{key}": value for key, value in answer.items()}}
    return conn.execute(_ACCEPT, values).rowcount == 1


def sendable(conn: Connection, batch_id: int) -> Any:
    """(recipient_count, sender) of a batch still planned or sending, else None; one query."""
    query = (
        select(Batch.recipient_count, Campaign.sender)
        .join(Campaign, Campaign.id == Batch.campaign_id)
        .where(Batch.id == batch_id, Batch.status.in_([B.PLANNED.value, B.SENDING.value]))
    )
    return conn.execute(query).first()


def release_resumed(conn: Connection, campaign_id: int, now: datetime) -> int:
    """A resumed campaign's planned batches → retry, due now: the next release tick
    publishes them (their tasks ran, and were refused, while it was paused)."""
    result = conn.execute(
        update(Batch)
        .where(Batch.campaign_id == campaign_id, Batch.status == B.PLANNED.value)
        .values(status=B.RETRY.value, next_attempt_at=now)
    )
    return result.rowcount


def campaign_of(conn: Connection, batch_id: int) -> int | None:
    """The campaign of a batch still planned, else None."""
    query = select(Batch.campaign_id).where(Batch.id == batch_id, Batch.status == B.PLANNED.value)
    return conn.execute(query).scalar()


def hold_planned(conn: Connection, batch_id: int, until: datetime) -> bool:
    """planned → retry, due at `until` (nothing was sent, no attempt spent)."""
    result = conn.execute(
        update(Batch)
        .where(Batch.id == batch_id, Batch.status == B.PLANNED.value)
        .values(status=B.RETRY.value, next_attempt_at=until)
    )
    return result.rowcount == 1


def finish_send(conn: Connection, batch_id: int, new: BatchStatus, **fields: Any) -> bool:
    """sending → `new` with the provider's answer; False if another run already moved it."""
    result = conn.execute(
        update(Batch)
        .where(Batch.id == batch_id, Batch.status == B.SENDING.value)
        .values(status=new.value, lease_until=None, **fields)
    )
    return result.rowcount == 1


def release_due(
    conn: Connection, now: datetime, regrace: timedelta, limit: int, idle: Sequence[str]
) -> list[Any]:
    """Batches whose send is due → planned: retry waits that ended, and planned batches never
    claimed by their due time of the `idle` providers (whose send queue is empty, so their
    task was lost).

    Returns (id, provider) to publish. Their due time moves on by `regrace`, so a batch whose
    task got lost is published again later, and a duplicate task finds it already claimed.
    """
    lost = and_(Batch.status == B.PLANNED.value, Batch.provider.in_(list(idle)))
    paused = select(Campaign.id).where(Campaign.status == CampaignStatus.PAUSED.value)
    due = (
        select(Batch.id)
        .where(
            or_(Batch.status == B.RETRY.value, lost),
            Batch.next_attempt_at <= now,
            Batch.campaign_id.not_in(paused),  # they wait for resume, unpublished
        )
        .order_by(Batch.next_attempt_at)
        .limit(limit)
    )
    ids = list(conn.execute(due).scalars())
    if not ids:
        return []
    # Still due: a release running at the same time moved their due time on, and PostgreSQL
    # checks this again on the row it waited for, so only one of the two publishes them.
    result = conn.execute(
        update(Batch)
        .where(
            Batch.id.in_(ids),
            Batch.status.in_([B.PLANNED.value, B.RETRY.value]),
            Batch.next_attempt_at <= now,
        )
        .values(status=B.PLANNED.value, next_attempt_at=now + regrace)
        .returning(Batch.id, Batch.provider)
    )
    return list(result)


_SETTLE = (
    update(Batch)
    .where(Batch.id == bindparam("b_id"))
    .values(settled=Batch.settled + bindparam("b_closed"))
)


def settle_many(conn: Connection, closed: dict[int, int]) -> None:
    """Batches whose members had their own rows written: add how many, per batch id."""
    rows = [{"b_id": batch_id, "b_closed": n} for batch_id, n in closed.items() if n]
    if rows:
        conn.execute(_SETTLE, rows)


def settle(conn: Connection, batch_id: int, closed: int) -> None:
    """`closed` more members of the batch had their own row written (they left it)."""
    if closed:
        conn.execute(
            update(Batch).where(Batch.id == batch_id).values(settled=Batch.settled + closed)
        )


def due_for_poll(conn: Connection, provider: str, now: datetime, limit: int) -> list[Any]:
    """Accepted batches whose poll time came, with their attempt and campaign deadline."""
    query = _poll_rows().where(
        Batch.provider == provider,
        Batch.status == B.ACCEPTED.value,
        Batch.next_poll_at <= now,
    )
    return list(conn.execute(query.order_by(Batch.next_poll_at).limit(limit)))


def for_poll(conn: Connection, batch_ids: list[int]) -> list[Any]:
    """The given batches, as due_for_poll reads them, while they are still accepted."""
    query = _poll_rows().where(Batch.id.in_(batch_ids), Batch.status == B.ACCEPTED.value)
    return list(conn.execute(query.order_by(Batch.id)))


def lease_polls(conn: Connection, batch_ids: list[int], until: datetime) -> None:
    """Hold handed-out batches off the next rounds until `until` (their task polls them)."""
    conn.execute(update(Batch).where(Batch.id.in_(batch_ids)).values(next_poll_at=until))


def _poll_rows() -> Any:
    return select(
        *MEMBER_COLUMNS,
        Batch.request_id,
        Batch.poll_count,
        Batch.sent_at,
        Batch.reserve_time,
        Batch.reserve_status,
        Campaign.created_at,
        Campaign.deadline_at,
    ).join(Campaign, Campaign.id == Batch.campaign_id)


def complete_if_done(conn: Connection, batch_id: int, now: datetime) -> bool:
    """accepted → completed when none of its recipients awaits a result (all settled)."""
    done = conn.execute(
        update(Batch)
        .where(
            Batch.id == batch_id,
            Batch.status == B.ACCEPTED.value,
            Batch.settled >= Batch.recipient_count,
        )
        .values(status=B.COMPLETED.value, completed_at=now, next_poll_at=None)
    )
    return done.rowcount == 1


def complete_many(conn: Connection, batch_ids: list[int], now: datetime) -> list[int]:
    """accepted → completed for those of the batches that settled everyone; their ids."""
    if not batch_ids:
        return []
    result = conn.execute(
        update(Batch)
        .where(
            Batch.id.in_(batch_ids),
            Batch.status == B.ACCEPTED.value,
            Batch.settled >= Batch.recipient_count,
        )
        .values(status=B.COMPLETED.value, completed_at=now, next_poll_at=None)
        .returning(Batch.id)
    )
    return list(result.scalars())


_POLL_LATER = (
    update(Batch)
    .where(Batch.id == bindparam("b_id"), Batch.status == B.ACCEPTED.value)
    .values(next_poll_at=bindparam("b_next"), poll_count=Batch.poll_count + 1)
)


def poll_later(conn: Connection, next_polls: dict[int, datetime]) -> None:
    """Accepted batches are polled again at their times (batch id → next poll)."""
    rows = [{"b_id": batch_id, "b_next": at} for batch_id, at in next_polls.items()]
    if rows:
        conn.execute(_POLL_LATER, rows)


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
    awaited = select(func.coalesce(func.sum(Batch.recipient_count - Batch.settled), 0)).where(
        Batch.provider == provider, Batch.status == B.ACCEPTED.value
    )
    return int(conn.execute(done_since).scalar_one()) + int(conn.execute(awaited).scalar_one())


def late_results(
    conn: Connection, provider: str, sent_after: datetime, sent_before: datetime
) -> tuple[int, int]:
    """(still awaited, sent) messages of the provider's batches sent in [after, before): how
    many of them lack a result although they went out long enough ago."""
    query = select(
        func.coalesce(func.sum(Batch.recipient_count - Batch.settled), 0),
        func.coalesce(func.sum(Batch.recipient_count), 0),
    ).where(
        Batch.provider == provider,
        Batch.status.in_([B.ACCEPTED.value, B.COMPLETED.value]),
        Batch.sent_at >= sent_after,
        Batch.sent_at < sent_before,
        Batch.reserve_time.is_(None),
    )
    awaited, sent = conn.execute(query).one()
    return int(awaited), int(sent)


def open_count(conn: Connection, provider: str) -> int:
    """How many of the provider's batches await results."""
    query = select(func.count()).where(Batch.provider == provider, Batch.status == B.ACCEPTED.value)
    return int(conn.execute(query).scalar_one())


def contexts_for_requests(conn: Connection, provider: str, request_ids: list[str]) -> list[Any]:
    """Batches (with campaign deadline) behind provider request ids, for applying results."""
    query = (
        select(*MEMBER_COLUMNS, Batch.request_id, Campaign.created_at, Campaign.deadline_at)
        .join(Campaign, Campaign.id == Batch.campaign_id)
        .where(Batch.provider == provider, Batch.request_id.in_(request_ids))
    )
    return list(conn.execute(query))


def contexts_for_batches(conn: Connection, provider: str, batch_ids: list[int]) -> list[Any]:
    """contexts_for_requests by our batch ids (a provider that echoes our key), for accepted
    batches only: a result that outran its send's answer waits until the batch is accepted."""
    query = (
        select(*MEMBER_COLUMNS, Batch.request_id, Campaign.created_at, Campaign.deadline_at)
        .join(Campaign, Campaign.id == Batch.campaign_id)
        .where(
            Batch.provider == provider,
            Batch.id.in_(batch_ids),
            Batch.status.in_([B.ACCEPTED.value, B.COMPLETED.value]),
        )
    )
    return list(conn.execute(query))


def overdue(conn: Connection, provider: str, cutoff: datetime) -> list[Any]:
    """Member columns of accepted batches that went out before `cutoff`: past their result
    deadline. A reserved batch goes out at its reserved time, not when it was handed over
    (NHN reserves up to 60 days ahead, past any deadline counted from the hand-over)."""
    went_out = func.coalesce(Batch.reserve_time, Batch.sent_at)
    query = select(*MEMBER_COLUMNS).where(
        Batch.provider == provider, Batch.status == B.ACCEPTED.value, went_out < cutoff
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
    """Accepted batches whose reserved time is still ahead (member columns, request, provider)."""
    query = select(*MEMBER_COLUMNS, Batch.request_id, Batch.provider).where(
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


def open_counts(conn: Connection, campaign_id: int) -> dict[str, int]:
    """Recipients each open batch status still holds (members not yet written), by status."""
    query = (
        select(Batch.status, func.sum(Batch.recipient_count - Batch.settled))
        .where(Batch.campaign_id == campaign_id, Batch.status.in_(OPEN))
        .group_by(Batch.status)
    )
    return {status: int(count or 0) for status, count in conn.execute(query)}


def unsent_exists(campaign_id: int) -> Any:
    """A batch of the campaign is still to be sent (planned, being sent, or waiting a retry)."""
    return exists().where(
        Batch.campaign_id == campaign_id,
        Batch.status.in_(UNSENT),
    )


def first_sends(conn: Connection, campaign_id: int) -> list[Any]:
    """The campaign's id-range batches (first id, last id, type, status, provider, sent at), in
    first-id order: small (one row per batch) and enough to place every recipient."""
    query = (
        select(
            Batch.first_id,
            Batch.last_id,
            Batch.message_type,
            Batch.status,
            Batch.provider,
            Batch.sent_at,
        )
        .where(Batch.campaign_id == campaign_id, Batch.first_id.is_not(None))
        .order_by(Batch.first_id)
    )
    return list(conn.execute(query))
