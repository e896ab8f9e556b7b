"""Queries on campaigns: create, read, guarded transitions and progress counts."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, case, delete, exists, func, insert, or_, select, update

from worker.db import batches
from worker.db.models import Batch, Campaign, CampaignImage, Recipient
from worker.db.upsert import insert_ignoring_conflicts
from worker.domain.statuses import (
    FINAL_RECIPIENT_STATUSES,
    BatchStatus,
    CampaignStatus,
    RecipientStatus,
)

R = RecipientStatus
B = BatchStatus


def create(conn: Connection, **fields: Any) -> int:
    """Insert a campaign and return its id."""
    return int(conn.execute(insert(Campaign).values(**fields).returning(Campaign.id)).scalar_one())


def create_once(conn: Connection, **fields: Any) -> int | None:
    """Insert a campaign carrying an idempotency key and return its id; None when a campaign
    with that key exists (a racing insert waits for the other's commit, then finds it)."""
    statement = insert_ignoring_conflicts(conn, Campaign, ["idempotency_key"])
    inserted = conn.execute(statement.values(**fields).returning(Campaign.id)).scalar()
    return None if inserted is None else int(inserted)


def find_by_key(conn: Connection, key: str) -> Any:
    """The campaign created under this idempotency key, or None."""
    return conn.execute(select(Campaign).where(Campaign.idempotency_key == key)).first()


def get(conn: Connection, campaign_id: int) -> Any:
    """The campaign row, or None."""
    return conn.execute(select(Campaign).where(Campaign.id == campaign_id)).first()


def transition(
    conn: Connection,
    campaign_id: int,
    old: Iterable[CampaignStatus],
    new: CampaignStatus,
    **fields: Any,
) -> bool:
    """Move a campaign from one of `old` to `new`; False when it was in another state."""
    result = conn.execute(
        update(Campaign)
        .where(Campaign.id == campaign_id, Campaign.status.in_([s.value for s in old]))
        .values(status=new.value, **fields)
    )
    return result.rowcount == 1


# A campaign can be paused while it is waiting for its time, queued, sending or waiting for
# results; cancel still works from paused.
PAUSABLE = (
    CampaignStatus.SCHEDULED,
    CampaignStatus.QUEUED,
    CampaignStatus.DISPATCHING,
    CampaignStatus.AWAITING_RESULTS,
)


def pause(conn: Connection, campaign_id: int, now: datetime) -> bool:
    """An open campaign → paused, remembering the status it had (one guarded UPDATE: no
    batch is claimed once it commits, as claims require a sending campaign)."""
    result = conn.execute(
        update(Campaign)
        .where(Campaign.id == campaign_id, Campaign.status.in_([s.value for s in PAUSABLE]))
        .values(status=CampaignStatus.PAUSED.value, paused_from=Campaign.status, paused_at=now)
    )
    return result.rowcount == 1


def resume(conn: Connection, campaign_id: int) -> str | None:
    """paused → the status it was paused from; that status, or None when it was not paused."""
    result = conn.execute(
        update(Campaign)
        .where(Campaign.id == campaign_id, Campaign.status == CampaignStatus.PAUSED.value)
        .values(status=Campaign.paused_from, paused_from=None, paused_at=None)
        .returning(Campaign.status)
    )
    return result.scalar()


def delete_draft(conn: Connection, campaign_id: int) -> bool:
    """Remove a draft campaign, its recipients and its images (an import that stored nothing
    usable)."""
    result = conn.execute(
        delete(Campaign).where(
            Campaign.id == campaign_id, Campaign.status == CampaignStatus.DRAFT.value
        )
    )
    if result.rowcount != 1:
        return False
    conn.execute(delete(Recipient).where(Recipient.campaign_id == campaign_id))
    conn.execute(delete(CampaignImage).where(CampaignImage.campaign_id == campaign_id))
    return True


def set_abroad(conn: Connection, campaign_id: int, recipients: int, parts: int) -> None:
    """Record the campaign's recipients abroad and the SMS parts their messages take."""
    values = {"abroad_recipients": recipients, "abroad_parts": parts}
    conn.execute(update(Campaign).where(Campaign.id == campaign_id).values(**values))


def set_total(conn: Connection, campaign_id: int, total: int) -> None:
    """Record how many recipients the campaign holds."""
    conn.execute(update(Campaign).where(Campaign.id == campaign_id).values(total_recipients=total))


def mark_sent_if_done(conn: Connection, campaign_id: int) -> bool:
    """dispatching → awaiting_results once every recipient was planned and no batch is left
    to send (its results may still come)."""
    result = conn.execute(
        update(Campaign)
        .where(
            Campaign.id == campaign_id,
            Campaign.status == CampaignStatus.DISPATCHING.value,
            Campaign.planned_at.is_not(None),
            ~batches.unsent_exists(campaign_id),
        )
        .values(status=CampaignStatus.AWAITING_RESULTS.value)
    )
    return result.rowcount == 1


def mark_all_sent(conn: Connection) -> int:
    """dispatching → awaiting_results for every campaign with all planned and nothing left to
    send (a send does not check it, to keep its path one statement short); how many moved."""
    nothing_unsent = ~exists().where(
        Batch.campaign_id == Campaign.id,
        Batch.status.in_(batches.UNSENT),
    )
    result = conn.execute(
        update(Campaign)
        .where(
            Campaign.status == CampaignStatus.DISPATCHING.value,
            Campaign.planned_at.is_not(None),
            nothing_unsent,
        )
        .values(status=CampaignStatus.AWAITING_RESULTS.value)
    )
    return result.rowcount


def complete_if_final(conn: Connection, campaign_id: int, now: datetime) -> bool:
    """→ completed once every recipient was planned and is in a final state."""
    open_states = [CampaignStatus.DISPATCHING.value, CampaignStatus.AWAITING_RESULTS.value]
    final = [s.value for s in FINAL_RECIPIENT_STATUSES]
    not_final = exists().where(Recipient.campaign_id == campaign_id, Recipient.status.not_in(final))
    result = conn.execute(
        update(Campaign)
        .where(
            Campaign.id == campaign_id,
            Campaign.status.in_(open_states),
            Campaign.planned_at.is_not(None),
            ~not_final,
        )
        .values(status=CampaignStatus.COMPLETED.value, completed_at=now)
    )
    return result.rowcount == 1


def status_counts(conn: Connection, campaign_id: int) -> dict[str, int]:
    """Recipients per status, as they stand: a recipient whose row was not written since it
    was planned counts as its batch stands (batched, or accepted once the batch was)."""
    rows = conn.execute(
        select(Recipient.status, func.count())
        .where(Recipient.campaign_id == campaign_id)
        .group_by(Recipient.status)
    )
    counts = {status: count for status, count in rows}
    held = batches.open_counts(conn, campaign_id)
    unwritten = counts.pop(R.PENDING.value, 0) + counts.pop(R.BATCHED.value, 0)
    accepted = held.pop(B.ACCEPTED.value, 0)
    placed = {
        R.PENDING.value: unwritten - accepted - sum(held.values()),
        R.BATCHED.value: sum(held.values()),
        R.ACCEPTED.value: accepted,
    }
    return {**counts, **{status: n for status, n in placed.items() if n}}


def mark_imported(conn: Connection, campaign_id: int, total: int, now: datetime) -> bool:
    """The import ended: record when and how many recipients it holds (once)."""
    result = conn.execute(
        update(Campaign)
        .where(Campaign.id == campaign_id, Campaign.imported_at.is_(None))
        .values(imported_at=now, total_recipients=total)
    )
    return result.rowcount == 1


def import_alive(conn: Connection, campaign_id: int, now: datetime) -> None:
    """The import of the campaign is still running (its producer's heartbeat)."""
    conn.execute(
        update(Campaign)
        .where(Campaign.id == campaign_id, Campaign.imported_at.is_(None))
        .values(import_alive_at=now)
    )


def stop_abandoned_imports(conn: Connection, silent_since: datetime) -> list[int]:
    """Campaigns whose import never ended and whose producer has been silent since
    `silent_since` (it died) → cancelling, as an import that failed leaves them; their ids."""
    open_ = [CampaignStatus.DRAFT, CampaignStatus.SCHEDULED, CampaignStatus.QUEUED,
             CampaignStatus.DISPATCHING]  # fmt: skip
    result = conn.execute(
        update(Campaign)
        .where(
            Campaign.imported_at.is_(None),
            Campaign.import_alive_at < silent_since,
            Campaign.status.in_([s.value for s in open_]),
        )
        .values(status=CampaignStatus.CANCELLING.value)
        .returning(Campaign.id)
    )
    return list(result.scalars())


def mark_planned(conn: Connection, campaign_id: int, now: datetime) -> bool:
    """Every recipient of an imported campaign is in a batch: record when (once)."""
    result = conn.execute(
        update(Campaign)
        .where(
            Campaign.id == campaign_id,
            Campaign.imported_at.is_not(None),
            Campaign.planned_at.is_(None),
        )
        .values(planned_at=now)
    )
    return result.rowcount == 1


def sent_by_provider(conn: Connection, campaign_id: int) -> dict[str, int]:
    """Recipients of the campaign's accepted requests, per provider (re-sends count again)."""
    taken = [B.ACCEPTED.value, B.COMPLETED.value]
    query = (
        select(Batch.provider, func.sum(Batch.recipient_count))
        .where(Batch.campaign_id == campaign_id, Batch.status.in_(taken))
        .group_by(Batch.provider)
        .order_by(Batch.provider)
    )
    return {provider: int(count) for provider, count in conn.execute(query)}


def code_counts(conn: Connection, campaign_id: int) -> list[Any]:
    """(provider, status, outcome, code, family, count) of recipients with a result code.

    The provider is the one of the batch that got the result (None before any batch).
    """
    keys = (
        Batch.provider,
        Recipient.status,
        Recipient.result_outcome,
        Recipient.result_code,
        Recipient.result_family,
    )
    query = (
        select(*keys, func.count().label("count"))
        .select_from(Recipient)
        .outerjoin(Batch, Batch.id == Recipient.batch_id)
        .where(Recipient.campaign_id == campaign_id, Recipient.result_code.is_not(None))
        .group_by(*keys)
        .order_by(func.count().desc())
    )
    return list(conn.execute(query))


def latest(conn: Connection, limit: int = 20) -> list[Any]:
    """The most recent campaigns, newest first."""
    return list(conn.execute(select(Campaign).order_by(Campaign.id.desc()).limit(limit)))


# Recipients sent whose result is in: a delivered rate's base (the suppressed and the
# cancelled were never sent).
SENT_FINAL = [R.DELIVERED.value, R.FAILED.value, R.EXPIRED.value, R.UNKNOWN.value]


@dataclass(frozen=True, slots=True)
class Listed:
    """One campaign of a listing: its row, its progress and the providers that carried it."""

    campaign: Any
    final: int
    delivered: int
    sent_final: int
    providers: tuple[str, ...]


def listing(conn: Connection, limit: int = 20) -> list[Listed]:
    """The newest campaigns first, each with its recipients in a final state, delivered, and
    sent with their result in (one grouped pass over the status index), and the providers
    its accepted batches went through, in name order."""
    rows = latest(conn, limit)
    ids = [row.id for row in rows]
    counts, used = _progress(conn, ids), _providers_used(conn, ids)
    return [Listed(row, *counts.get(row.id, (0, 0, 0)), used.get(row.id, ())) for row in rows]


def _progress(conn: Connection, ids: list[int]) -> dict[int, tuple[int, int, int]]:
    def among(statuses: Iterable[str]) -> Any:
        return func.sum(case((Recipient.status.in_(list(statuses)), 1), else_=0))

    final = (s.value for s in FINAL_RECIPIENT_STATUSES)
    query = (
        select(Recipient.campaign_id, among(final), among([R.DELIVERED.value]), among(SENT_FINAL))
        .where(Recipient.campaign_id.in_(ids))
        .group_by(Recipient.campaign_id)
    )
    return {row[0]: (int(row[1]), int(row[2]), int(row[3])) for row in conn.execute(query)}


def _providers_used(conn: Connection, ids: list[int]) -> dict[int, tuple[str, ...]]:
    query = (
        select(Batch.campaign_id, Batch.provider)
        .distinct()
        .where(
            Batch.campaign_id.in_(ids),
            Batch.status.in_([B.ACCEPTED.value, B.COMPLETED.value]),
        )
        .order_by(Batch.campaign_id, Batch.provider)
    )
    used: dict[int, tuple[str, ...]] = {}
    for campaign_id, provider in conn.execute(query):
        used[campaign_id] = (*used.get(campaign_id, ()), provider)
    return used


def cancelled_with_leftovers(conn: Connection) -> list[int]:
    """Cancelled campaigns with a batch still to send or a recipient waiting for a re-send."""
    unsent = exists().where(
        Batch.campaign_id == Campaign.id,
        Batch.status.in_([B.PLANNED.value, B.RETRY.value]),
    )
    waiting = exists().where(
        Recipient.campaign_id == Campaign.id,
        Recipient.status == R.RETRY_WAIT.value,
    )
    query = select(Campaign.id).where(
        Campaign.status == CampaignStatus.CANCELLED.value, or_(unsent, waiting)
    )
    return list(conn.execute(query).scalars())


def touch_stale_queued(conn: Connection, now: datetime, older_than: datetime) -> list[int]:
    """Campaigns whose planning was asked for before `older_than` and never done: still
    queued, or imported and dispatching but not fully planned (the last plan task was lost).
    Stamp them now and return their ids."""
    unplanned = and_(
        Campaign.status == CampaignStatus.DISPATCHING.value,
        Campaign.imported_at.is_not(None),
        Campaign.planned_at.is_(None),
    )
    result = conn.execute(
        update(Campaign)
        .where(
            or_(Campaign.status == CampaignStatus.QUEUED.value, unplanned),
            Campaign.queued_at < older_than,
        )
        .values(queued_at=now)
        .returning(Campaign.id)
    )
    return list(result.scalars())


def resent_count(conn: Connection, campaign_id: int) -> int:
    """Recipients sent more than once (re-sent after a transient failure)."""
    query = select(func.count()).where(Recipient.campaign_id == campaign_id, Recipient.attempts > 1)
    return int(conn.execute(query).scalar_one())


def start_due(conn: Connection, now: datetime) -> list[int]:
    """scheduled → queued for campaigns whose time has come; returns their ids."""
    result = conn.execute(
        update(Campaign)
        .where(Campaign.status == CampaignStatus.SCHEDULED.value, Campaign.scheduled_at <= now)
        .values(status=CampaignStatus.QUEUED.value, queued_at=now)
        .returning(Campaign.id)
    )
    return list(result.scalars())


def type_counts(conn: Connection, campaign_id: int, sendable_only: bool = False) -> dict[str, int]:
    """Recipients per message type (SMS, LMS, MMS, INTL): the type each is sent as.
    `sendable_only` leaves out the suppressed, which are never sent."""
    query = (
        select(Recipient.message_type, func.count())
        .where(Recipient.campaign_id == campaign_id)
        .group_by(Recipient.message_type)
    )
    if sendable_only:
        query = query.where(Recipient.status != R.SUPPRESSED.value)
    return {kind: int(count) for kind, count in conn.execute(query)}


def provider_type_counts(conn: Connection, campaign_id: int) -> list[Any]:
    """(provider, message_type, count) of recipients that are or will be sent (not suppressed
    or cancelled unsent). The provider is that of the batch a recipient's row names; None for
    rows that name none yet (not planned, or still an open member of a first send's batch)."""
    never_sent = [R.SUPPRESSED.value, R.CANCELLED.value]
    keys = (Batch.provider, Recipient.message_type)
    query = (
        select(*keys, func.count().label("count"))
        .select_from(Recipient)
        .outerjoin(Batch, Batch.id == Recipient.batch_id)
        .where(Recipient.campaign_id == campaign_id, Recipient.status.not_in(never_sent))
        .group_by(*keys)
    )
    return list(conn.execute(query))
