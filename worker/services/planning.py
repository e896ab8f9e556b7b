"""Cut a campaign's pending recipients into provider-sized batches of id ranges, set-based.

Planning writes batch rows only: each batch holds the campaign's pending recipients of one
message type between its first and last id (worker/db/members.py). It may run while the
import is still committing chunks; then it cuts only full batches, and the run after the
import ended cuts the rest and marks the campaign planned. Planners racing over the same
campaign cut the same first ids, and the loser's duplicates are skipped (uq_batch_range).
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from worker.db import batches, campaigns
from worker.db.types import utcnow
from worker.domain.messages import MessageType
from worker.domain.routing import unwatched
from worker.domain.statuses import CampaignStatus
from worker.services.progress import refresh
from worker.services.publishing import Publish, SendJob

log = logging.getLogger(__name__)

# Recipients cut per statement: large enough for few round trips, small enough that the
# first batches reach the send queue quickly. A multiple of every provider's batch size.
CHUNK = 20_000

# A provider's batch size (recipients per request), by its name.
BatchSize = Callable[[str], int]
# The provider for the next chunk of a campaign's recipients of one type (worker/domain/routing.py).
Route = Callable[[Any, str], str | None]


class CampaignNotFound(LookupError):
    """No campaign has the given id."""


@dataclass(frozen=True, slots=True)
class Cut:
    """How one planning run cuts a campaign: each chunk goes to the provider `route` names,
    at that provider's batch size."""

    campaign: Any
    route: Route
    batch_size: BatchSize
    complete: bool  # the import has ended: the last batch of each type may be short
    due: datetime  # when a batch whose task got lost is published again

    @property
    def campaign_id(self) -> int:
        """The campaign being cut."""
        return int(self.campaign.id)


def plan_campaign(
    engine: Engine,
    campaign_id: int,
    batch_size: BatchSize,
    regrace: timedelta,
    publish: Publish,
    route: Route = unwatched,
) -> int:
    """Batch every pending recipient imported so far and publish the batches; how many."""
    campaign = _start(engine, campaign_id)
    if campaign is None:
        return 0
    now = utcnow()
    complete = campaign.imported_at is not None
    cut = Cut(campaign, route, batch_size, complete, now + regrace)
    made = sum(_plan_type(engine, cut, kind.value, publish) for kind in MessageType)
    with engine.begin() as conn:
        if cut.complete:
            campaigns.mark_planned(conn, campaign_id, utcnow())
        refresh(conn, campaign_id, utcnow())
    log.info("planned campaign=%s batches=%d complete=%s", campaign_id, made, cut.complete)
    return made


def _start(engine: Engine, campaign_id: int) -> Any:
    """queued → dispatching; the campaign, or None when it is not to be planned."""
    with engine.begin() as conn:
        campaign = campaigns.get(conn, campaign_id)
        if campaign is None:
            raise CampaignNotFound(f"campaign {campaign_id} does not exist")
        campaigns.transition(conn, campaign_id, [CampaignStatus.QUEUED], CampaignStatus.DISPATCHING)
    if campaign.status not in (CampaignStatus.QUEUED, CampaignStatus.DISPATCHING):
        log.info("not planning campaign=%s status=%s", campaign_id, campaign.status)
        return None
    return campaign


def _plan_type(engine: Engine, cut: Cut, message_type: str, publish: Publish) -> int:
    """Cut one type's pending recipients chunk by chunk, publishing each chunk's batches."""
    made = 0
    with engine.connect() as conn:
        after = batches.planned_through(conn, cut.campaign_id, message_type)
    while True:
        provider = cut.route(cut.campaign, message_type)
        if provider is None:
            log.error("campaign=%s: no provider can send its %s", cut.campaign_id, message_type)
            return made
        with engine.begin() as conn:
            cut_now = batches.plan_ranges(conn, _plan(cut, provider, message_type, after))
            reached = batches.planned_through(conn, cut.campaign_id, message_type)
        sender = cut.campaign.sender
        publish([SendJob(batch_id, provider, size, sender) for batch_id, size in cut_now])
        made += len(cut_now)
        if not cut_now and reached == after:
            return made  # nothing left to cut, and no other planner moved on meanwhile
        after = reached


def _plan(cut: Cut, provider: str, message_type: str, after: int) -> dict[str, Any]:
    return {
        "campaign_id": cut.campaign_id,
        "provider": provider,
        "message_type": message_type,
        "after": after,
        "size": cut.batch_size(provider),
        "chunk": CHUNK,
        "complete": cut.complete,
        "now": utcnow(),
        "due": cut.due,
    }
