"""Pause and resume a campaign (the Python API behind `bulksms campaign pause|resume`)."""

from contextlib import suppress

from sqlalchemy import Connection

from config.settings import Settings, get_settings
from producer.queueing import BrokerUnavailable, enqueue_plan
from worker.db import batches, campaigns
from worker.db.engine import get_engine
from worker.db.types import utcnow
from worker.domain.statuses import CampaignStatus as C


class NotPausable(ValueError):
    """The campaign is not in a state that can be paused or resumed; the message says why."""


def pause_campaign(campaign_id: int, settings: Settings | None = None) -> None:
    """Stop planning and sending at once: once this commits, no batch of it is claimed (one
    already in flight finishes); results keep being applied; re-sends and held batches wait."""
    engine = get_engine((settings or get_settings()).database_url)
    with engine.begin() as conn:
        if campaigns.pause(conn, campaign_id, utcnow()):
            return
        status = _status(conn, campaign_id)
    raise NotPausable(f"campaign {campaign_id} is {status}: only an open campaign can be paused")


def resume_campaign(campaign_id: int, settings: Settings | None = None) -> str:
    """Continue where it stopped; the status it returned to. Its batches are published by
    the next release tick, and planning is asked for again (a no-op if it was done)."""
    settings = settings or get_settings()
    with get_engine(settings.database_url).begin() as conn:
        resumed = campaigns.resume(conn, campaign_id)
        if resumed is None:
            raise NotPausable(f"campaign {campaign_id} is {_status(conn, campaign_id)}, not paused")
        batches.release_resumed(conn, campaign_id, utcnow())
        # Everything may have become final while it was paused: finish it now if so.
        campaigns.mark_sent_if_done(conn, campaign_id)
        campaigns.complete_if_final(conn, campaign_id, utcnow())
    if resumed in (C.QUEUED.value, C.DISPATCHING.value):
        # Beat plans a queued or unplanned campaign again on its own if the broker is away.
        with suppress(BrokerUnavailable):
            enqueue_plan(settings, campaign_id)
    return resumed


def _status(conn: Connection, campaign_id: int) -> str:
    row = campaigns.get(conn, campaign_id)
    return "unknown (no such campaign)" if row is None else str(row.status)
