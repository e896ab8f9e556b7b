"""Publish work whose time has come: due batches, and campaigns whose planning never started."""

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import Engine

from worker.db import batches, campaigns, lookups
from worker.db.types import utcnow
from worker.services.publishing import Publish, SendJob

log = logging.getLogger(__name__)

RELEASE_LIMIT = 1000


def release_due_batches(
    engine: Engine, regrace: timedelta, publish: Publish, idle: Sequence[str] = ()
) -> int:
    """Move due batches to planned and publish them; returns how many. Planned batches are
    published again only for the `idle` providers, whose send queue is empty."""
    with engine.begin() as conn:
        due = batches.release_due(conn, utcnow(), regrace, RELEASE_LIMIT, idle)
    # Their size and sender are read by the send task itself (rare: retries and lost tasks).
    publish([SendJob(row.id, row.provider, 0, "") for row in due])
    return len(due)


def hand_lapsed_to_lookup(engine: Engine, delay: timedelta) -> int:
    """Batches left `sending` past their lease (a worker died or lost the database mid-send)
    → unsure: the provider is asked about them before anything is sent again."""
    now = utcnow()
    with engine.begin() as conn:
        lapsed = lookups.unsure_lapsed(conn, now, now + delay)
    if lapsed:
        log.warning("batches %s outlived their send lease: looked up before any re-send", lapsed)
    return len(lapsed)


def stop_abandoned_imports(
    engine: Engine, silence: timedelta, publish_cancel: Callable[[Sequence[int]], None]
) -> int:
    """Campaigns whose producer died mid-import (no heartbeat for `silence`) are stopped
    as a failed import is: cancelling, then the cancel task withdraws what it must."""
    with engine.begin() as conn:
        stopped = campaigns.stop_abandoned_imports(conn, utcnow() - silence)
    if stopped:
        log.warning("imports of campaigns %s stopped: their producer went silent", stopped)
        publish_cancel(stopped)
    return len(stopped)


def requeue_stale_campaigns(
    engine: Engine, after: timedelta, publish_plan: Callable[[Sequence[int]], None]
) -> int:
    """Publish planning again for campaigns still queued `after` they were (the task was lost)."""
    now = utcnow()
    with engine.begin() as conn:
        stale = campaigns.touch_stale_queued(conn, now, now - after)
    publish_plan(stale)
    return len(stale)


def start_due_campaigns(engine: Engine, now: datetime | None = None) -> list[int]:
    """Scheduled campaigns whose time has come (by `now`, the clock by default) → queued;
    returns the ids to plan."""
    with engine.begin() as conn:
        return campaigns.start_due(conn, now or utcnow())


def mark_all_sent(engine: Engine) -> int:
    """Campaigns whose every batch went out → awaiting_results; how many."""
    with engine.begin() as conn:
        return campaigns.mark_all_sent(conn)
