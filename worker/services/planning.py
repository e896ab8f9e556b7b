"""Cut a campaign's pending recipients into provider-sized batches, chunk by chunk."""

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import Engine

from worker.db import batches, campaigns, recipients
from worker.db.types import utcnow
from worker.domain.statuses import CampaignStatus
from worker.services.progress import refresh
from worker.services.publishing import Publish

log = logging.getLogger(__name__)

# Recipients claimed per transaction: large enough for few round trips, small enough that
# the first batches reach the send queue quickly and memory stays flat.
CHUNK = 20_000


class CampaignNotFound(LookupError):
    """No campaign has the given id."""


# A provider's batch size (recipients per request), by its name.
BatchSize = Callable[[str], int]


def plan_campaign(
    engine: Engine, campaign_id: int, batch_size: BatchSize, regrace: timedelta, publish: Publish
) -> int:
    """Batch every pending recipient and publish the batches; returns how many were made."""
    provider = _start(engine, campaign_id)
    if provider is None:
        return 0
    size = batch_size(provider)
    with engine.connect() as conn:
        # Batches an interrupted earlier run created but may not have published go out first.
        publish(batches.planned_ids(conn, campaign_id))
    made = 0
    for message_type in _pending_types(engine, campaign_id):
        made += _plan_type(engine, campaign_id, provider, message_type, size, regrace, publish)
    with engine.begin() as conn:
        refresh(conn, campaign_id, utcnow())
    log.info("planned campaign=%s batches=%d", campaign_id, made)
    return made


def _start(engine: Engine, campaign_id: int) -> str | None:
    """queued → dispatching; the provider, or None when the campaign is not to be planned."""
    with engine.begin() as conn:
        campaign = campaigns.get(conn, campaign_id)
        if campaign is None:
            raise CampaignNotFound(f"campaign {campaign_id} does not exist")
        campaigns.transition(conn, campaign_id, [CampaignStatus.QUEUED], CampaignStatus.DISPATCHING)
    if campaign.status not in (CampaignStatus.QUEUED, CampaignStatus.DISPATCHING):
        log.info("not planning campaign=%s status=%s", campaign_id, campaign.status)
        return None
    return str(campaign.provider)


def _pending_types(engine: Engine, campaign_id: int) -> list[str]:
    with engine.connect() as conn:
        return recipients.pending_types(conn, campaign_id)


def _plan_type(
    engine: Engine,
    campaign_id: int,
    provider: str,
    message_type: str,
    batch_size: int,
    regrace: timedelta,
    publish: Publish,
) -> int:
    made = 0
    while True:
        with engine.begin() as conn:
            ids = recipients.pending_ids(conn, campaign_id, message_type, CHUNK)
            if not ids:
                return made
            chunks = [ids[i : i + batch_size] for i in range(0, len(ids), batch_size)]
            rows = [
                _batch_row(campaign_id, provider, message_type, len(c), regrace) for c in chunks
            ]
            batch_ids = batches.create_many(conn, rows)
            recipients.assign_ranges(conn, campaign_id, _ranges(batch_ids, chunks, message_type))
        publish([(batch_id, provider) for batch_id in batch_ids])
        made += len(batch_ids)


def _batch_row(
    campaign_id: int, provider: str, message_type: str, size: int, regrace: timedelta
) -> dict[str, object]:
    now: datetime = utcnow()
    return {
        "campaign_id": campaign_id,
        "provider": provider,
        "message_type": message_type,
        "recipient_count": size,
        "status": "planned",
        "created_at": now,
        # If this batch's task is lost, beat publishes it again once this time passes.
        "next_attempt_at": now + regrace,
    }


def _ranges(batch_ids: list[int], chunks: list[list[int]], message_type: str) -> list[dict]:
    return [
        {"b_batch": batch_id, "b_lo": chunk[0], "b_hi": chunk[-1], "b_type": message_type}
        for batch_id, chunk in zip(batch_ids, chunks, strict=True)
    ]
