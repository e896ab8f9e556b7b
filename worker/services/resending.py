"""Gather recipients whose re-send is due into new batches of their own attempt."""

import logging
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta
from itertools import groupby
from typing import Any, NamedTuple

from sqlalchemy import Engine

from worker.db import batches, recipients
from worker.db.types import utcnow
from worker.domain.routing import unwatched
from worker.services.publishing import Publish, SendJob

log = logging.getLogger(__name__)

# Recipients gathered per round; the rest wait for the next beat tick.
RESEND_CHUNK = 20_000


def resend_due(
    engine: Engine,
    batch_size: Callable[[str], int],
    regrace: timedelta,
    publish: Publish,
    route: Callable[[Any, str], str | None] = unwatched,
) -> int:
    """Batch every due retry_wait recipient (per campaign, type and attempt) for the provider
    `route` names (an auto campaign's re-send may take another provider); publish them."""
    now = utcnow()
    with engine.begin() as conn:
        due = recipients.due_retries(conn, now, RESEND_CHUNK)
        groups = list(_groups(due, batch_size, route))
        if not groups:
            return 0
        batch_ids = batches.create_many(conn, [_batch_row(g, now, regrace) for g in groups])
        moved = recipients.assign_retries(conn, _assignments(groups, batch_ids))
    publish(
        [
            SendJob(batch_id, group.provider, len(group.ids), group.sender)
            for batch_id, group in zip(batch_ids, groups, strict=True)
        ]
    )
    log.info("re-send batches=%d recipients=%d", len(batch_ids), moved)
    return moved


class Group(NamedTuple):
    """Recipients re-sent together: one campaign, provider, type and attempt."""

    campaign_id: int
    provider: str
    sender: str
    message_type: str
    attempt: int
    ids: list[int]


def _groups(
    rows: Sequence[Any], batch_size: Callable[[str], int], route: Callable[[Any, str], str | None]
) -> Iterator[Group]:
    def key(row: Any) -> tuple[int, str, str, int]:
        return (row.campaign_id, row.sender, row.message_type, row.attempts + 1)

    for (campaign_id, sender, message_type, attempt), group in groupby(rows, key):
        members = list(group)
        provider = route(members[0], message_type)
        if provider is None:
            continue  # no provider can carry them now: they wait for the next round
        ids = [row.id for row in members]
        size = batch_size(provider)
        for start in range(0, len(ids), size):
            chunk = ids[start : start + size]
            yield Group(campaign_id, provider, sender, message_type, attempt, chunk)


def _batch_row(group: Group, now: datetime, regrace: timedelta) -> dict[str, Any]:
    return {
        "campaign_id": group.campaign_id,
        "provider": group.provider,
        "message_type": group.message_type,
        "attempt": group.attempt,
        "recipient_count": len(group.ids),
        "status": "planned",
        "created_at": now,
        "next_attempt_at": now + regrace,
    }


def _assignments(groups: Sequence[Group], batch_ids: Sequence[int]) -> list[dict[str, int]]:
    return [
        {"b_id": recipient_id, "b_batch": batch_id}
        for group, batch_id in zip(groups, batch_ids, strict=True)
        for recipient_id in group.ids
    ]
