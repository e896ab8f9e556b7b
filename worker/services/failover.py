"""Move what a sick provider has not been sent to the next provider, re-cut at its batch size.

Only batches no send of which can have reached the sick provider move: planned, or waiting for
a retry after an answer that said it was not taken (5xx, 429, a refused connection). A batch
that may have reached it is `unsure` and stays until the lookup decides (reconciling.py), so
no recipient goes through two providers for the same attempt.
"""

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from itertools import groupby
from typing import Any

from sqlalchemy import Connection, Engine

from worker.db import batches, campaigns, recipients, reroutes
from worker.db.members import BatchRef
from worker.db.types import utcnow
from worker.domain.routing import need_of, next_after
from worker.services.publishing import Publish, SendJob

log = logging.getLogger(__name__)

# Unsent batches moved per round; the rest follow on the next tick.
MOVES_PER_ROUND = 200
# The provider an auto campaign's batch should move to, from `sick`; None: none can take it.
NextProvider = Callable[[str, Any, str], str | None]


def fail_over(
    engine: Engine,
    sick: str,
    next_provider: NextProvider,
    batch_size: Callable[[str], int],
    regrace: timedelta,
    publish: Publish,
) -> int:
    """Re-cut the sick provider's unsent batches of auto campaigns for the next provider and
    publish the new batches; how many recipients moved."""
    with engine.connect() as conn:
        rows = reroutes.movable(conn, sick, MOVES_PER_ROUND)
    moved = 0
    for _, group in groupby(rows, key=lambda r: (r.campaign_id, r.message_type, r.attempt)):
        members = list(group)
        target = next_provider(sick, members[0], members[0].message_type)
        if target is not None:
            moved += _move_group(engine, members, target, batch_size(target), regrace, publish)
    if moved:
        log.warning("failover: %d recipients moved from %s", moved, sick)
    return moved


def _move_group(
    engine: Engine,
    group: Sequence[Any],
    target: str,
    size: int,
    regrace: timedelta,
    publish: Publish,
) -> int:
    """One campaign, type and attempt: take its batches, cut their open members anew."""
    now = utcnow()
    with engine.begin() as conn:
        taken = [batch for batch in group if reroutes.take(conn, batch.id)]
        members = [(batch, m.id) for batch in taken for m in _open(conn, batch)]
        chunks = [members[i : i + size] for i in range(0, len(members), size)]
        rows = [_batch_row(group[0], target, len(chunk), now, regrace) for chunk in chunks]
        new_ids = batches.create_many(conn, rows)
        moved = _assign(conn, chunks, new_ids)
        # A job naming its size is not read from the database: it must name the sender too,
        # or the per-sender rate limit would count these sends under no sender.
        sender = campaigns.get(conn, group[0].campaign_id).sender
    publish([SendJob(i, target, len(c), sender) for i, c in zip(new_ids, chunks, strict=True)])
    return moved


def _open(conn: Connection, batch: Any) -> list[Any]:
    return recipients.members(conn, BatchRef.of(batch))


def _assign(conn: Connection, chunks: list[list[tuple[Any, int]]], new_ids: list[int]) -> int:
    """Move each member to its new batch; each old batch settles what left it."""
    by_old: dict[int, tuple[Any, list[dict[str, int]]]] = {}
    for chunk, new_id in zip(chunks, new_ids, strict=True):
        for batch, member in chunk:
            by_old.setdefault(batch.id, (batch, []))[1].append({"b_id": member, "b_batch": new_id})
    moved = 0
    for batch, moves in by_old.values():
        count = reroutes.move(conn, BatchRef.of(batch), moves)
        batches.settle(conn, batch.id, count)
        moved += count
    return moved


def _batch_row(
    like: Any, provider: str, count: int, now: datetime, regrace: timedelta
) -> dict[str, Any]:
    return {
        "campaign_id": like.campaign_id,
        "provider": provider,
        "message_type": like.message_type,
        "attempt": like.attempt,
        "recipient_count": count,
        "status": "planned",
        "created_at": now,
        "next_attempt_at": now + regrace,
    }


def routed_next(order: Sequence[str], healthy: Callable[[str], bool]) -> NextProvider:
    """next_provider over a routing order and a health check (domain/routing.next_after)."""

    def pick(sick: str, campaign: Any, message_type: str) -> str | None:
        return next_after(sick, order, need_of(campaign, message_type), healthy)

    return pick
